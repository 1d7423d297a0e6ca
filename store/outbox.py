"""The outbox as the index worker sees it: claim, finish, retry, report.

Rows are claimed with FOR UPDATE SKIP LOCKED inside the worker's transaction,
so several workers share the outbox without taking the same row twice, and a
worker that dies releases its rows by ending its transaction. Rows are live
(a note, an edit) or bulk (queued many at once: a feed, an import, a reindex's
catch-up); live rows are claimed first.
"""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

# A row that failed this often is reported as failing (it is still retried).
FAILING_ATTEMPTS = 5


_CLAIM = """
SELECT id, account_id, entity_type, entity_id, op, attempts
  FROM outbox
 WHERE done_at IS NULL AND {lane} AND next_attempt_at <= now()
 ORDER BY id
 LIMIT $1
   FOR UPDATE SKIP LOCKED
"""
_CLAIM_LIVE = _CLAIM.format(lane="NOT bulk")
_CLAIM_BULK = _CLAIM.format(lane="bulk")


async def claim(conn: asyncpg.Connection, limit: int, live_limit: int) -> list[asyncpg.Record]:
    """Live rows first: a round with any carries at most `live_limit` rows, else `limit` bulk rows.

    Live rows are never queued behind a backlog of bulk ones; a live round is filled
    up with bulk rows, so a backlog still drains while live writes keep coming.
    """
    live = await conn.fetch(_CLAIM_LIVE, live_limit)
    room = (live_limit if live else limit) - len(live)
    if room <= 0:
        return live
    return [*live, *await conn.fetch(_CLAIM_BULK, room)]


async def finish(conn: asyncpg.Connection, ids: list[int]) -> None:
    await conn.execute(
        "UPDATE outbox SET done_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])", ids
    )


async def retry_later(conn: asyncpg.Connection, ids: list[int], error: str, cap_seconds: int) -> None:
    """Exponential backoff per row, 2^attempts seconds up to the cap; never dropped."""
    await conn.execute(
        """
        UPDATE outbox
           SET attempts = attempts + 1,
               last_error = $2,
               next_attempt_at = now() + least(power(2, attempts + 1), $3) * interval '1 second'
         WHERE id = ANY($1::bigint[])
        """,
        ids,
        error[:2000],
        cap_seconds,
    )


async def last_id(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")


async def requeue_since(conn: asyncpg.Connection, after_id: int) -> int:
    """Queue again every entity changed after outbox row `after_id`, as bulk rows; returns how many."""
    status = await conn.execute(
        """
        INSERT INTO outbox (account_id, entity_type, entity_id, op, bulk)
        SELECT DISTINCT ON (entity_type, entity_id) account_id, entity_type, entity_id, op, true
          FROM outbox WHERE id > $1
         ORDER BY entity_type, entity_id, id DESC
        """,
        after_id,
    )
    return int(status.split()[-1])


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    oldest_pending_at: datetime | None
    failing: int
    last_error: str | None


async def status(conn: asyncpg.Connection) -> OutboxStatus:
    row = await conn.fetchrow(
        """
        SELECT count(*) AS pending,
               min(created_at) AS oldest,
               count(*) FILTER (WHERE attempts >= $1) AS failing,
               (SELECT last_error FROM outbox WHERE done_at IS NULL AND last_error IS NOT NULL
                 ORDER BY id DESC LIMIT 1) AS last_error
          FROM outbox WHERE done_at IS NULL
        """,
        FAILING_ATTEMPTS,
    )
    return OutboxStatus(row["pending"], row["oldest"], row["failing"], row["last_error"])
