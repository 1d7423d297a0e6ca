"""Dates a client or an import sent are held to 1900-01-01 through 2199-12-31 (UTC).

Before this, "0001-01-01" and "9999-12-31" were accepted. Postgres stores the
exact ends of Python's range as -infinity and infinity, so one such row broke
reads for everyone: the collections queue's date arithmetic ("cannot subtract
infinite dates"), a promise's deadline, a timeline cursor, the index worker.
The API now refuses such dates (domain/calendar.py); this clamps the rows
already stored into the range and adds CHECK constraints so none can be stored
again by any path. Entries and invoices whose dates moved are queued for the
search index, and pending outbox rows (a poisoned one may be backing off) are
retried at once. Downgrade drops the constraints; clamped dates stay clamped.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# An instant is in range when its UTC day is. A CHECK passes on NULL, so optional columns need no more.
UPGRADE = """
INSERT INTO outbox (account_id, entity_type, entity_id, op)
SELECT account_id, 'entry', id, 'upsert' FROM entries
 WHERE deleted_at IS NULL
   AND (NOT (occurred_at >= '1900-01-01 00:00+00' AND occurred_at < '2200-01-01 00:00+00')
        OR NOT (due_at >= '1900-01-01 00:00+00' AND due_at < '2200-01-01 00:00+00')
        OR promised_for NOT BETWEEN '1900-01-01' AND '2199-12-31'
        OR received_on NOT BETWEEN '1900-01-01' AND '2199-12-31');
INSERT INTO outbox (account_id, entity_type, entity_id, op)
SELECT account_id, 'invoice', id, 'upsert' FROM invoices
 WHERE issued_on NOT BETWEEN '1900-01-01' AND '2199-12-31' OR due_on NOT BETWEEN '1900-01-01' AND '2199-12-31';

-- One column at a time: greatest() ignores NULL, so a combined SET would fill empty columns.
UPDATE entries SET occurred_at = least(greatest(occurred_at, '1900-01-01 00:00+00'), '2199-12-31 23:59:59.999999+00')
 WHERE NOT (occurred_at >= '1900-01-01 00:00+00' AND occurred_at < '2200-01-01 00:00+00');
UPDATE entries SET due_at = least(greatest(due_at, '1900-01-01 00:00+00'), '2199-12-31 23:59:59.999999+00')
 WHERE NOT (due_at >= '1900-01-01 00:00+00' AND due_at < '2200-01-01 00:00+00');
UPDATE entries SET promised_for = least(greatest(promised_for, '1900-01-01'), '2199-12-31')
 WHERE promised_for NOT BETWEEN '1900-01-01' AND '2199-12-31';
UPDATE entries SET received_on = least(greatest(received_on, '1900-01-01'), '2199-12-31')
 WHERE received_on NOT BETWEEN '1900-01-01' AND '2199-12-31';
-- Both at once (they are NOT NULL): clamping keeps dueOn >= issuedOn only if neither moves alone.
UPDATE invoices
   SET issued_on = least(greatest(issued_on, '1900-01-01'), '2199-12-31'),
       due_on = least(greatest(due_on, '1900-01-01'), '2199-12-31')
 WHERE issued_on NOT BETWEEN '1900-01-01' AND '2199-12-31' OR due_on NOT BETWEEN '1900-01-01' AND '2199-12-31';
UPDATE payments SET received_on = least(greatest(received_on, '1900-01-01'), '2199-12-31')
 WHERE received_on NOT BETWEEN '1900-01-01' AND '2199-12-31';
UPDATE contact_windows SET from_date = least(greatest(from_date, '1900-01-01'), '2199-12-31')
 WHERE from_date NOT BETWEEN '1900-01-01' AND '2199-12-31';
UPDATE contact_windows SET until_date = least(greatest(until_date, '1900-01-01'), '2199-12-31')
 WHERE until_date NOT BETWEEN '1900-01-01' AND '2199-12-31';

ALTER TABLE entries ADD CONSTRAINT entries_dates_in_range CHECK (
    occurred_at >= '1900-01-01 00:00+00' AND occurred_at < '2200-01-01 00:00+00'
    AND due_at >= '1900-01-01 00:00+00' AND due_at < '2200-01-01 00:00+00'
    AND promised_for BETWEEN '1900-01-01' AND '2199-12-31'
    AND received_on BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE invoices ADD CONSTRAINT invoices_dates_in_range CHECK (
    issued_on BETWEEN '1900-01-01' AND '2199-12-31' AND due_on BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE payments ADD CONSTRAINT payments_dates_in_range CHECK (
    received_on BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE contact_windows ADD CONSTRAINT contact_windows_dates_in_range CHECK (
    from_date BETWEEN '1900-01-01' AND '2199-12-31' AND until_date BETWEEN '1900-01-01' AND '2199-12-31');

UPDATE outbox SET next_attempt_at = now() WHERE done_at IS NULL AND next_attempt_at > now();
"""

DOWNGRADE = """
ALTER TABLE contact_windows DROP CONSTRAINT contact_windows_dates_in_range;
ALTER TABLE payments DROP CONSTRAINT payments_dates_in_range;
ALTER TABLE invoices DROP CONSTRAINT invoices_dates_in_range;
ALTER TABLE entries DROP CONSTRAINT entries_dates_in_range;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
