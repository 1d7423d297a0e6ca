"""Inbox items: numbered per user, written in the transaction of the entry they are about.

The number is taken by updating the user's row, so items commit in the order of
their numbers and a live subscriber reading from its cursor never misses one
(the same scheme as store/events.py for timelines).
"""

from collections.abc import Mapping
from uuid import UUID

import asyncpg

from store.changes import NOTIFY_CHANNEL
from store.entries import ENTRY_SELECT

INBOX_PREFIX = "inbox:"  # a NOTIFY payload naming a user's inbox rather than an account


async def add_items(
    conn: asyncpg.Connection, account_id: UUID, entry_id: UUID, reasons: Mapping[UUID, str]
) -> list[UUID]:
    """An item per user for the entry, unless they already have one for it; returns who got one.

    Users are locked in id order, so concurrent writers cannot deadlock on them.
    """
    wanted = sorted(reasons)
    if not wanted:
        return []
    await conn.execute("SELECT 1 FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE", wanted)
    rows = await conn.fetch(
        """
        WITH fresh AS (
            SELECT t.user_id, t.reason FROM unnest($1::uuid[], $2::text[]) AS t(user_id, reason)
             WHERE NOT EXISTS (SELECT 1 FROM inbox_items i WHERE i.user_id = t.user_id AND i.entry_id = $4
                                  AND (i.reason = 'PROMISE_BROKEN') = (t.reason = 'PROMISE_BROKEN'))
        ), numbered AS (
            UPDATE users u SET inbox_seq = u.inbox_seq + 1 FROM fresh WHERE u.id = fresh.user_id
            RETURNING u.id, u.inbox_seq, fresh.reason
        )
        INSERT INTO inbox_items (user_id, seq, account_id, entry_id, reason,
                                 entry_visibility, entry_deleted_at)
        SELECT n.id, n.inbox_seq, $3, $4, n.reason, e.visibility, e.deleted_at
          FROM numbered n JOIN entries e ON e.account_id = $3 AND e.id = $4
        RETURNING user_id
        """,
        wanted,
        [reasons[u] for u in wanted],
        account_id,
        entry_id,
    )
    notified = [row["user_id"] for row in rows]
    if notified:
        await conn.execute(
            "SELECT pg_notify($1, $2 || u::text) FROM unnest($3::uuid[]) AS u",
            NOTIFY_CHANNEL,
            INBOX_PREFIX,
            sorted(notified),
        )
    return notified


# Items whose entry the reader may see: the entry's visibility and deletion are copied onto its items
# (migration 0011), so neither the count nor a page joins entries to leave the rest out.
_VISIBLE = "i.user_id = $1 AND i.entry_deleted_at IS NULL AND ($2 OR i.entry_visibility = 'ALL_TEAMS')"


async def page(
    conn: asyncpg.Connection,
    user_id: UUID,
    *,
    restricted: bool,
    unread_only: bool,
    before: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first by number, each item (columns `item_*`) with its entry as ENTRY_SELECT reads it;
    `before` is the last number seen."""
    return await conn.fetch(
        f"""
        WITH items AS (
            SELECT i.id AS item_id, i.seq AS item_seq, i.reason AS item_reason,
                   i.created_at AS item_created_at, i.read_at AS item_read_at,
                   i.account_id AS item_account_id, i.entry_id AS item_entry_id
              FROM inbox_items i
             WHERE {_VISIBLE} AND (NOT $3 OR i.read_at IS NULL) AND ($4::bigint IS NULL OR i.seq < $4)
             ORDER BY i.seq DESC
             LIMIT $5
        )
        SELECT items.*, entry.*
          FROM items
          JOIN LATERAL ({ENTRY_SELECT}
                         WHERE e.account_id = items.item_account_id AND e.id = items.item_entry_id) AS entry
            ON true
         ORDER BY items.item_seq DESC
        """,
        user_id,
        restricted,
        unread_only,
        before,
        limit,
    )


async def item(
    conn: asyncpg.Connection, user_id: UUID, item_id: UUID, *, restricted: bool
) -> asyncpg.Record | None:
    """One of the user's items; None if it is someone else's or its entry is gone or hidden."""
    return await conn.fetchrow(
        f"SELECT i.* FROM inbox_items i WHERE {_VISIBLE} AND i.id = $3", user_id, restricted, item_id
    )


async def unread_count(conn: asyncpg.Connection, user_id: UUID, *, restricted: bool) -> int:
    return await conn.fetchval(
        f"SELECT count(*) FROM inbox_items i WHERE {_VISIBLE} AND i.read_at IS NULL", user_id, restricted
    )


async def owners_of_items(conn: asyncpg.Connection, item_ids: list[UUID]) -> dict[UUID, UUID]:
    rows = await conn.fetch("SELECT id, user_id FROM inbox_items WHERE id = ANY($1::uuid[])", item_ids)
    return {row["id"]: row["user_id"] for row in rows}


async def mark_read(conn: asyncpg.Connection, user_id: UUID, item_ids: list[UUID] | None) -> int:
    """Mark the user's unread items read (the given ones, or all); how many changed."""
    status = await conn.execute(
        "UPDATE inbox_items SET read_at = now()"
        " WHERE user_id = $1 AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))",
        user_id,
        item_ids,
    )
    return int(status.split()[-1])


async def latest(conn: asyncpg.Connection, user_id: UUID) -> int:
    return await conn.fetchval("SELECT inbox_seq FROM users WHERE id = $1", user_id) or 0


async def since(conn: asyncpg.Connection, user_id: UUID, after: int, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM inbox_items WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        user_id,
        after,
        limit,
    )
