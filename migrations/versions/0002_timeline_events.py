"""The durable, ordered log of timeline events that live subscriptions read.

Each account numbers its events 1, 2, 3... The number is taken by updating the
account's row inside the writing transaction, so two writers on one account
take turns and events commit in the order of their numbers: a reader that has
seen event n never later finds a smaller number appearing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE accounts ADD COLUMN event_seq bigint NOT NULL DEFAULT 0;

CREATE TABLE timeline_events (
    account_id uuid NOT NULL REFERENCES accounts (id),
    seq        bigint NOT NULL,
    entry_id   uuid NOT NULL,
    op         text NOT NULL CHECK (op IN ('upsert', 'delete')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, seq)
);
"""

DOWNGRADE = """
DROP TABLE timeline_events;
ALTER TABLE accounts DROP COLUMN event_seq;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
