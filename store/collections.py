"""The collections queue, ranked in SQL where the data is.

Only the accounts of the page leave the database. The query restates in SQL
three rules whose reference versions live in domain/ (a window applies at a
local time, a promise's status, what counts as overdue and disputed) and
applies the priority documented in domain/priority.py, with what open promises
cover; a test compares it with the call brief and the single fields on random
data, so they never disagree. The other rule constants come from domain/ too;
they are written into the text (see store.sql.literals) so the partial indexes
of migration 0004 still match.

The facts of a day are `day_facts`; the receivables summary
(store/receivables_summary.py) keeps them per account with the same SQL, and
the queue for the summary's day reads them from there for the few accounts
that can make the page, judging only the instant (reachability, news) itself.
"""

from dataclasses import astuple, dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from domain.invoices import NOT_PAYABLE
from domain.priority import WEIGHTS, Owed, Weights
from domain.promises import BROKEN_LOOKBACK_DAYS
from domain.risk import BILLING_ROLES, FINANCIAL_NEWS, NEWS_LOOKBACK_DAYS
from store.sql import literals

# A window applies when every set field matches the contact's local time `w.local`.
_APPLIES = """
    (w.days_of_week IS NULL OR cardinality(w.days_of_week) = 0
       OR (ARRAY['MON','TUE','WED','THU','FRI','SAT','SUN'])[extract(isodow FROM w.local)::int]
          = ANY (w.days_of_week))
AND (w.weeks_of_month IS NULL OR cardinality(w.weeks_of_month) = 0
       OR (extract(day FROM w.local)::int - 1) / 7 + 1 = ANY (w.weeks_of_month))
AND (w.start_time IS NULL OR w.local::time >= w.start_time)
AND (w.end_time IS NULL OR w.local::time < w.end_time)
AND (w.from_date IS NULL OR w.local::date >= w.from_date)
AND (w.until_date IS NULL OR w.local::date <= w.until_date)
"""


def priority(row: str, *, news: str, reachable: str) -> str:
    """The priority of domain/priority.py over `row`'s facts, weights in $4-$10.

    The queue gives it the instant's news and reachability; the summary gives
    it the most they can be (news at any instant of the day, reachable), to
    store an upper bound the queue walks down, float for float the same sum.
    """
    return f"""(((  $4::float8 * least({row}.unpromised_days, 365) / 365.0
              + $5::float8 * {row}.share::float8
              + $6::float8 * {row}.log_amount::float8
              + CASE WHEN {row}.broken THEN $7::float8 ELSE 0 END
              + CASE WHEN {news} THEN $8::float8 ELSE 0 END)
             * CASE WHEN {reachable} THEN 1 ELSE $9::float8 END)
            - CASE WHEN {row}.waiting THEN $10::float8 ELSE 0 END)::float8"""


