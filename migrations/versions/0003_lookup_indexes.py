"""Indexes for lookups by entry, invoice and contact alone.

The primary keys lead with account_id (for distribution by account), but a
page of entries asks for the invoices of many entries by entry id, a brief asks
for the promises naming an invoice, and contacts' windows are read by contact
id: without these, each of those was a scan of the whole link table (measured
at 22-57 ms per call on 1,000,000 entries). The collections queue looks up every
open dispute at once; a partial index keeps that from scanning all entries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX entry_invoices_entry_idx ON entry_invoices (entry_id);
CREATE INDEX entry_invoices_invoice_only_idx ON entry_invoices (invoice_id);
CREATE INDEX entry_revisions_entry_idx ON entry_revisions (entry_id);
CREATE INDEX contact_windows_contact_idx ON contact_windows (contact_id);
CREATE INDEX entries_open_disputes_idx ON entries (account_id, id)
    WHERE kind = 'DISPUTE' AND dispute_status = 'OPEN' AND deleted_at IS NULL;
"""

DOWNGRADE = """
DROP INDEX entries_open_disputes_idx;
DROP INDEX contact_windows_contact_idx;
DROP INDEX entry_revisions_entry_idx;
DROP INDEX entry_invoices_invoice_only_idx;
DROP INDEX entry_invoices_entry_idx;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
