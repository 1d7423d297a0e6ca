"""Accounts and their external references."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from store.sql import ACCOUNT, columns

_SELECT = f"SELECT {columns('a', ACCOUNT)} FROM accounts a"
_UPDATABLE = ("name", "status", "owner_id", "tags", "time_zone")


@dataclass(frozen=True, slots=True)
class AccountFilter:
    statuses: list[str] | None = None
    tags: list[str] | None = None
    owner_id: UUID | None = None
    name_contains: str | None = None


async def accounts_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(f"{_SELECT} WHERE a.id = ANY($1::uuid[])", ids)
    return {row["id"]: row for row in rows}


async def account_by_ref(conn: asyncpg.Connection, system: str, external_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"{_SELECT} JOIN account_refs r ON r.account_id = a.id WHERE r.system = $1 AND r.external_id = $2",
        system,
        external_id,
    )


async def any_accounts(conn: asyncpg.Connection) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM accounts)")


async def account_ids_by_refs(
    conn: asyncpg.Connection, refs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], UUID]:
    """The accounts these (system, external id) refs name, in one round trip; unknown refs are absent."""
    wanted = list(set(refs))
    rows = await conn.fetch(
        "SELECT r.system, r.external_id, r.account_id FROM account_refs r"
        " JOIN unnest($1::text[], $2::text[]) AS t(s, e) ON r.system = t.s AND r.external_id = t.e",
        [s for s, _ in wanted],
        [e for _, e in wanted],
    )
    return {(row["system"], row["external_id"]): row["account_id"] for row in rows}


async def refs_by_account(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, list[tuple[str, str]]]:
    rows = await conn.fetch(
        "SELECT account_id, system, external_id FROM account_refs WHERE account_id = ANY($1::uuid[])"
        " ORDER BY system, external_id",
        ids,
    )
    refs: dict[UUID, list[tuple[str, str]]] = {}
    for row in rows:
        refs.setdefault(row["account_id"], []).append((row["system"], row["external_id"]))
    return refs


def name_pattern(contains: str | None) -> str | None:
    """The ILIKE pattern of a name filter, its wildcards escaped; None when there is nothing to find."""
    if not contains:
        return None
    escaped = contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_accounts(
    conn: asyncpg.Connection, where: AccountFilter, after: tuple[str, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Ordered by lower(name), then id; `after` is the (sort_key, id) of the last row seen."""
    pattern = name_pattern(where.name_contains)
    return await conn.fetch(
        f"""
        SELECT {columns("a", ACCOUNT)}, lower(a.name) AS sort_key FROM accounts a
         WHERE ($1::text[] IS NULL OR a.status = ANY($1))
           AND ($2::text[] IS NULL OR a.tags && $2)
           AND ($3::uuid IS NULL OR a.owner_id = $3)
           AND ($4::text IS NULL OR a.name ILIKE $4)
           AND ($5::text IS NULL OR (lower(a.name), a.id) > ($5, $6::uuid))
         ORDER BY lower(a.name), a.id
         LIMIT $7
        """,
        where.statuses,
        where.tags,
        where.owner_id,
        pattern,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def create_account(
    conn: asyncpg.Connection,
    *,
    name: str,
    status: str,
    owner_id: UUID | None,
    tags: list[str],
    time_zone: str,
) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO accounts (name, status, owner_id, tags, time_zone) VALUES ($1, $2, $3, $4, $5)"
        f" RETURNING {', '.join(ACCOUNT)}",
        name,
        status,
        owner_id,
        tags,
        time_zone,
    )


async def taken_refs(conn: asyncpg.Connection, refs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (system, external id) refs already name an account."""
    return set(await account_ids_by_refs(conn, refs))


async def add_refs(conn: asyncpg.Connection, account_id: UUID, refs: list[tuple[str, str]]) -> None:
    """Attach external refs; a ref repeated in `refs` is added once.

    No ON CONFLICT: a ref taken meanwhile by a concurrent, not yet committed
    writer raises a unique violation, so the writer's transaction is retried
    and then sees the ref as taken (it would otherwise commit without it).
    """
    unique_refs = list(dict.fromkeys(refs))
    await conn.execute(
        "INSERT INTO account_refs (system, external_id, account_id)"
        " SELECT s, e, $3 FROM unnest($1::text[], $2::text[]) AS t(s, e)",
        [s for s, _ in unique_refs],
        [e for _, e in unique_refs],
        account_id,
    )


async def lock_account(conn: asyncpg.Connection, account_id: UUID) -> asyncpg.Record | None:
    """The account as it is now, locked until the transaction ends (None if there is none)."""
    return await conn.fetchrow(f"{_SELECT} WHERE a.id = $1 FOR NO KEY UPDATE", account_id)


async def lock_accounts_by_refs(
    conn: asyncpg.Connection, refs: list[tuple[str, str]]
) -> dict[tuple[str, str], asyncpg.Record]:
    """The accounts these refs name, locked in id order so concurrent writers queue, not deadlock."""
    rows = await conn.fetch(
        f"SELECT r.system, r.external_id, {columns('a', ACCOUNT)}"
        " FROM account_refs r JOIN accounts a ON a.id = r.account_id"
        " JOIN unnest($1::text[], $2::text[]) AS t(s, e) ON r.system = t.s AND r.external_id = t.e"
        " ORDER BY a.id FOR NO KEY UPDATE OF a",
        [s for s, _ in refs],
        [e for _, e in refs],
    )
    return {(row["system"], row["external_id"]): row for row in rows}


async def update_account(
    conn: asyncpg.Connection, account_id: UUID, expected_version: int, changes: dict
) -> asyncpg.Record:
    """Apply changes to the account at expected_version (locked by lock_account); returns the new row."""
    assignments = [f"{name} = ${i}" for i, name in enumerate(changes, start=3) if name in _UPDATABLE]
    return await conn.fetchrow(
        f"UPDATE accounts SET {', '.join([*assignments, 'version = version + 1', 'updated_at = now()'])}"
        f" WHERE id = $1 AND version = $2 RETURNING {', '.join(ACCOUNT)}",
        account_id,
        expected_version,
        *changes.values(),
    )
