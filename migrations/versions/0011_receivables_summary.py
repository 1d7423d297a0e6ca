"""The receivables summary: each overdue account's ranking facts for one day, kept by the write path.

The collections queue ranked every overdue account on every request (1.7 s at
p99 with 8 clients on 1,000,000 entries). What of that ranking does not depend
on the instant (amounts, ages, what open promises cover, a broken promise,
financial news somewhere in the day) is kept here per account and audience
(`restricted`: the facts as AR and ADMIN see them, or as everyone else does),
for the one day `receivables_summary_day.as_of`. `upper` is the most the
account's priority can be on that day, `lower` the least; the queue walks
`upper` down its index and judges the instant (reachability, news) only for
the accounts it may return. The write path refreshes the accounts it touches
in its transaction; a job moves the day (store/receivables_summary.py).
The day starts unset: until the job has filled it, the queue ranks as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from migrations import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE receivables_summary_day (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    as_of date
);
INSERT INTO receivables_summary_day (one, as_of) VALUES (true, NULL);
CREATE TABLE receivables_summary (
    account_id uuid NOT NULL REFERENCES accounts (id),
    restricted boolean NOT NULL,
    oldest_days integer NOT NULL,
    unpromised_days integer NOT NULL,
    share float8 NOT NULL,
    log_amount float8 NOT NULL,
    waiting boolean NOT NULL,
    amounts jsonb,
    broken boolean NOT NULL,
    open_promise boolean NOT NULL,
    news boolean NOT NULL,
    upper float8 NOT NULL,
    lower float8 NOT NULL,
    PRIMARY KEY (account_id, restricted)
);
CREATE INDEX receivables_summary_rank_idx ON receivables_summary (restricted, upper DESC, account_id);
"""

DOWNGRADE = """
DROP TABLE receivables_summary;
DROP TABLE receivables_summary_day;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
