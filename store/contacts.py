"""Contacts and their contact windows."""

from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

import asyncpg

from domain.validation import conflict, not_found
from store import changes
from store.sql import CONTACT, columns, group_by

# A contact's time zone is its own, else its account's.
_SELECT = (
    f"SELECT {columns('c', CONTACT)}, coalesce(c.time_zone, a.time_zone) AS effective_time_zone"
    " FROM contacts c JOIN accounts a ON a.id = c.account_id"
)
_UPDATABLE = (
    "name",
    "title",
    "roles",
    "email",
    "phone",
    "preferred_channel",
    "time_zone",
    "language",
    "do_not_contact",
)


@dataclass(frozen=True, slots=True)
class Window:
    kind: str
    days_of_week: list[str] | None
    weeks_of_month: list[int] | None
    start_time: time | None
    end_time: time | None
    from_date: date | None
    until_date: date | None
    note: str | None


async def contacts_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(f"{_SELECT} WHERE c.id = ANY($1::uuid[])", ids)
    return {row["id"]: row for row in rows}


async def contacts_of_accounts(
    conn: asyncpg.Connection, account_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        f"{_SELECT} WHERE c.account_id = ANY($1::uuid[]) ORDER BY lower(c.name), c.id", account_ids
    )
    return group_by(rows, "account_id")


async def windows_of_contacts(
    conn: asyncpg.Connection, contact_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        "SELECT * FROM contact_windows WHERE contact_id = ANY($1::uuid[]) ORDER BY contact_id, position",
        contact_ids,
    )
    return group_by(rows, "contact_id")


async def _replace_windows(
    conn: asyncpg.Connection, account_id: UUID, contact_id: UUID, windows: list[Window]
) -> None:
    await conn.execute(
        "DELETE FROM contact_windows WHERE account_id = $1 AND contact_id = $2",
        account_id,
        contact_id,
    )
    await conn.executemany(
        "INSERT INTO contact_windows (account_id, contact_id, position, kind, days_of_week,"
        " weeks_of_month, start_time, end_time, from_date, until_date, note)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        [
            (
                account_id,
                contact_id,
                position,
                w.kind,
                w.days_of_week,
                w.weeks_of_month,
                w.start_time,
                w.end_time,
                w.from_date,
                w.until_date,
                w.note,
            )
            for position, w in enumerate(windows)
        ],
    )


async def create_contact(
    conn: asyncpg.Connection, account_id: UUID, fields: dict, windows: list[Window]
) -> asyncpg.Record:
    names = [name for name in fields if name in _UPDATABLE]
    contact_id = await conn.fetchval(
        f"INSERT INTO contacts (account_id, {', '.join(names)})"
        f" VALUES ($1, {', '.join(f'${i}' for i in range(2, len(names) + 2))}) RETURNING id",
        account_id,
        *(fields[name] for name in names),
    )
    await _replace_windows(conn, account_id, contact_id, windows)
    return (await contacts_by_ids(conn, [contact_id]))[contact_id]


async def update_contact(
    conn: asyncpg.Connection,
    contact_id: UUID,
    expected_version: int,
    fields: dict,
    windows: list[Window] | None,
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """Apply changes if the contact is still at expected_version; returns (before, after)."""
    before = await conn.fetchrow(f"{_SELECT} WHERE c.id = $1 FOR NO KEY UPDATE OF c", contact_id)
    if before is None:
        raise not_found(("input", "id"), "contact")
    if before["version"] != expected_version:
        raise conflict(
            f"the contact is at version {before['version']}, not {expected_version}: "
            "reload it and apply your change again.",
            ("input", "expectedVersion"),
        )
    names = [name for name in fields if name in _UPDATABLE]
    assignments = [f"{name} = ${i}" for i, name in enumerate(names, start=3)]
    await conn.execute(
        f"UPDATE contacts SET {', '.join([*assignments, 'version = version + 1', 'updated_at = now()'])}"
        " WHERE account_id = $1 AND id = $2",
        before["account_id"],
        contact_id,
        *(fields[name] for name in names),
    )
    if windows is not None:
        await _replace_windows(conn, before["account_id"], contact_id, windows)
    return before, (await contacts_by_ids(conn, [contact_id]))[contact_id]


async def record_change(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID | None,
    action: str,
    row: asyncpg.Record,
    before: asyncpg.Record | None = None,
) -> None:
    """Audit (the versions it went between), outbox and wake-up for one created or updated contact."""
    await changes.record(
        conn,
        actor_id=actor_id,
        action=action,
        entity_type="contact",
        account_id=row["account_id"],
        entity_id=row["id"],
        before={"version": before["version"]} if before else None,
        after={"version": row["version"]},
    )
