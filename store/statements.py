"""Statement links: the hash of a token, its account, expiry, revocation, views and write budget."""

from datetime import datetime
from uuid import UUID

import asyncpg


async def create_link(
    conn: asyncpg.Connection,
    account_id: UUID,
    contact_id: UUID | None,
    token_hash: bytes,
    expires_at: datetime,
    created_by: UUID | None,
) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO statement_links (account_id, contact_id, token_hash, expires_at, created_by)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING *",
        account_id,
        contact_id,
        token_hash,
        expires_at,
        created_by,
    )


async def links_of_accounts(conn: asyncpg.Connection, account_ids: list[UUID]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM statement_links WHERE account_id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC",
        account_ids,
    )


async def revoke(conn: asyncpg.Connection, link_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "UPDATE statement_links SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *",
        link_id,
    )


async def live_link(conn: asyncpg.Connection, token_hash: bytes, at: datetime) -> asyncpg.Record | None:
    """The link a token opens, if it is neither expired nor revoked; locked for its counters."""
    return await conn.fetchrow(
        "SELECT * FROM statement_links WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"
        " FOR NO KEY UPDATE",
        token_hash,
        at,
    )


async def count_view(conn: asyncpg.Connection, link: asyncpg.Record, at: datetime) -> None:
    await conn.execute(
        "UPDATE statement_links SET views = views + 1, last_viewed_at = $3 WHERE account_id = $1 AND id = $2",
        link["account_id"],
        link["id"],
        at,
    )


async def take_write(conn: asyncpg.Connection, link: asyncpg.Record, at: datetime, per_hour: int) -> bool:
    """One write from the page, if the link has any left this hour."""
    row = await conn.fetchrow(
        "UPDATE statement_links SET"
        "  writes = CASE WHEN writes_since IS NULL OR writes_since <= $3::timestamptz - interval '1 hour'"
        "           THEN 1 ELSE writes + 1 END,"
        "  writes_since = CASE WHEN writes_since IS NULL"
        "                       OR writes_since <= $3::timestamptz - interval '1 hour'"
        "                 THEN $3::timestamptz ELSE writes_since END"
        " WHERE account_id = $1 AND id = $2 RETURNING writes",
        link["account_id"],
        link["id"],
        at,
    )
    return row["writes"] <= per_hour


async def payment_plans(conn: asyncpg.Connection, account_id: UUID) -> list[asyncpg.Record]:
    """The account's payment plans every team may see, newest first."""
    return await conn.fetch(
        "SELECT id, currency, installments, occurred_at FROM entries WHERE account_id = $1"
        " AND kind = 'PAYMENT_PLAN' AND deleted_at IS NULL AND visibility = 'ALL_TEAMS'"
        " ORDER BY occurred_at DESC, id DESC",
        account_id,
    )


async def link_by_id(conn: asyncpg.Connection, link_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM statement_links WHERE id = $1", link_id)
