"""Outbox lanes: rows from bulk changes wait behind the rows of live writes.

A change that queues many rows at once (an invoice feed, an import, a reindex's
catch-up) marks them `bulk`; a note or an edit queues a live row. The index
worker claims live rows first, through their own partial index, so a note
becomes searchable in one round even while a backlog of bulk rows drains.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04
"""

from migrations import execute_script

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE outbox ADD COLUMN bulk boolean NOT NULL DEFAULT false;
CREATE INDEX outbox_live_idx ON outbox (id) WHERE done_at IS NULL AND NOT bulk;
"""

DOWNGRADE = """
DROP INDEX outbox_live_idx;
ALTER TABLE outbox DROP COLUMN bulk;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
