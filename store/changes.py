"""What every mutation writes beside its rows, in the same transaction.

An audit row (who did what, when, to which ids), outbox rows that tell the
index worker what to refresh, and a NOTIFY that wakes live subscribers; the
notification is delivered only when the transaction commits.
"""

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from store import events

NOTIFY_CHANNEL = "rapport_timeline"
# Outbox entity type for "this account's name changed": every document of the
# account carries the name, so the index worker refreshes them all.
RENAMED_ACCOUNT = "account_name"
# A change queueing more outbox rows than this (an invoice feed, an import) is bulk: the
# index worker takes the rows of live writes first (store/outbox.py).
BULK_ROWS = 50


async def audit(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID | None,
    action: str,
    entity_type: str,
    entity_id: UUID | None,
    account_id: UUID | None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (account_id, actor_id, action, entity_type, entity_id, before, after)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        account_id,
        actor_id,
        action,
        entity_type,
        entity_id,
        before,
        after,
    )


async def audit_many(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID | None,
    action: str,
    entity_type: str,
    items: Iterable[tuple[UUID, UUID]],
) -> None:
    """One audit row per (account_id, entity_id) of a bulk change."""
    pairs = list(items)
    if pairs:
        await conn.execute(
            "INSERT INTO audit_log (account_id, actor_id, action, entity_type, entity_id)"
            " SELECT a, $3, $4, $5, e FROM unnest($1::uuid[], $2::uuid[]) AS t(a, e)",
            [a for a, _ in pairs],
            [e for _, e in pairs],
            actor_id,
            action,
            entity_type,
        )


async def enqueue(
    conn: asyncpg.Connection,
    entity_type: str,
    items: Iterable[tuple[UUID, UUID]],
    op: str = "upsert",
) -> None:
    """Outbox rows for (account_id, entity_id) pairs of one entity type.

    Entries also go to the timeline event log that live subscriptions read:
    every path that changes an entry passes here, so none can skip it.
    """
    pairs = list(items)
    if not pairs:
        return
    if entity_type == "entry":
        await events.append(conn, pairs, op)
    await conn.execute(
        "INSERT INTO outbox (account_id, entity_type, entity_id, op, bulk)"
        " SELECT a, $3, e, $4, $5 FROM unnest($1::uuid[], $2::uuid[]) AS t(a, e)",
        [a for a, _ in pairs],
        [e for _, e in pairs],
        entity_type,
        op,
        len(pairs) > BULK_ROWS,
    )


async def record(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID | None,
    action: str,
    entity_type: str,
    account_id: UUID,
    entity_id: UUID,
    before: dict | None = None,
    after: dict | None = None,
    op: str = "upsert",
) -> None:
    """All three for one changed entity: its audit row, its outbox row, the wake-up."""
    await audit(
        conn,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        account_id=account_id,
        before=before,
        after=after,
    )
    await enqueue(conn, entity_type, [(account_id, entity_id)], op)
    await notify(conn, [account_id])


async def notify(conn: asyncpg.Connection, account_ids: Iterable[UUID]) -> None:
    ids = sorted({str(a) for a in account_ids})
    if ids:
        await conn.execute("SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id", NOTIFY_CHANNEL, ids)
