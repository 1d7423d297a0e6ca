"""Inbox items carry their entry's visibility and deletion, so the inbox reads one table.

Counting a user's unread items and reading a page of them joined every item to
its entry to leave out RESTRICTED entries (for SALES and SERVICE) and deleted
ones. An entry's visibility is set when it is written and never changes; its
deletion is copied onto its items by the same statement that deletes it
(store/entries.py soft_delete), so the copy is never behind the entry.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from migrations import execute_script

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE inbox_items ADD COLUMN entry_visibility text, ADD COLUMN entry_deleted_at timestamptz;
UPDATE inbox_items i SET entry_visibility = e.visibility, entry_deleted_at = e.deleted_at
  FROM entries e WHERE e.account_id = i.account_id AND e.id = i.entry_id;
ALTER TABLE inbox_items ALTER COLUMN entry_visibility SET NOT NULL,
  ADD CHECK (entry_visibility IN ('ALL_TEAMS', 'RESTRICTED'));
DROP INDEX inbox_items_unread_idx;
CREATE INDEX inbox_items_unread_idx ON inbox_items (user_id, entry_visibility)
 WHERE read_at IS NULL AND entry_deleted_at IS NULL;
CREATE INDEX inbox_items_entry_idx ON inbox_items (account_id, entry_id);
"""

DOWNGRADE = """
DROP INDEX inbox_items_entry_idx;
DROP INDEX inbox_items_unread_idx;
CREATE INDEX inbox_items_unread_idx ON inbox_items (user_id) WHERE read_at IS NULL;
ALTER TABLE inbox_items DROP COLUMN entry_deleted_at, DROP COLUMN entry_visibility;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
