"""recordPayment: a PAYMENT entry, allocations that pay invoices down, all or nothing, idempotent."""

import asyncio
import uuid
from decimal import Decimal

import pytest

from domain.teams import Team
from schema import ids

CREATE_ACCOUNT = """
mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { code message field } }
}
"""

UPSERT_INVOICES = """
mutation UpsertInvoices($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) {
    invoices { id number status balance { amount currency } }
    userErrors { code message field }
  }
}
"""

RECORD_PAYMENT = """
mutation RecordPayment($input: RecordPaymentInput!) {
  recordPayment(input: $input) {
    entry {
      id kind team summary visibility revision
      author { id }
      account { id }
      invoices { id number status balance { amount currency } }
      ... on PaymentReceived { amount { amount currency } receivedOn method reference }
    }
    userErrors { code message field }
  }
}
"""

INVOICES = """
query Invoices($id: ID!) {
  account(id: $id) {
    invoices(first: 100) { edges { node { id number status total { amount } balance { amount currency } } } }
  }
}
"""

INVOICE_TIMELINE = """
query InvoiceTimeline($id: ID!) {
  node(id: $id) {
    ... on Invoice {
      timeline(first: 50) {
        edges {
          node {
            id kind team author { id } invoices { id }
            ... on InvoiceStatusChange { fromStatus toStatus }
            ... on PaymentReceived { amount { amount currency } }
          }
        }
      }
    }
  }
}
"""

ACCOUNT_TIMELINE = """
query Timeline($id: ID!) {
  account(id: $id) {
    timeline(first: 100) {
      edges { node { id kind invoices { id } ... on PaymentReceived { amount { amount currency } } } }
    }
  }
}
"""

ENTRY_NODE = """
query Entry($id: ID!) {
  node(id: $id) {
    ... on PaymentReceived {
      id kind amount { amount currency } receivedOn method reference invoices { id }
    }
  }
}
"""


def uid() -> str:
    return uuid.uuid4().hex[:12]


def uuid_of(global_id: str) -> uuid.UUID:
    return ids.decode(global_id)[1]


class Books:
    """An account with invoices in EUR and USD, as the ERP pushed them."""

    def __init__(self, account_id: str, invoices: dict[str, dict]) -> None:
        self.account_id = account_id
        self.invoices = invoices

    def id(self, number: str) -> str:
        return self.invoices[number]["id"]


async def make_books(admin, ar, specs: dict[str, tuple[str, ...]]) -> Books:
    """specs: number -> (currency, total, balance[, status]); status OPEN unless the balance is zero."""
    account_ref = {"system": "erp", "id": uid()}
    created = await admin.gql(
        CREATE_ACCOUNT, {"input": {"name": f"Payments {uid()}", "externalRefs": [account_ref]}}
    )
    account_id = created["createAccount"]["account"]["id"]
    items = [
        {
            "externalRef": {"system": "erp", "id": uid()},
            "accountRef": account_ref,
            "number": number,
            "issuedOn": "2026-01-01",
            "dueOn": "2026-01-31",
            "currency": currency,
            "total": total,
            "balance": balance,
            "status": status[0] if status else "PAID" if Decimal(balance) == 0 else "OPEN",
        }
        for number, (currency, total, balance, *status) in specs.items()
    ]
    result = (await ar.gql(UPSERT_INVOICES, {"input": items}))["upsertInvoices"]
    assert result["userErrors"] == []
    return Books(account_id, {i["number"]: i for i in result["invoices"]})


async def balances(caller, account_id: str) -> dict[str, tuple[str, str]]:
    data = await caller.gql(INVOICES, {"id": account_id})
    return {
        e["node"]["number"]: (e["node"]["status"], e["node"]["balance"]["amount"])
        for e in data["account"]["invoices"]["edges"]
    }


