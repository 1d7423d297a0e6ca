"""Invoices: read by account, written in bulk by external ref, paid down by allocations.

Only SQL: services/invoices.py and services/payments.py decide what to write
and write the audit and outbox rows that go with it.
"""

from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from domain.commands.invoices import InvoiceUpsert
from domain.commands.payments import PaymentRecord
from domain.invoices import NOT_PAYABLE
from store.sql import INVOICE, columns

# An item to write: the command and the account its accountRef names.
Placed = tuple[UUID, InvoiceUpsert]

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
        sorted(NOT_PAYABLE),
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def lock_by_refs(
    conn: asyncpg.Connection, items: list[Placed]
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
        [account_id for account_id, _ in items],
        [i.system for _, i in items],
        [i.external_id for _, i in items],
    )
    return {(row["account_id"], row["ext_system"], row["ext_id"]): row for row in rows}


def _arrays(items: list[Placed]) -> list[list]:
    return [
        [account_id for account_id, _ in items],
        [i.system for _, i in items],
        [i.external_id for _, i in items],
        [i.number for _, i in items],
        [i.issued_on for _, i in items],
        [i.due_on for _, i in items],
        [i.currency for _, i in items],
        [i.total for _, i in items],
        [i.balance for _, i in items],
        [i.status.value for _, i in items],
    ]


_UNNEST = (
    "unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[],"
    " $8::numeric[], $9::numeric[], $10::text[])"
    " AS t(account_id, ext_system, ext_id, number, issued_on, due_on, currency, total, balance, status)"
)


async def insert_invoices(conn: asyncpg.Connection, items: list[Placed]) -> list[asyncpg.Record]:
    if not items:
        return []
    return await conn.fetch(
        "INSERT INTO invoices (account_id, ext_system, ext_id, number, issued_on, due_on, currency,"
        " total, balance, status)"
        f" SELECT * FROM {_UNNEST} RETURNING {', '.join(INVOICE)}",
        *_arrays(items),
    )


async def update_invoices(conn: asyncpg.Connection, items: list[Placed]) -> list[asyncpg.Record]:
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
    conn: asyncpg.Connection, account_id: UUID, payment: PaymentRecord, user_id: UUID | None
) -> UUID:
    """The payment and its allocations; returns the payment's id."""
    payment_id = await conn.fetchval(
        "INSERT INTO payments (account_id, amount, currency, received_on, method, reference, recorded_by)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        account_id,
        payment.amount,
        payment.currency,
        payment.received_on,
        payment.method,
        payment.reference,
        user_id,
    )
    if payment.allocations:
        await conn.execute(
            "INSERT INTO payment_allocations (account_id, payment_id, invoice_id, amount)"
            " SELECT $1, $2, i, a FROM unnest($3::uuid[], $4::numeric[]) AS t(i, a)",
            account_id,
            payment_id,
            [a.invoice_id for a in payment.allocations],
            [a.amount for a in payment.allocations],
        )
    return payment_id