def day_facts(scope: str = "") -> str:
    """The CTEs of what an account's ranking is on day $1 for audience $3 (sees RESTRICTED or not):
    `candidates` (the accounts with overdue money, their amounts and ages) and `promise_facts`.

    None of it depends on the instant, so store/receivables_summary.py keeps it per
    account; `scope` (e.g. " AND i.account_id = ANY($2)") narrows the invoices read.
    """
    return f"""open_invoices AS MATERIALIZED (
    SELECT i.account_id, i.id, i.number, i.currency, i.due_on, i.balance,
           (i.status = 'DISPUTED' OR EXISTS (
               SELECT 1 FROM entry_invoices ei
                 JOIN entries d ON d.account_id = ei.account_id AND d.id = ei.entry_id
                WHERE ei.account_id = i.account_id AND ei.invoice_id = i.id
                  AND d.kind = 'DISPUTE' AND d.dispute_status = 'OPEN' AND d.deleted_at IS NULL
                  AND ($3 OR d.visibility = 'ALL_TEAMS'))) AS disputed
      FROM invoices i
     WHERE i.status NOT IN ({literals(NOT_PAYABLE)}) AND i.balance > 0{scope}
),
debtors AS (
    SELECT DISTINCT account_id FROM open_invoices WHERE NOT disputed AND due_on < $1
),
promises AS MATERIALIZED (
    SELECT p.account_id, p.id, p.currency, p.deadline, p.amount - k.paid AS outstanding,
           k.paid >= p.amount AS kept
      FROM (SELECT e.account_id, e.id, e.amount, e.currency, e.recorded_at,
                   e.promised_for + e.grace_days AS deadline
              FROM debtors d
              JOIN entries e ON e.account_id = d.account_id
             WHERE e.kind = 'PROMISE_TO_PAY' AND e.deleted_at IS NULL AND e.cancelled_at IS NULL
               AND e.promised_for + e.grace_days >= $1 - {BROKEN_LOOKBACK_DAYS + 1}  -- broken the day after
               AND ($3 OR e.visibility = 'ALL_TEAMS')) p
     CROSS JOIN LATERAL (
        SELECT coalesce(sum(pay.amount), 0) AS paid FROM payments pay
         WHERE pay.account_id = p.account_id AND pay.currency = p.currency
           AND pay.received_on >= (p.recorded_at AT TIME ZONE 'UTC')::date
           AND pay.received_on <= least(p.deadline, $1)) k
),
open_promises AS (
    SELECT p.*, EXISTS (SELECT 1 FROM entry_invoices ei
                         WHERE ei.account_id = p.account_id AND ei.entry_id = p.id) AS names_invoices
      FROM promises p
     WHERE NOT p.kept AND $1 <= p.deadline
),
named_spread AS (
    SELECT i.account_id, i.id, i.balance,
           greatest(0, least(i.balance, p.outstanding
               - (sum(i.balance) OVER (PARTITION BY p.account_id, p.id ORDER BY i.due_on, i.number, i.id
                                       ROWS UNBOUNDED PRECEDING) - i.balance))) AS covered
      FROM open_promises p
      JOIN entry_invoices ei ON ei.account_id = p.account_id AND ei.entry_id = p.id
      JOIN open_invoices i
        ON i.account_id = ei.account_id AND i.id = ei.invoice_id AND i.currency = p.currency
),
named_cover AS (
    SELECT account_id, id, least(min(balance), sum(covered)) AS covered
      FROM named_spread GROUP BY account_id, id
),
unnamed AS (
    SELECT account_id, currency, sum(outstanding) AS outstanding
      FROM open_promises WHERE NOT names_invoices GROUP BY account_id, currency
),
overdue_rest AS (
    SELECT i.account_id, i.id, i.number, i.currency, i.due_on, i.balance - coalesce(n.covered, 0) AS rest
      FROM debtors d
      JOIN open_invoices i ON i.account_id = d.account_id
      LEFT JOIN named_cover n ON n.account_id = i.account_id AND n.id = i.id
     WHERE NOT i.disputed AND i.due_on < $1
),
unpromised AS (
    SELECT r.account_id, r.currency, r.due_on,
           r.rest - greatest(0, least(r.rest, coalesce(u.outstanding, 0)
               - (sum(r.rest) OVER (PARTITION BY r.account_id, r.currency ORDER BY r.due_on, r.number, r.id
                                    ROWS UNBOUNDED PRECEDING) - r.rest))) AS amount
      FROM overdue_rest r
      LEFT JOIN unnamed u ON u.account_id = r.account_id AND u.currency = r.currency
),
per_currency AS (
    SELECT o.account_id, o.currency, o.open, o.overdue, o.oldest,
           coalesce(u.amount, 0) AS unpromised, coalesce(u.oldest, 0) AS unpromised_oldest
      FROM (SELECT account_id, currency, sum(balance) AS open,
                   coalesce(sum(balance) FILTER (WHERE NOT disputed AND due_on < $1), 0) AS overdue,
                   coalesce(max($1 - due_on) FILTER (WHERE NOT disputed AND due_on < $1), 0) AS oldest
              FROM open_invoices GROUP BY account_id, currency) o
      LEFT JOIN (SELECT account_id, currency, sum(amount) AS amount,
                        max($1 - due_on) FILTER (WHERE amount > 0) AS oldest
                   FROM unpromised GROUP BY account_id, currency) u
             ON u.account_id = o.account_id AND u.currency = o.currency
),
candidates AS MATERIALIZED (
    SELECT account_id,
           max(oldest) AS oldest_days,
           max(unpromised_oldest) AS unpromised_days,
           max(unpromised::float8 / open::float8) AS share,
           max(log(1 + unpromised::float8)) AS log_amount,
           NOT bool_or(unpromised > 0) AS waiting,
           jsonb_agg(jsonb_build_object('currency', currency, 'overdue', overdue::text, 'open', open::text,
                                        'unpromised', unpromised::text)
                     ORDER BY currency) FILTER (WHERE overdue > 0) AS amounts
      FROM per_currency
     GROUP BY account_id
    HAVING bool_or(overdue > 0)
),
promise_facts AS (
    SELECT account_id,
           bool_or(NOT kept AND $1 > deadline) AS broken,
           bool_or(NOT kept AND $1 <= deadline) AS open_promise
      FROM promises
     GROUP BY account_id
)
"""


