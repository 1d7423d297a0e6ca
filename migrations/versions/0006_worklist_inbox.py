"""Account owners per team and followers, mentions, the inbox, and the worklist's index.

Inbox items are numbered per user (users.inbox_seq), taken by updating the
user's row in the writing transaction, for the same reason as timeline events:
a live inbox subscriber that has seen item n never later finds a smaller number
appearing. One entry gives a person at most one item, except that a promise
turning BROKEN is news of its own (entries.broken_checked_at records that the
time-driven pass has judged a promise past its deadline, so it is judged once).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from migrations import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE account_owners (
    account_id uuid NOT NULL REFERENCES accounts (id),
    team       text NOT NULL CHECK (team IN ('SALES', 'SERVICE', 'AR', 'ADMIN', 'INTEGRATION')),
    user_id    uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (account_id, team)
);
CREATE INDEX account_owners_user_idx ON account_owners (user_id);

CREATE TABLE account_followers (
    account_id uuid NOT NULL REFERENCES accounts (id),
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_followers_user_idx ON account_followers (user_id);

CREATE TABLE entry_mentions (
    account_id uuid NOT NULL,
    entry_id   uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (account_id, entry_id, user_id),
    FOREIGN KEY (account_id, entry_id) REFERENCES entries (account_id, id)
);
CREATE INDEX entry_mentions_entry_idx ON entry_mentions (entry_id);

ALTER TABLE users ADD COLUMN inbox_seq bigint NOT NULL DEFAULT 0;
CREATE INDEX users_name_prefix_idx ON users (lower(name) text_pattern_ops);
CREATE INDEX users_email_prefix_idx ON users (lower(email) text_pattern_ops);

CREATE TABLE inbox_items (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id),
    seq        bigint NOT NULL,
    account_id uuid NOT NULL,
    entry_id   uuid NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('MENTIONED', 'ASSIGNED', 'FOLLOWED_ACTIVITY', 'PROMISE_BROKEN',
                                               'DISPUTE_OPENED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    UNIQUE (user_id, seq),
    FOREIGN KEY (account_id, entry_id) REFERENCES entries (account_id, id)
);
CREATE UNIQUE INDEX inbox_items_once_idx ON inbox_items (user_id, entry_id, (reason = 'PROMISE_BROKEN'));
CREATE INDEX inbox_items_unread_idx ON inbox_items (user_id) WHERE read_at IS NULL;

ALTER TABLE entries ADD COLUMN broken_checked_at timestamptz;
CREATE INDEX entries_promises_to_check_idx ON entries (promised_for)
 WHERE kind = 'PROMISE_TO_PAY' AND broken_checked_at IS NULL AND cancelled_at IS NULL AND deleted_at IS NULL;
CREATE INDEX entries_worklist_idx ON entries (assignee_id, due_at, id)
 WHERE kind = 'FOLLOW_UP' AND NOT done AND deleted_at IS NULL;
"""

DOWNGRADE = """
DROP INDEX entries_worklist_idx;
DROP INDEX entries_promises_to_check_idx;
ALTER TABLE entries DROP COLUMN broken_checked_at;
DROP TABLE inbox_items;
DROP INDEX users_email_prefix_idx;
DROP INDEX users_name_prefix_idx;
ALTER TABLE users DROP COLUMN inbox_seq;
DROP TABLE entry_mentions;
DROP TABLE account_followers;
DROP TABLE account_owners;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
