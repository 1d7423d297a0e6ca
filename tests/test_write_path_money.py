"""One write path for invoices and payments: every caller leaves the same trail for the same change.

The GraphQL mutation and the CSV import both call services/invoices.py; here the
same invoices go in both ways, each on an account of its own, and the audit,
outbox, timeline-event and status-entry rows they leave must match (but for the
audit action, which names the caller). A payment recorded over GraphQL and one
applied through services/payments.py directly (as the demo does) pay invoices
down with the same status entries and outbox rows.
"""

import csv
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from api.importing import KINDS, import_file
from domain.actors import Actor
from domain.commands.payments import Allocation, PaymentRecord
from domain.teams import Team
from domain.validation import Checker
from schema import ids
from services import payments
from tests.test_import import INVOICE_COLUMNS
from tests.test_payments import CREATE_ACCOUNT, RECORD_PAYMENT, UPSERT_INVOICES

# (number, total, balance, status) as first pushed, then as pushed again a week later
FIRST = [("INV-1", "100.00", "100.00", "OPEN"), ("INV-2", "50.00", "50.00", "DRAFT")]
LATER = [("INV-1", "100.00", "40.00", "PARTIALLY_PAID"), ("INV-2", "50.00", "50.00", "OPEN")]


@pytest.fixture
async def ar(make_caller):
    return await make_caller(Team.AR)


async def new_account(admin, system: str) -> uuid.UUID:
    data = await admin.gql(
        CREATE_ACCOUNT,
        {"input": {"name": f"Write path {system}", "externalRefs": [{"system": system, "id": "C-1"}]}},
    )
    return ids.decode(data["createAccount"]["account"]["id"])[1]


def invoice_fields(system: str, number: str, total: str, balance: str, status: str) -> dict[str, str]:
    return {
        "external_system": system,
        "external_id": number,
        "account_system": system,
        "account_id": "C-1",
        "number": number,
        "issued_on": "2026-01-01",
        "due_on": "2026-01-31",
        "currency": "EUR",
        "total": total,
        "balance": balance,
        "status": status,
    }


async def push_over_graphql(caller, system: str, invoices: list[tuple[str, ...]]) -> None:
    items = []
    for spec in invoices:
        f = invoice_fields(system, *spec)
        items.append(
            {
                "externalRef": {"system": system, "id": f["external_id"]},
                "accountRef": {"system": system, "id": "C-1"},
                "number": f["number"],
                "issuedOn": f["issued_on"],
                "dueOn": f["due_on"],
                "currency": f["currency"],
                "total": f["total"],
                "balance": f["balance"],
                "status": f["status"],
            }
        )
    result = (await caller.gql(UPSERT_INVOICES, {"input": items}))["upsertInvoices"]
    assert result["userErrors"] == []


async def push_by_import(pool, caller, tmp_path: Path, system: str, invoices: list[tuple[str, ...]]) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.DictWriter(file, INVOICE_COLUMNS)
        out.writeheader()
        out.writerows(invoice_fields(system, *spec) for spec in invoices)
    async with pool.acquire() as conn:
        summary = await import_file(
            conn, KINDS["invoices"], path, actor=Actor(user_id=caller.user.id, team=caller.user.team)
        )
    assert summary.rejected == 0


async def trail(pool, account_id: uuid.UUID) -> dict[str, list]:
    """What the writes left on the account (but its creation's audit row), without ids, times, actions."""
    async with pool.acquire() as conn:
        audit = await conn.fetch(
            "SELECT a.actor_id, a.entity_type, a.before, a.after, i.number FROM audit_log a"
            " LEFT JOIN invoices i ON i.account_id = a.account_id AND i.id = a.entity_id"
            " WHERE a.account_id = $1 AND a.entity_type <> 'account'",
            account_id,
        )
        outbox = await conn.fetch(
            "SELECT o.entity_type, o.op, coalesce(i.number, e.summary) AS what FROM outbox o"
            " LEFT JOIN invoices i"
            "   ON o.entity_type = 'invoice' AND i.account_id = o.account_id AND i.id = o.entity_id"
            " LEFT JOIN entries e"
            "   ON o.entity_type = 'entry' AND e.account_id = o.account_id AND e.id = o.entity_id"
            " WHERE o.account_id = $1",
            account_id,
        )
        events = await conn.fetch(
            "SELECT t.seq, t.op, e.summary FROM timeline_events t"
            " JOIN entries e ON e.account_id = t.account_id AND e.id = t.entry_id WHERE t.account_id = $1",
            account_id,
        )
        status_entries = await conn.fetch(
            "SELECT e.team, e.author_id, e.summary, e.from_status, e.to_status, i.number FROM entries e"
            " JOIN entry_invoices ei ON ei.account_id = e.account_id AND ei.entry_id = e.id"
            " JOIN invoices i ON i.account_id = ei.account_id AND i.id = ei.invoice_id"
            " WHERE e.account_id = $1 AND e.kind = 'INVOICE_STATUS'",
            account_id,
        )
    return {
        name: sorted(tuple(row.values()) for row in rows)
        for name, rows in (
            ("audit", audit),
            ("outbox", outbox),
            ("events", events),
            ("status", status_entries),
        )
    }