# What the queue judges at its instant ($2) for the candidates of the day, and the page after
# the cursor: $4-$10 weights, $11 cursor priority, $12 limit, $13 cursor id.
_INSTANT = f"""
window_times AS MATERIALIZED (
    SELECT w.*, $2::timestamptz AT TIME ZONE coalesce(ct.time_zone, a.time_zone) AS local
      FROM candidates c
      JOIN contact_windows w ON w.account_id = c.account_id
      JOIN contacts ct ON ct.account_id = w.account_id AND ct.id = w.contact_id
      JOIN accounts a ON a.id = w.account_id
),
windows_now AS (
    SELECT w.account_id, w.contact_id,
           bool_or(w.kind = 'BLACKOUT' AND {_APPLIES}) AS blackout_now,
           bool_or(w.kind = 'PREFERRED' AND {_APPLIES}) AS preferred_now,
           bool_or(w.kind = 'PREFERRED') AS has_preferred
      FROM window_times w
     GROUP BY w.account_id, w.contact_id
),
people_facts AS (
    SELECT ct.account_id,
           bool_or(NOT ct.do_not_contact AND NOT coalesce(w.blackout_now, false)
                   AND (NOT coalesce(w.has_preferred, false) OR w.preferred_now)) AS reachable_now,
           bool_and(ct.do_not_contact) AS all_do_not_contact,
           bool_or(ct.roles && ARRAY[{literals(BILLING_ROLES)}] AND NOT ct.do_not_contact)
               AS billing_contact
      FROM candidates c
      JOIN contacts ct ON ct.account_id = c.account_id
      LEFT JOIN windows_now w ON w.account_id = ct.account_id AND w.contact_id = ct.id
     GROUP BY ct.account_id
),
facts AS (
    SELECT c.account_id, c.oldest_days, c.unpromised_days, c.share, c.log_amount, c.waiting, c.amounts,
           coalesce(pf.broken, false) AS broken,
           coalesce(pf.open_promise, false) AS open_promise,
           coalesce(pe.reachable_now, false) AS reachable_now,
           coalesce(pe.all_do_not_contact, false) AS all_do_not_contact,
           coalesce(pe.billing_contact, false) AS billing_contact,
           c.account_id IN (SELECT n.account_id FROM entries n
                    WHERE n.kind = 'NEWS'
                      AND n.category IN ({literals(FINANCIAL_NEWS)}) AND n.deleted_at IS NULL
                      AND ($3 OR n.visibility = 'ALL_TEAMS')
                      AND n.occurred_at > $2::timestamptz - interval '{NEWS_LOOKBACK_DAYS} days'
                      AND n.occurred_at <= $2::timestamptz) AS financial_news,
           EXISTS (SELECT 1 FROM entries d
                    WHERE d.account_id = c.account_id AND d.kind = 'DISPUTE' AND d.dispute_status = 'OPEN'
                      AND d.deleted_at IS NULL AND ($3 OR d.visibility = 'ALL_TEAMS')) AS open_dispute
      FROM candidates c
      LEFT JOIN promise_facts pf ON pf.account_id = c.account_id
      LEFT JOIN people_facts pe ON pe.account_id = c.account_id
),
ranked AS (
    SELECT f.*, {priority("f", news="f.financial_news", reachable="f.reachable_now")} AS priority
      FROM facts f
)
SELECT r.*, {
    ", ".join(
        f"a.{c} AS account_{c}"
        for c in (
            "id",
            "name",
            "status",
            "owner_id",
            "tags",
            "time_zone",
            "created_at",
            "updated_at",
            "version",
        )
    )
}
  FROM ranked r JOIN accounts a ON a.id = r.account_id
 WHERE $11::float8 IS NULL OR (r.priority, $13::uuid) < ($11::float8, r.account_id)
 ORDER BY r.priority DESC, r.account_id
 LIMIT $12
"""

# $1 as_of, $2 at, $3 sees RESTRICTED: every overdue account ranked from the entries.
QUEUE = f"WITH {day_facts()},{_INSTANT}"

