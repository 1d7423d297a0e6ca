"""The timeline event log: numbered per account, read by cursor by live subscriptions."""

from collections.abc import Iterable
from uuid import UUID

import asyncpg


async def append(conn: asyncpg.Connection, items: Iterable[tuple[UUID, UUID]], op: str) -> None:
    """Number and store events for (account_id, entry_id) pairs, in the caller's transaction.

    Accounts are numbered in id order, so concurrent writers touching several
    accounts lock them in the same order and cannot deadlock.
    """
    by_account: dict[UUID, list[UUID]] = {}
    for account_id, entry_id in items:
        by_account.setdefault(account_id, []).append(entry_id)
    if not by_account:
        return
    accounts = sorted(by_account)
    counts = [len(by_account[a]) for a in accounts]
    await conn.execute(
        "SELECT 1 FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE", accounts
    )
    tops = await conn.fetch(
        "UPDATE accounts a SET event_seq = a.event_seq + t.n"
        " FROM unnest($1::uuid[], $2::int[]) AS t(id, n) WHERE a.id = t.id RETURNING a.id, a.event_seq",
        accounts,
        counts,
    )
    top = {row["id"]: row["event_seq"] for row in tops}
    rows = [
        (account_id, top[account_id] - len(entries) + 1 + i, entry_id, op)
        for account_id, entries in by_account.items()
        for i, entry_id in enumerate(entries)
    ]
    await conn.copy_records_to_table(
        "timeline_events", records=rows, columns=["account_id", "seq", "entry_id", "op"]
    )


async def latest(conn: asyncpg.Connection, account_id: UUID) -> int:
    return await conn.fetchval("SELECT event_seq FROM accounts WHERE id = $1", account_id) or 0


async def since(conn: asyncpg.Connection, account_id: UUID, after: int, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT seq, entry_id, op FROM timeline_events"
        " WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        account_id,
        after,
        limit,
    )
