"""Reading the audit log: who did what to an account, and when, newest first.

Every change writes its audit row with its other rows (store/changes.py); this reads them back.
"""

from uuid import UUID

import asyncpg

from store.sql import USER, columns


async def audit_page(
    conn: asyncpg.Connection, account_id: UUID, after: int | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""
        SELECT l.id, l.at, l.action, l.entity_type, l.entity_id, l.before, l.after, l.actor_id,
               {columns("u", USER, "actor_")}
          FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id
         WHERE l.account_id = $1 AND ($2::bigint IS NULL OR l.id < $2)
         ORDER BY l.id DESC
         LIMIT $3
        """,
        account_id,
        after,
        limit,
    )
