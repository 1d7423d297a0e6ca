"""Invoices: read by account, written in bulk by external ref, paid down by allocations."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from domain.aging import CLOSED_STATUSES
from domain.entries import status_after_payment, status_change_summary
from store import changes, entries
from store.sql import INVOICE, columns

_SELECT = f"SELECT {columns('i', INVOICE)} FROM invoices i"


async def invoices_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(f"{_SELECT} WHERE i.id = ANY($1::uuid[])", ids)
    return {row["id"]: row for row in rows}


async def invoices_of_account(
    conn: asyncpg.Connection,
    account_id: UUID,
    *,
    statuses: list[str] | None,
    overdue_on: date | None,
    after: tuple[date, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest issued first, then id; `overdue_on` keeps only invoices overdue on that day."""
    return await conn.fetch(
        f"""
        {_SELECT}
         WHERE i.account_id = $1
           AND ($2::text[] IS NULL OR i.status = ANY($2))
           AND ($3::date IS NULL OR (i.due_on < $3 AND i.balance > 0
                                     AND i.status <> ALL($4::text[])))
           AND ($5::date IS NULL OR (i.issued_on, i.id) < ($5, $6::uuid))
         ORDER BY i.issued_on DESC, i.id DESC
         LIMIT $7
        """,
        account_id,
        statuses,
        overdue_on,
        [*CLOSED_STATUSES, "DRAFT"],
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


@dataclass(frozen=True, slots=True)
class InvoiceUpsert:
    account_id: UUID
    system: str
    external_id: str
    number: str
    issued_on: date
    due_on: date
    currency: str
    total: Decimal
    balance: Decimal
    status: str

    def differs_from(self, row: asyncpg.Record) -> bool:
        return (
            row["number"],
            row["issued_on"],
            row["due_on"],
            row["currency"],
            row["total"],
            row["balance"],
            row["status"],
        ) != (
            self.number,
            self.issued_on,
            self.due_on,
            self.currency,
            self.total,
            self.balance,
            self.status,
        )


async def lock_by_refs(
    conn: asyncpg.Connection, items: list[InvoiceUpsert]
) -> dict[tuple[UUID, str, str], asyncpg.Record]:
    """Existing invoices for these refs, locked so a concurrent upsert waits for this one."""
    rows = await conn.fetch(
        f"""
        {_SELECT}
          JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS t(a, s, e)
            ON i.account_id = t.a AND i.ext_system = t.s AND i.ext_id = t.e
         ORDER BY i.account_id, i.id
           FOR NO KEY UPDATE OF i
        """,
        [i.account_id for i in items],
        [i.system for i in items],
        [i.external_id for i in items],
    )
    return {(row["account_id"], row["ext_system"], row["ext_id"]): row for row in rows}


def _arrays(items: list[InvoiceUpsert]) -> list[list]:
    return [
        [i.account_id for i in items],
        [i.system for i in items],
        [i.external_id for i in items],
        [i.number for i in items],
        [i.issued_on for i in items],
        [i.due_on for i in items],
        [i.currency for i in items],
        [i.total for i in items],
        [i.balance for i in items],
        [i.status for i in items],
    ]


_UNNEST = (
    "unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[],"
    " $8::numeric[], $9::numeric[], $10::text[])"
    " AS t(account_id, ext_system, ext_id, number, issued_on, due_on, currency, total, balance, status)"
)


async def insert_invoices(conn: asyncpg.Connection, items: list[InvoiceUpsert]) -> list[asyncpg.Record]:
    if not items:
        return []
    return await conn.fetch(
        "INSERT INTO invoices (account_id, ext_system, ext_id, number, issued_on, due_on, currency,"
        " total, balance, status)"
        f" SELECT * FROM {_UNNEST} RETURNING {', '.join(INVOICE)}",
        *_arrays(items),
    )


async def update_invoices(conn: asyncpg.Connection, items: list[InvoiceUpsert]) -> list[asyncpg.Record]:
    if not items:
        return []
    return await conn.fetch(
        f"""
        UPDATE invoices i
           SET number = t.number, issued_on = t.issued_on, due_on = t.due_on, currency = t.currency,
               total = t.total, balance = t.balance, status = t.status, updated_at = now()
          FROM {_UNNEST}
         WHERE i.account_id = t.account_id AND i.ext_system = t.ext_system AND i.ext_id = t.ext_id
        RETURNING {", ".join(f"i.{name}" for name in INVOICE)}
        """,
        *_arrays(items),
    )


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    rows: list[asyncpg.Record]  # the invoice of each item, in the order given
    created: int
    updated: int
    unchanged: int


async def upsert_invoices(
    conn: asyncpg.Connection,
    items: list[InvoiceUpsert],
    *,
    actor_id: UUID | None,
    team: str,
    action: str,
    occurred_at: datetime | None = None,
) -> UpsertOutcome:
    """Create or update invoices by external ref, with everything such a change owes the others.

    A new invoice or a changed status gets an INVOICE_STATUS entry on the timeline
    (written by the service as `team`, no author); every written invoice gets an
    audit row and outbox rows. An item equal to its stored invoice writes nothing,
    so pushing the same invoices again leaves no trace. Items must name distinct refs.
    The entries happen now unless `occurred_at` says otherwise (the demo's past).
    """
    existing = await lock_by_refs(conn, items)
    key = lambda i: (i.account_id, i.system, i.external_id)  # noqa: E731
    new = [i for i in items if key(i) not in existing]
    changed = [i for i in items if key(i) in existing and i.differs_from(existing[key(i)])]
    written = {
        (r["account_id"], r["ext_system"], r["ext_id"]): r
        for r in [*await insert_invoices(conn, new), *await update_invoices(conn, changed)]
    }
    status_changes = [
        entries.StatusChange(
            account_id=row["account_id"],
            invoice_id=row["id"],
            summary=status_change_summary(row["number"], old and old["status"], row["status"]),
            from_status=old and old["status"],
            to_status=row["status"],
        )
        for k, row in written.items()
        if (old := existing.get(k)) is None or old["status"] != row["status"]
    ]
    new_entries = await entries.insert_status_changes(conn, team, status_changes, occurred_at)
    touched = [(row["account_id"], row["id"]) for row in written.values()]
    await changes.audit_many(conn, actor_id=actor_id, action=action, entity_type="invoice", items=touched)
    await changes.enqueue(conn, "invoice", touched)
    await changes.enqueue(conn, "entry", new_entries)
    await changes.notify(conn, [a for a, _ in touched])
    return UpsertOutcome(
        rows=[written.get(key(i)) or existing[key(i)] for i in items],
        created=len(new),
        updated=len(changed),
        unchanged=len(items) - len(new) - len(changed),
    )


async def lock_invoices(
    conn: asyncpg.Connection, account_id: UUID, ids: list[UUID]
) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(
        f"{_SELECT} WHERE i.account_id = $1 AND i.id = ANY($2::uuid[]) ORDER BY i.id FOR NO KEY UPDATE",
        account_id,
        ids,
    )
    return {row["id"]: row for row in rows}


async def set_balance(
    conn: asyncpg.Connection, account_id: UUID, invoice_id: UUID, balance: Decimal, status: str
) -> None:
    await conn.execute(
        "UPDATE invoices SET balance = $3, status = $4, updated_at = now() WHERE account_id = $1 AND id = $2",
        account_id,
        invoice_id,
        balance,
        status,
    )


async def record_payment(
    conn: asyncpg.Connection,
    *,
    account_id: UUID,
    amount: Decimal,
    currency: str,
    received_on: date,
    method: str | None,
    reference: str | None,
    user_id: UUID,
    allocations: list[tuple[UUID, Decimal]],
) -> UUID:
    payment_id = await conn.fetchval(
        "INSERT INTO payments (account_id, amount, currency, received_on, method, reference, recorded_by)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        account_id,
        amount,
        currency,
        received_on,
        method,
        reference,
        user_id,
    )
    if allocations:
        await conn.execute(
            "INSERT INTO payment_allocations (account_id, payment_id, invoice_id, amount)"
            " SELECT $1, $2, i, a FROM unnest($3::uuid[], $4::numeric[]) AS t(i, a)",
            account_id,
            payment_id,
            [i for i, _ in allocations],
            [a for _, a in allocations],
        )
    return payment_id


async def apply_payment(
    conn: asyncpg.Connection,
    *,
    account_id: UUID,
    amount: Decimal,
    currency: str,
    received_on: date,
    method: str | None,
    reference: str | None,
    user_id: UUID,
    team: str,
    allocations: list[tuple[asyncpg.Record, Decimal]],
    occurred_at: datetime | None = None,
) -> UUID:
    """Record a payment and pay down the (locked, checked) invoices it is allocated to.

    Each invoice whose status moves (to PARTIALLY_PAID or PAID) gets an
    INVOICE_STATUS entry; the invoices and those entries go to the outbox. The
    PAYMENT entry itself is the caller's. Returns the payment's id. The status
    entries happen now unless `occurred_at` says otherwise (the demo's past).
    """
    payment_id = await record_payment(
        conn,
        account_id=account_id,
        amount=amount,
        currency=currency,
        received_on=received_on,
        method=method,
        reference=reference,
        user_id=user_id,
        allocations=[(row["id"], paid) for row, paid in allocations],
    )
    status_changes = []
    for row, paid in allocations:
        balance = row["balance"] - paid
        status = status_after_payment(row["status"], balance)
        await set_balance(conn, account_id, row["id"], balance, status)
        if status != row["status"]:
            status_changes.append(
                entries.StatusChange(
                    account_id=account_id,
                    invoice_id=row["id"],
                    summary=status_change_summary(row["number"], row["status"], status),
                    from_status=row["status"],
                    to_status=status,
                )
            )
    new_entries = await entries.insert_status_changes(conn, team, status_changes, occurred_at)
    await changes.enqueue(conn, "invoice", [(account_id, row["id"]) for row, _ in allocations])
    await changes.enqueue(conn, "entry", new_entries)
    return payment_id