# The same, for the accounts $14 only, their day's facts read from the receivables summary.
QUEUE_AMONG = f"""
WITH candidates AS MATERIALIZED (
    SELECT s.account_id, s.oldest_days, s.unpromised_days, s.share, s.log_amount, s.waiting, s.amounts,
           s.broken, s.open_promise
      FROM receivables_summary s
      JOIN receivables_summary_day d ON d.as_of = $1
     WHERE s.restricted = $3 AND s.account_id = ANY ($14::uuid[])
),
promise_facts AS (SELECT account_id, broken, open_promise FROM candidates),{_INSTANT}"""

# The day the receivables summary holds (null until the day pass has filled it).
DAY = "SELECT as_of FROM receivables_summary_day"

# The summary's accounts by falling `upper`, after the mark $3/$4; with a cursor $2, not those
# whose least priority ranks them before it (an earlier page showed them).
_WALK = """
SELECT account_id, upper FROM receivables_summary
 WHERE restricted = $1 AND ($2::float8 IS NULL OR lower <= $2::float8)
   AND ($3::float8 IS NULL OR upper < $3::float8 OR (upper = $3::float8 AND account_id > $4::uuid))
 ORDER BY upper DESC, account_id
 LIMIT $5
"""


@dataclass(frozen=True, slots=True)
class QueueFacts:
    """What the queue knows of one account; flags and reasons are derived from it in domain/."""

    account_id: UUID
    oldest_days: int
    owed: list[Owed]  # the currencies with overdue money
    broken_promise: bool
    open_promise: bool
    reachable_now: bool
    all_do_not_contact: bool
    billing_contact: bool
    financial_news: bool
    open_dispute: bool
    priority: float


async def queue(
    conn: asyncpg.Connection,
    *,
    as_of: date,
    at: datetime,
    restricted: bool,
    weights: Weights,
    after: tuple[float, UUID] | None,
    limit: int,
) -> list[tuple[QueueFacts, asyncpg.Record]]:
    """A page of accounts by falling priority, then id; `after` is the (priority, id) last seen.

    From the receivables summary when it holds `as_of` (the day the job keeps it
    at: today) and the weights are the documented ones; else every overdue
    account is ranked from the entries.
    """
    cursor = after or (None, None)
    params = (as_of, at, restricted, *astuple(weights), cursor[0], limit, cursor[1])
    if weights == WEIGHTS:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            if await conn.fetchval(DAY) == as_of:
                rows = await _walk(conn, params, restricted, after, limit)
                return [(_facts(row), row) for row in rows]
    return [(_facts(row), row) for row in await conn.fetch(QUEUE, *params)]


async def _walk(
    conn: asyncpg.Connection, params: tuple, restricted: bool, after: tuple[float, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Rank the summary's accounts a batch at a time down their upper bound, until none left can
    beat the page's last: the instant halves an unreachable account's priority (domain/priority.py),
    so the best of the day need not be the best now, but none can rank above its bound."""
    step = max(2 * limit, 100)
    page: list[asyncpg.Record] = []
    mark: tuple[float, UUID] | None = None
    while True:
        batch = await conn.fetch(
            _WALK, restricted, after and after[0], mark and mark[0], mark and mark[1], step
        )
        if batch:
            ranked = await conn.fetch(QUEUE_AMONG, *params, [row["account_id"] for row in batch])
            page = sorted([*page, *ranked], key=lambda row: (-row["priority"], row["account_id"]))[:limit]
        if len(batch) < step:
            return page
        mark = (batch[-1]["upper"], batch[-1]["account_id"])
        if len(page) == limit and mark[0] < page[-1]["priority"]:
            return page


def _facts(row: asyncpg.Record) -> QueueFacts:
    return QueueFacts(
        account_id=row["account_id"],
        oldest_days=row["oldest_days"],
        owed=[
            Owed(a["currency"], Decimal(a["overdue"]), Decimal(a["open"]), Decimal(a["unpromised"]))
            for a in row["amounts"] or []
        ],
        broken_promise=row["broken"],
        open_promise=row["open_promise"],
        reachable_now=row["reachable_now"],
        all_do_not_contact=row["all_do_not_contact"],
        billing_contact=row["billing_contact"],
        financial_news=row["financial_news"],
        open_dispute=row["open_dispute"],
        priority=row["priority"],
    )