async def written(pool, account_id: str) -> dict[str, int]:
    """Rows on the account in every table a payment may touch."""
    async with pool.acquire() as conn:
        return {
            table: await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE account_id = $1",  # noqa: S608
                uuid_of(account_id),
            )
            for table in (
                "payments",
                "payment_allocations",
                "entries",
                "entry_invoices",
                "audit_log",
                "outbox",
            )
        }


async def pay(caller, books: Books, amount: str, allocations: list[tuple[str, str]], **extra) -> dict:
    data = await caller.gql(
        RECORD_PAYMENT,
        {
            "input": {
                "accountId": books.account_id,
                "amount": amount,
                "currency": extra.pop("currency", "EUR"),
                "receivedOn": extra.pop("receivedOn", "2026-02-10"),
                "allocations": [
                    {"invoiceId": books.id(number), "amount": value} for number, value in allocations
                ],
                **extra,
            }
        },
    )
    return data["recordPayment"]


@pytest.fixture
async def ar(make_caller):
    return await make_caller(Team.AR)


@pytest.fixture
async def books(admin, ar) -> Books:
    return await make_books(
        admin,
        ar,
        {
            "INV-A": ("EUR", "100.00", "100.00"),
            "INV-B": ("EUR", "250.00", "250.00"),
            "INV-C": ("USD", "75.00", "75.00"),
        },
    )


# ---------------------------------------------------------------- the happy path


async def test_a_payment_writes_an_entry_linked_to_the_allocated_invoices(ar, books):
    # when
    result = await pay(
        ar,
        books,
        "180.00",
        [("INV-A", "100.00"), ("INV-B", "80.00")],
        method="bank transfer",
        reference="RF18 5390 0754 7034",
        receivedOn="2026-02-10",
    )
    # then
    assert result["userErrors"] == []
    entry = result["entry"]
    assert entry["kind"] == "PAYMENT"
    assert entry["amount"] == {"amount": "180.00", "currency": "EUR"}
    assert entry["receivedOn"] == "2026-02-10"
    assert entry["method"] == "bank transfer"
    assert entry["reference"] == "RF18 5390 0754 7034"
    assert entry["author"] == {"id": ids.encode("User", ar.user.id)}
    assert entry["team"] == "AR"
    assert entry["account"] == {"id": books.account_id}
    assert (entry["visibility"], entry["revision"]) == ("ALL_TEAMS", 1)
    assert entry["summary"]
    assert sorted(i["id"] for i in entry["invoices"]) == sorted([books.id("INV-A"), books.id("INV-B")])
    by_number = {i["number"]: i for i in entry["invoices"]}
    assert by_number["INV-A"]["status"] == "PAID"
    assert by_number["INV-B"]["balance"] == {"amount": "170.00", "currency": "EUR"}
    fetched = (await ar.gql(ENTRY_NODE, {"id": entry["id"]}))["node"]
    assert fetched["amount"] == {"amount": "180.00", "currency": "EUR"}
    assert fetched["method"] == "bank transfer"
    timeline = (await ar.gql(ACCOUNT_TIMELINE, {"id": books.account_id}))["account"]["timeline"]["edges"]
    assert entry["id"] in [e["node"]["id"] for e in timeline]


async def test_allocations_pay_invoices_down_to_paid_or_partially_paid(ar, books):
    # when
    await pay(ar, books, "180.00", [("INV-A", "100.00"), ("INV-B", "80.00")])
    # then
    assert await balances(ar, books.account_id) == {
        "INV-A": ("PAID", "0.00"),
        "INV-B": ("PARTIALLY_PAID", "170.00"),
        "INV-C": ("OPEN", "75.00"),
    }


