"""Accounts and their external references."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from domain.validation import Problem, Rejected, conflict, not_found
from store import changes
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


async def list_accounts(
    conn: asyncpg.Connection, where: AccountFilter, after: tuple[str, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Ordered by lower(name), then id; `after` is the (sort_key, id) of the last row seen."""
    pattern = None
    if where.name_contains:
        escaped = where.name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
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


async def add_refs(
    conn: asyncpg.Connection, account_id: UUID, refs: list[tuple[str, str]], path: tuple[str, ...]
) -> None:
    """Attach external refs; a ref that already names another account is a CONFLICT."""
    if not refs:
        return
    taken = await conn.fetch(
        "SELECT system, external_id FROM account_refs r"
        " JOIN unnest($1::text[], $2::text[]) AS t(s, e) ON r.system = t.s AND r.external_id = t.e",
        [s for s, _ in refs],
        [e for _, e in refs],
    )
    if taken:
        used = {(row["system"], row["external_id"]) for row in taken}
        raise Rejected(
            *[
                Problem((*path, str(i)), f"external ref {s}:{e} already names an account.", "CONFLICT")
                for i, (s, e) in enumerate(refs)
                if (s, e) in used
            ]
        )
    # No ON CONFLICT here: a ref taken by a concurrent, not yet committed request must raise
    # a unique violation, so the mutation is retried and then answers CONFLICT (it would
    # otherwise commit the account without its ref). A ref repeated in the input is added once.
    unique_refs = list(dict.fromkeys(refs))
    await conn.execute(
        "INSERT INTO account_refs (system, external_id, account_id)"
        " SELECT s, e, $3 FROM unnest($1::text[], $2::text[]) AS t(s, e)",
        [s for s, _ in unique_refs],
        [e for _, e in unique_refs],
        account_id,
    )


async def update_account(
    conn: asyncpg.Connection, account_id: UUID, expected_version: int, changes: dict
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """Apply changes if the account is still at expected_version; returns (before, after)."""
    before = await conn.fetchrow(f"{_SELECT} WHERE a.id = $1 FOR NO KEY UPDATE", account_id)
    if before is None:
        raise not_found(("input", "id"), "account")
    if before["version"] != expected_version:
        raise conflict(
            f"the account is at version {before['version']}, not {expected_version}: "
            "reload it and apply your change again.",
            ("input", "expectedVersion"),
        )
    assignments = [f"{name} = ${i}" for i, name in enumerate(changes, start=3) if name in _UPDATABLE]
    after = await conn.fetchrow(
        f"UPDATE accounts SET {', '.join([*assignments, 'version = version + 1', 'updated_at = now()'])}"
        f" WHERE id = $1 AND version = $2 RETURNING {', '.join(ACCOUNT)}",
        account_id,
        expected_version,
        *changes.values(),
    )
    return before, after


@dataclass(frozen=True, slots=True)
class AccountUpsert:
    system: str
    external_id: str
    name: str
    tags: list[str] | None
    time_zone: str | None
    status: str | None


async def upsert_accounts(
    conn: asyncpg.Connection, items: list[AccountUpsert]
) -> tuple[list[tuple[asyncpg.Record, str]], list[UUID]]:
    """Create or update accounts keyed by external ref.

    Returns each item's account with 'created', 'updated' or 'unchanged', the
    ids whose rows changed, and the ids whose name changed. Existing rows are locked first, so a concurrent
    upsert of the same accounts waits and then sees this one's result.
    """
    existing = {
        (row["system"], row["external_id"]): row
        for row in await conn.fetch(
            f"SELECT r.system, r.external_id, {columns('a', ACCOUNT)}"
            " FROM account_refs r JOIN accounts a ON a.id = r.account_id"
            " JOIN unnest($1::text[], $2::text[]) AS t(s, e) ON r.system = t.s AND r.external_id = t.e"
            " ORDER BY a.id FOR NO KEY UPDATE OF a",
            [i.system for i in items],
            [i.external_id for i in items],
        )
    }
    results: list[tuple[asyncpg.Record, str]] = []
    changed: list[UUID] = []
    renamed: list[UUID] = []
    for item in items:
        row = existing.get((item.system, item.external_id))
        if row is None:
            row = await create_account(
                conn,
                name=item.name,
                status=item.status or "ACTIVE",
                owner_id=None,
                tags=item.tags or [],
                time_zone=item.time_zone or "UTC",
            )
            await conn.execute(
                "INSERT INTO account_refs (system, external_id, account_id) VALUES ($1, $2, $3)",
                item.system,
                item.external_id,
                row["id"],
            )
            existing[(item.system, item.external_id)] = row
            results.append((row, "created"))
            changed.append(row["id"])
            continue
        wanted = {
            "name": item.name,
            "tags": item.tags if item.tags is not None else row["tags"],
            "time_zone": item.time_zone or row["time_zone"],
            "status": item.status or row["status"],
        }
        if all(row[k] == v for k, v in wanted.items()):
            results.append((row, "unchanged"))
            continue
        if wanted["name"] != row["name"]:
            renamed.append(row["id"])
        _, row = await update_account(conn, row["id"], row["version"], wanted)
        # Every ref of this account now sees the new row (and version), so a later item
        # naming the same account by another ref applies on top of this one.
        for ref, seen in existing.items():
            if seen["id"] == row["id"]:
                existing[ref] = row
        results.append((row, "updated"))
        changed.append(row["id"])
    return results, changed, renamed


async def record_changes(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID | None,
    action: str,
    account_ids: list[UUID],
    before: dict | None = None,
    after: dict | None = None,
    renamed: list[UUID] | None = None,
) -> None:
    """Audit, outbox and wake-up for changed accounts; a renamed one refreshes all its documents."""
    if before is None and after is None:
        await changes.audit_many(
            conn, actor_id=actor_id, action=action, entity_type="account", items=[(a, a) for a in account_ids]
        )
    else:
        for account_id in account_ids:
            await changes.audit(
                conn,
                actor_id=actor_id,
                action=action,
                entity_type="account",
                entity_id=account_id,
                account_id=account_id,
                before=before,
                after=after,
            )
    await changes.enqueue(conn, "account", [(a, a) for a in account_ids])
    await changes.enqueue(conn, changes.RENAMED_ACCOUNT, [(a, a) for a in renamed or []])
    await changes.notify(conn, account_ids)
