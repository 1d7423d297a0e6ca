"""Contacts and their contact windows."""

from uuid import UUID

import asyncpg

from domain.commands.contacts import CONTACT_FIELDS
from domain.windows import Window
from store.sql import CONTACT, columns, group_by

# A contact's time zone is its own, else its account's.
_COLUMNS = f"{columns('c', CONTACT)}, coalesce(c.time_zone, a.time_zone) AS effective_time_zone"
_FROM = " FROM contacts c JOIN accounts a ON a.id = c.account_id"
_SELECT = f"SELECT {_COLUMNS}{_FROM}"
# A contact's contact_windows rows in order, as one array column.
_WINDOWS = (
    "array(SELECT w FROM contact_windows w WHERE w.account_id = c.account_id AND w.contact_id = c.id"
    " ORDER BY w.position) AS windows"
)


async def contacts_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(f"{_SELECT} WHERE c.id = ANY($1::uuid[])", ids)
    return {row["id"]: row for row in rows}


async def contacts_of_accounts(
    conn: asyncpg.Connection, account_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    """Accounts are filtered by the same list: joined on the contact alone, the planner hashed every
    account for a page's worth of them (24 ms against 1.6 ms for a worklist's 60 accounts)."""
    rows = await conn.fetch(
        f"{_SELECT} WHERE c.account_id = ANY($1::uuid[]) AND a.id = ANY($1::uuid[])"
        " ORDER BY lower(c.name), c.id",
        account_ids,
    )
    return group_by(rows, "account_id")


async def people_of_account(conn: asyncpg.Connection, account_id: UUID) -> list[asyncpg.Record]:
    """The account's contacts as `contacts_of_accounts` orders them, each with `windows`: its
    contact_windows rows in order, in the same round trip (what the call brief judges)."""
    return await conn.fetch(
        f"SELECT {_COLUMNS}, {_WINDOWS}{_FROM} WHERE c.account_id = $1 ORDER BY lower(c.name), c.id",
        account_id,
    )


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
                w.kind.value,
                list(w.days_of_week) if w.days_of_week else None,
                list(w.weeks_of_month) if w.weeks_of_month else None,
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
    names = [name for name in fields if name in CONTACT_FIELDS]
    contact_id = await conn.fetchval(
        f"INSERT INTO contacts (account_id, {', '.join(names)})"
        f" VALUES ($1, {', '.join(f'${i}' for i in range(2, len(names) + 2))}) RETURNING id",
        account_id,
        *(fields[name] for name in names),
    )
    await _replace_windows(conn, account_id, contact_id, windows)
    return (await contacts_by_ids(conn, [contact_id]))[contact_id]


async def lock_contact(conn: asyncpg.Connection, contact_id: UUID) -> asyncpg.Record | None:
    """The contact as it is now, locked until the transaction ends (None if there is none)."""
    return await conn.fetchrow(f"{_SELECT} WHERE c.id = $1 FOR NO KEY UPDATE OF c", contact_id)


async def update_contact(
    conn: asyncpg.Connection, before: asyncpg.Record, fields: dict, windows: list[Window] | None
) -> asyncpg.Record:
    """Apply changes to the contact locked as `before`; given windows replace the stored ones."""
    names = [name for name in fields if name in CONTACT_FIELDS]
    assignments = [f"{name} = ${i}" for i, name in enumerate(names, start=3)]
    await conn.execute(
        f"UPDATE contacts SET {', '.join([*assignments, 'version = version + 1', 'updated_at = now()'])}"
        " WHERE account_id = $1 AND id = $2",
        before["account_id"],
        before["id"],
        *(fields[name] for name in names),
    )
    if windows is not None:
        await _replace_windows(conn, before["account_id"], before["id"], windows)
    return (await contacts_by_ids(conn, [before["id"]]))[before["id"]]
