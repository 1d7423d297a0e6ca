"""Timeline entries: one table for every kind, read with their author, contact and account.

The timeline page is the hot path: one query returns each entry joined with
its author, contact and account, and one more returns the invoices of the whole
page, whatever the page size. Deleted entries stay in the table for audit and
are filtered out of every read here.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from store.sql import ACCOUNT, CONTACT, INVOICE, USER, columns, group_by

ENTRY_SELECT = f"""
SELECT e.*,
       {columns("u", USER, "author_")},
       {columns("c", CONTACT, "contact_")},
       coalesce(c.time_zone, a.time_zone) AS contact_effective_time_zone,
       {columns("a", ACCOUNT, "account_")}
  FROM entries e
  JOIN accounts a ON a.id = e.account_id
  LEFT JOIN users u ON u.id = e.author_id
  LEFT JOIN contacts c ON c.account_id = e.account_id AND c.id = e.contact_id
"""

# Columns a creating mutation may set; the rest have defaults or belong to later changes.
# recorded_at defaults to now; only the demo data, whose story is set in the past, sets it.
_INSERTABLE = frozenset(
    {
        "account_id",
        "kind",
        "occurred_at",
        "recorded_at",
        "author_id",
        "team",
        "summary",
        "body",
        "contact_id",
        "tags",
        "visibility",
        "direction",
        "outcome",
        "category",
        "amount",
        "currency",
        "promised_for",
        "grace_days",
        "dispute_reason",
        "dispute_status",
        "installments",
        "from_status",
        "to_status",
        "payment_id",
        "received_on",
        "method",
        "reference",
        "due_at",
        "assignee_id",
        "done",
    }
)
_UPDATABLE = frozenset(
    {
        "pinned",
        "cancelled_at",
        "dispute_status",
        "resolved_at",
        "resolution",
        "done",
        "due_at",
        "assignee_id",
    }
)


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    kinds: list[str] | None = None
    teams: list[str] | None = None
    contact_id: UUID | None = None
    invoice_id: UUID | None = None
    tags: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None


async def timeline(
    conn: asyncpg.Connection,
    account_id: UUID,
    *,
    restricted: bool,
    where: TimelineFilter,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first by occurred_at, then id; `after` is the (occurred_at, id) last seen."""
    return await conn.fetch(
        f"""
        {ENTRY_SELECT}
         WHERE e.account_id = $1 AND e.deleted_at IS NULL
           AND ($2 OR e.visibility = 'ALL_TEAMS')
           AND ($3::text[] IS NULL OR e.kind = ANY($3))
           AND ($4::text[] IS NULL OR e.team = ANY($4))
           AND ($5::uuid IS NULL OR e.contact_id = $5)
           AND ($6::uuid IS NULL OR EXISTS (
                 SELECT 1 FROM entry_invoices ei
                  WHERE ei.account_id = e.account_id AND ei.entry_id = e.id AND ei.invoice_id = $6))
           AND ($7::text[] IS NULL OR e.tags && $7)
           AND ($8::timestamptz IS NULL OR e.occurred_at >= $8)
           AND ($9::timestamptz IS NULL OR e.occurred_at <= $9)
           AND ($10::timestamptz IS NULL OR (e.occurred_at, e.id) < ($10, $11::uuid))
         ORDER BY e.occurred_at DESC, e.id DESC
         LIMIT $12
        """,
        account_id,
        restricted,
        where.kinds,
        where.teams,
        where.contact_id,
        where.invoice_id,
        where.tags,
        where.since,
        where.until,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def pinned(
    conn: asyncpg.Connection, account_ids: list[UUID], *, restricted: bool
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        f"""
        {ENTRY_SELECT}
         WHERE e.account_id = ANY($1::uuid[]) AND e.pinned AND e.deleted_at IS NULL
           AND ($2 OR e.visibility = 'ALL_TEAMS')
         ORDER BY e.occurred_at DESC, e.id DESC
        """,
        account_ids,
        restricted,
    )
    return group_by(rows, "account_id")


async def entries_by_ids(
    conn: asyncpg.Connection, ids: list[UUID], *, restricted: bool
) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(
        f"{ENTRY_SELECT} WHERE e.id = ANY($1::uuid[]) AND e.deleted_at IS NULL"
        " AND ($2 OR e.visibility = 'ALL_TEAMS')",
        ids,
        restricted,
    )
    return {row["id"]: row for row in rows}


async def invoices_of_entries(
    conn: asyncpg.Connection, entry_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        f"SELECT ei.entry_id, {columns('i', INVOICE)}"
        " FROM entry_invoices ei JOIN invoices i ON i.account_id = ei.account_id AND i.id = ei.invoice_id"
        " WHERE ei.entry_id = ANY($1::uuid[]) ORDER BY i.number, i.id",
        entry_ids,
    )
    return group_by(rows, "entry_id")


async def revisions_of_entries(
    conn: asyncpg.Connection, entry_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        f"SELECT r.*, {columns('u', USER, 'editor_')} FROM entry_revisions r"
        " LEFT JOIN users u ON u.id = r.edited_by"
        " WHERE r.entry_id = ANY($1::uuid[]) ORDER BY r.revision DESC",
        entry_ids,
    )
    return group_by(rows, "entry_id")


async def insert_entry(conn: asyncpg.Connection, fields: dict, invoice_ids: list[UUID]) -> UUID:
    names = [name for name in fields if name in _INSERTABLE]
    assert len(names) == len(fields), set(fields) - _INSERTABLE
    entry_id = await conn.fetchval(
        f"INSERT INTO entries ({', '.join(names)})"
        f" VALUES ({', '.join(f'${i}' for i in range(1, len(names) + 1))}) RETURNING id",
        *fields.values(),
    )
    await link_invoices(conn, fields["account_id"], [entry_id], [invoice_ids])
    return entry_id


async def link_invoices(
    conn: asyncpg.Connection, account_id: UUID, entry_ids: list[UUID], invoice_ids: list[list[UUID]]
) -> None:
    pairs = [(e, i) for e, ids in zip(entry_ids, invoice_ids, strict=True) for i in ids]
    if pairs:
        await conn.execute(
            "INSERT INTO entry_invoices (account_id, entry_id, invoice_id)"
            " SELECT $1, e, i FROM unnest($2::uuid[], $3::uuid[]) AS t(e, i) ON CONFLICT DO NOTHING",
            account_id,
            [e for e, _ in pairs],
            [i for _, i in pairs],
        )


async def lock_entry(conn: asyncpg.Connection, entry_id: UUID, *, restricted: bool) -> asyncpg.Record | None:
    """The live entry, locked for a change; None if deleted or hidden from the caller."""
    return await conn.fetchrow(
        "SELECT * FROM entries WHERE id = $1 AND deleted_at IS NULL"
        " AND ($2 OR visibility = 'ALL_TEAMS') FOR NO KEY UPDATE",
        entry_id,
        restricted,
    )


async def edit_entry(conn: asyncpg.Connection, row: asyncpg.Record, editor_id: UUID, changes: dict) -> None:
    """Keep the current text as a revision, then apply the changes as revision + 1."""
    await conn.execute(
        "INSERT INTO entry_revisions (account_id, entry_id, revision, summary, body, tags, edited_by,"
        " edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        row["account_id"],
        row["id"],
        row["revision"],
        row["summary"],
        row["body"],
        row["tags"],
        row["edited_by"] or row["author_id"],
        row["edited_at"] or row["recorded_at"],
    )
    await conn.execute(
        "UPDATE entries SET summary = $3, body = $4, tags = $5, revision = revision + 1,"
        " edited_by = $6, edited_at = now() WHERE account_id = $1 AND id = $2",
        row["account_id"],
        row["id"],
        changes.get("summary", row["summary"]),
        changes.get("body", row["body"]),
        changes.get("tags", row["tags"]),
        editor_id,
    )


async def update_entry(conn: asyncpg.Connection, row: asyncpg.Record, changes: dict) -> None:
    names = [name for name in changes if name in _UPDATABLE]
    assert len(names) == len(changes), set(changes) - _UPDATABLE
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
    await conn.execute(
        f"UPDATE entries SET {assignments} WHERE account_id = $1 AND id = $2",
        row["account_id"],
        row["id"],
        *changes.values(),
    )


async def soft_delete(conn: asyncpg.Connection, row: asyncpg.Record, user_id: UUID, reason: str) -> None:
    """Its inbox items take the deletion in the same statement: the inbox reads their copy (0011)."""
    await conn.execute(
        """
        WITH gone AS (
            UPDATE entries SET deleted_at = now(), deleted_by = $3, delete_reason = $4, pinned = false
             WHERE account_id = $1 AND id = $2
            RETURNING account_id, id, deleted_at
        )
        UPDATE inbox_items i SET entry_deleted_at = gone.deleted_at
          FROM gone WHERE i.account_id = gone.account_id AND i.entry_id = gone.id
        """,
        row["account_id"],
        row["id"],
        user_id,
        reason,
    )


@dataclass(frozen=True, slots=True)
class StatusChange:
    account_id: UUID
    invoice_id: UUID
    summary: str
    from_status: str | None
    to_status: str


async def insert_status_changes(
    conn: asyncpg.Connection, team: str, items: list[StatusChange], occurred_at: datetime | None = None
) -> list[tuple[UUID, UUID]]:
    """INVOICE_STATUS entries written by the service (no author); returns (account_id, entry_id).

    They happen now; only the demo data, whose story is set in the past, gives `occurred_at`.
    """
    if not items:
        return []
    entry_ids = [uuid4() for _ in items]
    account_ids = [i.account_id for i in items]
    await conn.execute(
        """
        INSERT INTO entries (account_id, id, kind, team, summary, from_status, to_status,
                             occurred_at, recorded_at)
        SELECT a, e, 'INVOICE_STATUS', $1, s, f, t, coalesce($7::timestamptz, now()),
               coalesce($7::timestamptz, now())
          FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[]) AS x(a, e, s, f, t)
        """,
        team,
        account_ids,
        entry_ids,
        [i.summary for i in items],
        [i.from_status for i in items],
        [i.to_status for i in items],
        occurred_at,
    )
    await conn.execute(
        "INSERT INTO entry_invoices (account_id, entry_id, invoice_id)"
        " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])",
        account_ids,
        entry_ids,
        [i.invoice_id for i in items],
    )
    return list(zip(account_ids, entry_ids, strict=True))