async def test_paying_an_invoice_off_writes_an_invoice_status_entry(ar, books):
    # when
    payment = await pay(ar, books, "100.00", [("INV-A", "100.00")])
    # then
    a_timeline = (await ar.gql(INVOICE_TIMELINE, {"id": books.id("INV-A")}))["node"]["timeline"]["edges"]
    nodes = [e["node"] for e in a_timeline]
    changes = [n for n in nodes if n["kind"] == "INVOICE_STATUS" and n["fromStatus"] is not None]
    assert len(changes) == 1
    change = changes[0]
    assert (change["fromStatus"], change["toStatus"]) == ("OPEN", "PAID")
    assert change["author"] is None
    assert change["team"] == "AR"
    assert change["invoices"] == [{"id": books.id("INV-A")}]
    assert payment["entry"]["id"] in [n["id"] for n in nodes]
    b_timeline = (await ar.gql(INVOICE_TIMELINE, {"id": books.id("INV-B")}))["node"]["timeline"]["edges"]
    assert payment["entry"]["id"] not in [e["node"]["id"] for e in b_timeline]


async def test_a_partial_then_a_final_payment(ar, books):
    # when
    await pay(ar, books, "40.00", [("INV-A", "40.00")])
    first = await balances(ar, books.account_id)
    await pay(ar, books, "60.00", [("INV-A", "60.00")])
    second = await balances(ar, books.account_id)
    # then
    assert first["INV-A"] == ("PARTIALLY_PAID", "60.00")
    assert second["INV-A"] == ("PAID", "0.00")
    nodes = [
        e["node"]
        for e in (await ar.gql(INVOICE_TIMELINE, {"id": books.id("INV-A")}))["node"]["timeline"]["edges"]
    ]
    transitions = [
        (n["fromStatus"], n["toStatus"]) for n in nodes if n["kind"] == "INVOICE_STATUS" and n["fromStatus"]
    ]
    assert transitions == [("PARTIALLY_PAID", "PAID"), ("OPEN", "PARTIALLY_PAID")]
    assert [n["amount"]["amount"] for n in nodes if n["kind"] == "PAYMENT"] == ["60.00", "40.00"]


async def test_payment_amounts_keep_exact_decimals(admin, ar, pool):
    books = await make_books(admin, ar, {"INV-X": ("EUR", "100.0000", "100.0000")})
    # when
    result = await pay(ar, books, "33.3333", [("INV-X", "33.3333")])
    # then
    assert result["userErrors"] == []
    assert result["entry"]["amount"] == {"amount": "33.3333", "currency": "EUR"}
    assert await balances(ar, books.account_id) == {"INV-X": ("PARTIALLY_PAID", "66.6667")}
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT amount FROM payments WHERE account_id = $1", uuid_of(books.account_id)
        )
        balance = await conn.fetchval(
            "SELECT balance FROM invoices WHERE account_id = $1", uuid_of(books.account_id)
        )
    assert row["amount"] == Decimal("33.3333")
    assert balance == Decimal("66.6667")


async def test_a_payment_without_allocations_changes_no_invoice(ar, books, pool):
    # when
    result = await pay(ar, books, "500.00", [])
    # then
    assert result["userErrors"] == []
    assert result["entry"]["invoices"] == []
    assert result["entry"]["amount"] == {"amount": "500.00", "currency": "EUR"}
    assert await balances(ar, books.account_id) == {
        "INV-A": ("OPEN", "100.00"),
        "INV-B": ("OPEN", "250.00"),
        "INV-C": ("OPEN", "75.00"),
    }
    assert (await written(pool, books.account_id))["payment_allocations"] == 0


async def test_payments_land_in_the_payments_tables(ar, books, pool):
    await pay(ar, books, "150.00", [("INV-A", "100.00"), ("INV-B", "30.00")], method="card")
    async with pool.acquire() as conn:
        payments = await conn.fetch("SELECT * FROM payments WHERE account_id = $1", uuid_of(books.account_id))
        allocations = await conn.fetch(
            "SELECT * FROM payment_allocations WHERE account_id = $1", uuid_of(books.account_id)
        )
    assert [(p["amount"], p["currency"], p["method"]) for p in payments] == [
        (Decimal("150.00"), "EUR", "card")
    ]
    assert {(a["invoice_id"], a["amount"]) for a in allocations} == {
        (uuid_of(books.id("INV-A")), Decimal("100.00")),
        (uuid_of(books.id("INV-B")), Decimal("30.00")),
    }
    assert {a["payment_id"] for a in allocations} == {payments[0]["id"]}


