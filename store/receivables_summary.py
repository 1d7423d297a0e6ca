"""The receivables summary: the queue's ranking facts per account for one day, kept current.

Two kinds of change move those facts. A write (invoices, payments, promises,
disputes, news, and edits of them) calls `refresh` for the accounts it touched,
in its own transaction; the calendar alone (an invoice falling due, a promise
breaking, a lookback expiring) is `move_day`'s, run by a job once the UTC date
turns. Both run the queue's own SQL (store/collections.py's `day_facts`), so
the summary cannot rank by other rules than the queue. The day row serialises
the two: a writer reads it FOR SHARE, the job rewrites every row under FOR UPDATE.
Whatever writes those tables outside services/ (the bench seed's COPY, a test
back-dating a promise) must refresh the summary itself, or the queue for the
summary's day answers from stale facts.
"""

from collections.abc import Iterable
from dataclasses import astuple
from datetime import date
from uuid import UUID

import asyncpg

from domain.entries import EntryKind
from domain.priority import WEIGHTS
from domain.risk import FINANCIAL_NEWS, NEWS_LOOKBACK_DAYS
from store.collections import DAY, day_facts, priority
from store.sql import literals

# The entries whose writes can change an account's facts; other kinds need no refresh.
KINDS = frozenset({EntryKind.NEWS, EntryKind.PROMISE_TO_PAY, EntryKind.DISPUTE, EntryKind.PAYMENT})
# Any of an account's ids may be locked by a writer at once; this keeps their advisory keys apart.
_LOCK_SPACE = 16


def _refresh(scope: str) -> str:
    """$1 the day, $2 the accounts (null: all), $3 the audience, $4-$10 the weights.

    News counts if it falls in the lookback of any instant of the day, so `upper`
    bounds the priority at every instant the queue may judge the day at.
    """
    return f"""
WITH {day_facts(scope)},
summary AS (
    SELECT c.*, coalesce(pf.broken, false) AS broken, coalesce(pf.open_promise, false) AS open_promise,
           EXISTS (SELECT 1 FROM entries n
                    WHERE n.account_id = c.account_id AND n.kind = 'NEWS'
                      AND n.category IN ({literals(FINANCIAL_NEWS)}) AND n.deleted_at IS NULL
                      AND ($3 OR n.visibility = 'ALL_TEAMS')
                      AND n.occurred_at > ($1::date)::timestamp AT TIME ZONE 'UTC'
                                          - interval '{NEWS_LOOKBACK_DAYS} days'
                      AND n.occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC') AS news
      FROM candidates c
      LEFT JOIN promise_facts pf ON pf.account_id = c.account_id
),
gone AS (
    DELETE FROM receivables_summary s
     WHERE s.restricted = $3 AND ($2::uuid[] IS NULL OR s.account_id = ANY ($2::uuid[]))
       AND NOT EXISTS (SELECT 1 FROM summary m WHERE m.account_id = s.account_id)
)
INSERT INTO receivables_summary AS s
       (account_id, restricted, oldest_days, unpromised_days, share, log_amount, waiting, amounts,
        broken, open_promise, news, upper, lower)
SELECT m.account_id, $3, m.oldest_days, m.unpromised_days, m.share, m.log_amount, m.waiting, m.amounts,
       m.broken, m.open_promise, m.news,
       {priority("m", news="m.news", reachable="true")},
       {priority("m", news="false", reachable="false")}
  FROM summary m
    ON CONFLICT (account_id, restricted) DO UPDATE
   SET oldest_days = EXCLUDED.oldest_days, unpromised_days = EXCLUDED.unpromised_days,
       share = EXCLUDED.share, log_amount = EXCLUDED.log_amount, waiting = EXCLUDED.waiting,
       amounts = EXCLUDED.amounts, broken = EXCLUDED.broken, open_promise = EXCLUDED.open_promise,
       news = EXCLUDED.news, upper = EXCLUDED.upper, lower = EXCLUDED.lower
"""


REFRESH_SOME = _refresh(" AND i.account_id = ANY ($2::uuid[])")
REFRESH_ALL = _refresh("")

# A writer's facts must include every write committed before its own refresh: two writers of one
# account take turns (advisory locks in key order, so batches never deadlock), and the second's
# statement, started after the first committed, sees both.
_LOCK = f"""
SELECT pg_advisory_xact_lock({_LOCK_SPACE}, k)
  FROM (SELECT DISTINCT hashtext(a::text) AS k FROM unnest($1::uuid[]) AS a ORDER BY 1) AS keys
"""


async def refresh(conn: asyncpg.Connection, account_ids: Iterable[UUID]) -> None:
    """Recompute the touched accounts' rows for the summary's day, in the caller's transaction."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    day = await conn.fetchval(f"{DAY} FOR SHARE")
    if day is None:
        return  # never filled: the queue ranks from the entries until move_day fills it
    await conn.execute(_LOCK, ids)
    # Planned for these ids each time: a cached generic plan for "any of $2" misjudged a batch of
    # 1,000 accounts (1.8 s instead of 0.2 s) after its first few runs.
    statement = await conn.prepare(REFRESH_SOME)
    for restricted in (False, True):
        await statement.fetch(day, ids, restricted, *astuple(WEIGHTS))


async def move_day(conn: asyncpg.Connection, today: date) -> bool:
    """Every account's rows recomputed for `today`, if the summary holds another day; whether it did.

    One transaction: the queue sees the old day's summary or the new one, never
    a mix, and writers wait for it (about a second on 10,000 accounts).
    """
    async with conn.transaction():
        if await conn.fetchval(f"{DAY} FOR UPDATE") == today:
            return False
        for restricted in (False, True):
            await conn.execute(REFRESH_ALL, today, None, restricted, *astuple(WEIGHTS))
        await conn.execute("UPDATE receivables_summary_day SET as_of = $1", today)
    return True
