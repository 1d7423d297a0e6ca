"""The users an entry names; a mention stays once written (removing it later does not un-notify)."""

from uuid import UUID

import asyncpg

from store.sql import USER, columns, group_by


async def mentioned(conn: asyncpg.Connection, account_id: UUID, entry_id: UUID) -> set[UUID]:
    rows = await conn.fetch(
        "SELECT user_id FROM entry_mentions WHERE account_id = $1 AND entry_id = $2", account_id, entry_id
    )
    return {row["user_id"] for row in rows}


async def set_mentions(
    conn: asyncpg.Connection, account_id: UUID, entry_id: UUID, user_ids: list[UUID]
) -> None:
    """The entry names exactly `user_ids` from now on."""
    await conn.execute(
        "DELETE FROM entry_mentions"
        " WHERE account_id = $1 AND entry_id = $2 AND NOT user_id = ANY($3::uuid[])",
        account_id,
        entry_id,
        user_ids,
    )
    await conn.execute(
        "INSERT INTO entry_mentions (account_id, entry_id, user_id)"
        " SELECT $1, $2, u FROM unnest($3::uuid[]) u"
        " ON CONFLICT DO NOTHING",
        account_id,
        entry_id,
        user_ids,
    )


async def mentions_of_entries(conn: asyncpg.Connection, entry_ids: list[UUID]) -> dict[UUID, list]:
    rows = await conn.fetch(
        f"SELECT m.entry_id, {columns('u', USER)} FROM entry_mentions m JOIN users u ON u.id = m.user_id"
        " WHERE m.entry_id = ANY($1::uuid[]) ORDER BY m.entry_id, lower(u.name), u.id",
        entry_ids,
    )
    return group_by(rows, "entry_id")