async def test_a_card_number_in_the_method_or_reference_is_masked_before_it_is_stored(ar, books, pool):
    """Card numbers never come to rest in our stores: not in a payment's method or reference either."""
    result = await pay(
        ar,
        books,
        "10.00",
        [("INV-A", "10.00")],
        method="card 4111 1111 1111 1111",
        reference="paid with 4111-1111-1111-1111 by phone",
    )
    entry = result["entry"]
    assert (entry["method"], entry["reference"]) == (
        "card **** **** **** 1111",
        "paid with ****-****-****-1111 by phone",
    )
    async with pool.acquire() as conn:
        stored = await conn.fetchrow(
            "SELECT p.method, p.reference, e.method AS entry_method, e.reference AS entry_reference"
            " FROM payments p"
            " JOIN entries e ON e.account_id = p.account_id AND e.kind = 'PAYMENT'"
            " WHERE p.account_id = $1",
            uuid_of(books.account_id),
        )
    assert dict(stored) == {
        "method": entry["method"],
        "reference": entry["reference"],
        "entry_method": entry["method"],
        "entry_reference": entry["reference"],
    }


# ---------------------------------------------------------------- all or nothing


async def _rejected(caller, books: Books, pool, amount: str, allocations, **extra) -> list[dict]:
    """The userErrors of a payment that must change nothing at all."""
    before_rows = await written(pool, books.account_id)
    before = await balances(caller, books.account_id)
    result = await pay(caller, books, amount, allocations, **extra)
    assert result["entry"] is None
    assert await balances(caller, books.account_id) == before
    assert await written(pool, books.account_id) == before_rows
    return result["userErrors"]


@pytest.mark.parametrize("amount", [100.5, 100, 12345678901234567.89])
async def test_an_amount_sent_as_a_json_number_is_refused_and_changes_nothing(ar, books, pool, amount):
    """The contract's Decimal is a string: a number was already rounded to a float by the client."""
    before_rows = await written(pool, books.account_id)
    variables = {
        "input": {
            "accountId": books.account_id,
            "amount": amount,
            "currency": "EUR",
            "receivedOn": "2026-02-10",
        }
    }
    # when
    response = await ar.post(RECORD_PAYMENT, variables)
    # then: a request error naming the variable, and nothing written
    body = response.json()
    assert "data" not in body or body["data"] is None
    error = body["errors"][0]
    assert f'A Decimal must be a string, e.g. "1200.50", not the number {amount}.' in error["message"]
    assert f'"{amount}"' not in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await written(pool, books.account_id) == before_rows


async def test_an_amount_written_as_a_float_literal_is_refused(ar, books):
    fields = f'accountId: "{books.account_id}", amount: 100.50, currency: "EUR", receivedOn: "2026-02-10"'
    literal = RECORD_PAYMENT.replace("($input: RecordPaymentInput!)", "").replace(
        "(input: $input)", f"(input: {{{fields}}})"
    )
    body = (await ar.post(literal)).json()
    assert body.get("data") is None
    assert 'A Decimal must be a string, e.g. "1200.50", not the number 100.5.' in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_over_allocation_is_invalid_and_changes_nothing(ar, books, pool):
    errors = await _rejected(ar, books, pool, "150.00", [("INV-A", "100.01")])
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", ["input", "allocations", "0", "amount"])]


async def test_over_allocating_the_second_invoice_names_it(ar, books, pool):
    errors = await _rejected(ar, books, pool, "400.00", [("INV-A", "100.00"), ("INV-B", "250.01")])
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", ["input", "allocations", "1", "amount"])]