async def actions(pool, account_id: uuid.UUID) -> set[str]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT DISTINCT action FROM audit_log WHERE account_id = $1", account_id)
    return {row["action"] for row in rows}


async def test_the_mutation_and_the_import_leave_the_same_trail_for_the_same_invoices(
    admin, ar, pool, tmp_path
):
    over_api, imported = f"api-{uuid.uuid4().hex[:8]}", f"csv-{uuid.uuid4().hex[:8]}"
    api_account, csv_account = await new_account(admin, over_api), await new_account(admin, imported)
    for invoices in (FIRST, LATER, LATER):  # created, changed, then pushed again unchanged
        await push_over_graphql(ar, over_api, invoices)
        await push_by_import(pool, ar, tmp_path, imported, invoices)

    by_api, by_csv = await trail(pool, api_account), await trail(pool, csv_account)
    assert len(by_api["audit"]) == 4  # one per invoice written; the unchanged push writes none
    assert [s[2] for s in by_api["status"]] == [
        "Invoice INV-1 recorded as OPEN",
        "Invoice INV-1: OPEN → PARTIALLY_PAID",
        "Invoice INV-2 recorded as DRAFT",
        "Invoice INV-2: DRAFT → OPEN",
    ]
    assert by_api == by_csv
    assert await actions(pool, api_account) == {"createAccount", "upsertInvoices"}
    assert await actions(pool, csv_account) == {"createAccount", "importInvoices"}


async def invoice_ids(pool, account_id: uuid.UUID) -> dict[str, uuid.UUID]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT number, id FROM invoices WHERE account_id = $1", account_id)
    return {row["number"]: row["id"] for row in rows}


async def test_a_payment_over_graphql_and_one_through_the_service_pay_down_alike(admin, ar, pool):
    paid = {}
    for way in ("graphql", "service"):
        system = f"pay-{uuid.uuid4().hex[:8]}"
        account_id = await new_account(admin, system)
        await push_over_graphql(
            ar, system, [("INV-1", "100.00", "100.00", "OPEN"), ("INV-2", "50.00", "50.00", "OPEN")]
        )
        numbered = await invoice_ids(pool, account_id)
        allocations = [("INV-1", Decimal("100.00")), ("INV-2", Decimal("20.00"))]
        if way == "graphql":
            result = await ar.gql(
                RECORD_PAYMENT,
                {
                    "input": {
                        "accountId": ids.encode("Account", account_id),
                        "amount": "120.00",
                        "currency": "EUR",
                        "receivedOn": "2026-02-10",
                        "allocations": [
                            {"invoiceId": ids.encode("Invoice", numbered[n]), "amount": str(a)}
                            for n, a in allocations
                        ],
                    }
                },
            )
            assert result["recordPayment"]["userErrors"] == []
        else:
            payment = PaymentRecord(
                amount=Decimal("120.00"),
                currency="EUR",
                received_on=date(2026, 2, 10),
                allocations=tuple(Allocation(numbered[n], a) for n, a in allocations),
            )
            async with pool.acquire() as conn, conn.transaction():
                await payments.apply_payment(
                    conn, Actor(user_id=ar.user.id, team=ar.user.team), account_id, payment, Checker()
                )
        paid[way] = await payment_rows(pool, account_id)
    assert paid["graphql"] == paid["service"]
    assert paid["graphql"]["invoices"] == [
        ("INV-1", Decimal("0.00"), "PAID"),
        ("INV-2", Decimal("30.00"), "PARTIALLY_PAID"),
    ]


async def payment_rows(pool, account_id: uuid.UUID) -> dict[str, list]:
    """What a payment leaves beside its PAYMENT entry: payment rows, balances, status entries, outbox."""
    async with pool.acquire() as conn:
        found = {
            "payments": await conn.fetch(
                "SELECT amount, currency, received_on FROM payments WHERE account_id = $1", account_id
            ),
            "allocations": await conn.fetch(
                "SELECT i.number, a.amount FROM payment_allocations a"
                " JOIN invoices i ON i.account_id = a.account_id AND i.id = a.invoice_id"
                " WHERE a.account_id = $1",
                account_id,
            ),
            "invoices": await conn.fetch(
                "SELECT number, balance, status FROM invoices WHERE account_id = $1", account_id
            ),
        }
    whole = await trail(pool, account_id)
    return {
        **{name: sorted(tuple(row.values()) for row in rows) for name, rows in found.items()},
        # the status entries and outbox rows of the payment, not those of the PAYMENT entry itself
        "status": whole["status"],
        "outbox": [row for row in whole["outbox"] if not str(row[2]).startswith("Payment of")],
        "events": [row for row in whole["events"] if not str(row[2]).startswith("Payment of")],
    }
