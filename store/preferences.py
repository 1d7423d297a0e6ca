"""Account preferences: how a customer likes to be dealt with, one value per key."""

from uuid import UUID

import asyncpg

from store.sql import group_by


async def preferences_of_accounts(
    conn: asyncpg.Connection, account_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        "SELECT * FROM preferences WHERE account_id = ANY($1::uuid[]) ORDER BY key", account_ids
    )
    return group_by(rows, "account_id")


async def set_preference(
    conn: asyncpg.Connection,
    account_id: UUID,
    key: str,
    value: str,
    note: str | None,
    user_id: UUID,
) -> asyncpg.Record | None:
    """Set a preference; returns the previous one, if any."""
    before = await conn.fetchrow(
        "SELECT * FROM preferences WHERE account_id = $1 AND key = $2 FOR UPDATE", account_id, key
    )
    await conn.execute(
        "INSERT INTO preferences (account_id, key, value, note, set_by, set_at)"
        " VALUES ($1, $2, $3, $4, $5, now())"
        " ON CONFLICT (account_id, key) DO UPDATE"
        " SET value = EXCLUDED.value, note = EXCLUDED.note, set_by = EXCLUDED.set_by, set_at = now()",
        account_id,
        key,
        value,
        note,
        user_id,
    )
    return before


async def remove_preference(conn: asyncpg.Connection, account_id: UUID, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "DELETE FROM preferences WHERE account_id = $1 AND key = $2 RETURNING *", account_id, key
    )