async def test_allocations_adding_up_to_more_than_the_payment_are_invalid(ar, books, pool):
    errors = await _rejected(ar, books, pool, "150.00", [("INV-A", "100.00"), ("INV-B", "50.01")])
    assert [e["code"] for e in errors] == ["INVALID"]
    assert errors[0]["field"][:2] == ["input", "allocations"]


async def test_an_invoice_of_another_account_is_not_found(admin, ar, books, pool):
    other = await make_books(admin, ar, {"OTHER-1": ("EUR", "100.00", "100.00")})
    books.invoices["OTHER-1"] = other.invoices["OTHER-1"]
    # when
    errors = await _rejected(ar, books, pool, "50.00", [("INV-A", "10.00"), ("OTHER-1", "40.00")])
    # then
    assert [(e["code"], e["field"]) for e in errors] == [
        ("NOT_FOUND", ["input", "allocations", "1", "invoiceId"])
    ]
    assert await balances(ar, other.account_id) == {"OTHER-1": ("OPEN", "100.00")}


async def test_an_id_that_is_not_an_invoice_is_not_found(ar, books, pool):
    books.invoices["ACCOUNT"] = {"id": books.account_id}
    errors = await _rejected(ar, books, pool, "50.00", [("ACCOUNT", "10.00")])
    assert [(e["code"], e["field"]) for e in errors] == [
        ("NOT_FOUND", ["input", "allocations", "0", "invoiceId"])
    ]


async def test_a_currency_mismatch_is_invalid(ar, books, pool):
    errors = await _rejected(ar, books, pool, "75.00", [("INV-C", "75.00")], currency="EUR")
    assert [e["code"] for e in errors] == ["INVALID"]
    assert errors[0]["field"][:3] == ["input", "allocations", "0"]


async def test_a_part_payment_leaves_a_disputed_invoice_disputed_and_a_full_one_pays_it(admin, ar):
    books = await make_books(
        admin,
        ar,
        {"D-1": ("EUR", "100.00", "100.00", "DISPUTED"), "D-2": ("EUR", "50.00", "50.00", "DISPUTED")},
    )
    # when
    await pay(ar, books, "90.00", [("D-1", "40.00"), ("D-2", "50.00")])
    # then
    assert await balances(ar, books.account_id) == {"D-1": ("DISPUTED", "60.00"), "D-2": ("PAID", "0.00")}


async def test_a_paid_invoice_takes_no_payment(admin, ar, pool):
    books = await make_books(admin, ar, {"DONE": ("EUR", "100.00", "0.00")})
    errors = await _rejected(ar, books, pool, "10.00", [("DONE", "10.00")])
    assert [e["code"] for e in errors] == ["INVALID"]
    assert errors[0]["field"][:3] == ["input", "allocations", "0"]


@pytest.mark.parametrize(
    ("amount", "currency", "allocation", "field"),
    [
        ("0.00", "EUR", None, ["input", "amount"]),
        ("-5.00", "EUR", None, ["input", "amount"]),
        ("1.00001", "EUR", None, ["input", "amount"]),
        ("10.00", "EURO", None, ["input", "currency"]),
        ("10.00", "EUR", "0.00", ["input", "allocations", "0", "amount"]),
        ("10.00", "EUR", "-1.00", ["input", "allocations", "0", "amount"]),
    ],
)
async def test_bad_amounts_and_currencies_are_invalid(ar, books, pool, amount, currency, allocation, field):
    allocations = [("INV-A", allocation)] if allocation else []
    errors = await _rejected(ar, books, pool, amount, allocations, currency=currency)
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", field)]


async def test_the_same_invoice_twice_in_the_allocations_is_invalid(ar, books, pool):
    errors = await _rejected(ar, books, pool, "20.00", [("INV-A", "10.00"), ("INV-A", "10.00")])
    assert [e["code"] for e in errors] == ["INVALID"]


# ---------------------------------------------------------------- idempotency


async def test_a_retry_with_the_same_key_returns_the_same_entry_and_pays_once(ar, books, pool):
    key = f"pay-{uid()}"
    # when
    first = await pay(ar, books, "60.00", [("INV-A", "60.00")], idempotencyKey=key)
    after_first = await written(pool, books.account_id)
    retry = await pay(ar, books, "60.00", [("INV-A", "60.00")], idempotencyKey=key)
    # then
    assert first["userErrors"] == retry["userErrors"] == []
    assert retry["entry"]["id"] == first["entry"]["id"]
    assert await written(pool, books.account_id) == after_first
    assert (await balances(ar, books.account_id))["INV-A"] == ("PARTIALLY_PAID", "40.00")


async def test_five_concurrent_identical_payments_pay_once(ar, books, pool):
    key = f"pay-{uid()}"
    before = await written(pool, books.account_id)
    # when
    results = await asyncio.gather(
        *(
            pay(ar, books, "130.00", [("INV-A", "100.00"), ("INV-B", "30.00")], idempotencyKey=key)
            for _ in range(5)
        )
    )
    # then
    assert all(r["userErrors"] == [] for r in results)
    assert len({r["entry"]["id"] for r in results}) == 1
    assert await balances(ar, books.account_id) == {
        "INV-A": ("PAID", "0.00"),
        "INV-B": ("PARTIALLY_PAID", "220.00"),
        "INV-C": ("OPEN", "75.00"),
    }
    after = await written(pool, books.account_id)
    assert after["payments"] == before["payments"] + 1
    assert after["payment_allocations"] == before["payment_allocations"] + 2
    # one PAYMENT entry and two INVOICE_STATUS entries
    assert after["entries"] == before["entries"] + 3


async def test_the_same_key_for_a_different_payment_is_a_conflict(ar, books, pool):
    key = f"pay-{uid()}"
    await pay(ar, books, "10.00", [("INV-A", "10.00")], idempotencyKey=key)
    errors = await _rejected(ar, books, pool, "20.00", [("INV-A", "20.00")], idempotencyKey=key)
    assert [(e["code"], e["field"]) for e in errors] == [("CONFLICT", ["input", "idempotencyKey"])]


async def test_idempotency_keys_are_per_user(make_caller, ar, books):
    other = await make_caller(Team.AR)
    key = f"pay-{uid()}"
    mine = await pay(ar, books, "10.00", [("INV-A", "10.00")], idempotencyKey=key)
    theirs = await pay(other, books, "10.00", [("INV-A", "10.00")], idempotencyKey=key)
    assert mine["entry"]["id"] != theirs["entry"]["id"]
    assert (await balances(ar, books.account_id))["INV-A"] == ("PARTIALLY_PAID", "80.00")


async def test_integration_may_record_payments(make_caller, books):
    integration = await make_caller(Team.INTEGRATION)
    result = await pay(integration, books, "75.00", [("INV-C", "75.00")], currency="USD")
    assert result["userErrors"] == []
    assert result["entry"]["team"] == "INTEGRATION"
    assert (await balances(integration, books.account_id))["INV-C"] == ("PAID", "0.00")


async def test_concurrent_payments_cannot_together_over_allocate_an_invoice(ar, books):
    # when: two different payments of 60.00 race for the 100.00 left on INV-A
    results = await asyncio.gather(
        pay(ar, books, "60.00", [("INV-A", "60.00")], idempotencyKey=f"a-{uid()}"),
        pay(ar, books, "60.00", [("INV-A", "60.00")], idempotencyKey=f"b-{uid()}"),
    )
    # then: one is recorded, the other is an over-allocation
    outcomes = sorted((r["entry"] is None, [e["field"] for e in r["userErrors"]]) for r in results)
    assert outcomes == [(False, []), (True, [["input", "allocations", "0", "amount"]])]
    assert (await balances(ar, books.account_id))["INV-A"] == ("PARTIALLY_PAID", "40.00")
