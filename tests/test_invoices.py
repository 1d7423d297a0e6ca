"""upsertInvoices: bulk, keyed by externalRef, all or nothing; reading invoices, their aging and timeline."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.teams import Team
from schema import ids

CREATE_ACCOUNT = """
mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { code message field } }
}
"""

UPSERT_ACCOUNTS = """
mutation UpsertAccounts($input: [AccountUpsertInput!]!) {
  upsertAccounts(input: $input) {
    accounts { id externalRefs { system id } }
    created
    userErrors { code message field }
  }
}
"""

UPSERT_INVOICES = """
mutation UpsertInvoices($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) {
    invoices {
      id number externalRef { system id } issuedOn dueOn status
      total { amount currency } balance { amount currency }
      account { id }
    }
    created updated unchanged
    userErrors { code message field }
  }
}
"""

# The bulk runs ask for the counts only, as an ERP would.
UPSERT_INVOICES_COUNTS = """
mutation UpsertInvoices($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) { created updated unchanged userErrors { code message field } }
}
"""

INVOICE_NODE = """
query Invoice($id: ID!) {
  node(id: $id) {
    ... on Invoice {
      id number externalRef { system id } issuedOn dueOn status
      total { amount currency } balance { amount currency }
      account { id }
    }
  }
}
"""

AGING = """
query Aging($id: ID!, $asOf: Date) {
  account(id: $id) {
    invoices(first: 100) {
      edges { node { number status daysOverdue(asOf: $asOf) agingBucket(asOf: $asOf) } }
    }
  }
}
"""

AGING_TODAY = """
query Aging($id: ID!) {
  account(id: $id) { invoices(first: 100) { edges { node { number daysOverdue agingBucket } } } }
}
"""

ACCOUNT_INVOICES = """
query Invoices($id: ID!, $first: Int, $after: String, $filter: InvoiceFilter) {
  account(id: $id) {
    invoices(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id number issuedOn status } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

INVOICE_TIMELINE = """
query InvoiceTimeline($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Invoice {
      timeline(first: $first, after: $after) {
        edges {
          node {
            id kind occurredAt summary team author { id }
            invoices { id }
            ... on InvoiceStatusChange { fromStatus toStatus }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""

STATUS_CHANGES = """
query StatusChanges($id: ID!, $since: DateTime!) {
  account(id: $id) {
    timeline(first: 100, filter: {kinds: [INVOICE_STATUS], since: $since}) {
      edges {
        node {
          id kind team author { id }
          invoices { id externalRef { id } status balance { amount } }
          ... on InvoiceStatusChange { fromStatus toStatus }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}
"""

LOG_NOTE = """
mutation LogNote($input: LogNoteInput!) {
  logNote(input: $input) { entry { id } userErrors { code message field } }
}
"""


def uid() -> str:
    return uuid.uuid4().hex[:12]


def ref(system: str = "erp") -> dict:
    return {"system": system, "id": uid()}


def invoice_input(
    account_ref: dict,
    *,
    ext: str | None = None,
    number: str | None = None,
    issued: date = date(2026, 1, 10),
    due: date | None = None,
    currency: str = "EUR",
    total: str = "100.00",
    balance: str | None = None,
    status: str = "OPEN",
) -> dict:
    ext = ext or uid()
    return {
        "externalRef": {"system": "erp", "id": ext},
        "accountRef": account_ref,
        "number": number or f"INV-{ext}",
        "issuedOn": issued.isoformat(),
        "dueOn": (due or issued + timedelta(days=30)).isoformat(),
        "currency": currency,
        "total": total,
        "balance": total if balance is None else balance,
        "status": status,
    }


async def new_account(caller, name: str = "Invoice test") -> tuple[str, dict]:
    """An account with an external ref, created by a person; returns its id and ref."""
    account_ref = ref()
    data = await caller.gql(
        CREATE_ACCOUNT, {"input": {"name": f"{name} {uid()}", "externalRefs": [account_ref]}}
    )
    assert data["createAccount"]["userErrors"] == []
    return data["createAccount"]["account"]["id"], account_ref


async def upsert(caller, items: list[dict], document: str = UPSERT_INVOICES) -> dict:
    return (await caller.gql(document, {"input": items}))["upsertInvoices"]


def uuid_of(global_id: str) -> uuid.UUID:
    return ids.decode(global_id)[1]


async def footprint(pool, account_ids: list[str]) -> dict[str, int]:
    """What a write leaves behind on these accounts: rows per table."""
    uuids = [uuid_of(a) for a in account_ids]
    async with pool.acquire() as conn:
        return {
            table: await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE account_id = ANY($1::uuid[])",  # noqa: S608
                uuids,
            )
            for table in ("invoices", "entries", "entry_invoices", "audit_log", "outbox")
        }


async def invoice_rows(pool, account_ids: list[str]) -> dict[str, dict]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT * FROM invoices WHERE account_id = ANY($1::uuid[])", [uuid_of(a) for a in account_ids]
        )
    return {row["ext_id"]: dict(row) for row in rows}


@pytest.fixture
async def integration(make_caller):
    return await make_caller(Team.INTEGRATION, name="ERP sync")


@pytest.fixture
async def ar(make_caller):
    return await make_caller(Team.AR)


# ---------------------------------------------------------------- upsert basics


async def test_upsert_creates_invoices_on_the_account_named_by_its_external_ref(admin, integration):
    # given
    account_id, account_ref = await new_account(admin)
    items = [
        invoice_input(account_ref, number="INV-1", total="100.00", balance="100.00"),
        invoice_input(
            account_ref,
            number="INV-2",
            issued=date(2026, 2, 1),
            due=date(2026, 3, 3),
            currency="USD",
            total="250.50",
            balance="50.50",
            status="PARTIALLY_PAID",
        ),
    ]
    # when
    result = await upsert(integration, items)
    # then
    assert result["userErrors"] == []
    assert (result["created"], result["updated"], result["unchanged"]) == (2, 0, 0)
    first, second = result["invoices"]
    assert first["number"] == "INV-1"
    assert first["externalRef"] == items[0]["externalRef"]
    assert first["account"]["id"] == account_id
    assert first["status"] == "OPEN"
    assert first["total"] == {"amount": "100.00", "currency": "EUR"}
    assert second == {
        "id": second["id"],
        "number": "INV-2",
        "externalRef": items[1]["externalRef"],
        "issuedOn": "2026-02-01",
        "dueOn": "2026-03-03",
        "status": "PARTIALLY_PAID",
        "total": {"amount": "250.50", "currency": "USD"},
        "balance": {"amount": "50.50", "currency": "USD"},
        "account": {"id": account_id},
    }
    fetched = (await integration.gql(INVOICE_NODE, {"id": second["id"]}))["node"]
    assert fetched == second


async def test_upsert_is_keyed_by_external_ref_and_reports_created_updated_unchanged(admin, integration):
    # given
    account_id, account_ref = await new_account(admin)
    items = [invoice_input(account_ref, number=f"INV-{n}") for n in range(3)]
    created = await upsert(integration, items)
    assert created["created"] == 3
    # when the same items come again, then one with a new balance and number
    again = await upsert(integration, items)
    items[1] = {**items[1], "balance": "40.00", "status": "PARTIALLY_PAID", "number": "INV-1b"}
    changed = await upsert(integration, items)
    # then
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert [i["id"] for i in again["invoices"]] == [i["id"] for i in created["invoices"]]
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    assert [i["id"] for i in changed["invoices"]] == [i["id"] for i in created["invoices"]]
    updated = changed["invoices"][1]
    assert updated["number"] == "INV-1b"
    assert updated["balance"] == {"amount": "40.00", "currency": "EUR"}
    assert updated["status"] == "PARTIALLY_PAID"
    page = await integration.gql(ACCOUNT_INVOICES, {"id": account_id, "first": 10})
    assert len(page["account"]["invoices"]["edges"]) == 3


async def test_upsert_accounts_then_invoices_as_integration(integration):
    # given: the ERP creates its accounts itself
    account_ref = ref("erp")
    accounts = await integration.gql(
        UPSERT_ACCOUNTS, {"input": [{"externalRef": account_ref, "name": uid()}]}
    )
    assert accounts["upsertAccounts"]["userErrors"] == []
    account_id = accounts["upsertAccounts"]["accounts"][0]["id"]
    # when
    result = await upsert(integration, [invoice_input(account_ref)])
    # then
    assert result["userErrors"] == []
    assert result["invoices"][0]["account"]["id"] == account_id


@pytest.mark.parametrize("amount", ["1234.5678", "0.0001", "1250.00", "99999999.99", "0.50"])
async def test_amounts_keep_their_exact_decimals(admin, integration, pool, amount):
    # given
    account_id, account_ref = await new_account(admin)
    item = invoice_input(account_ref, total=amount, balance=amount)
    # when
    result = await upsert(integration, [item])
    # then: a string, digit for digit, in the payload, on read and in Postgres
    assert result["userErrors"] == []
    invoice = result["invoices"][0]
    assert invoice["total"]["amount"] == amount
    assert invoice["balance"]["amount"] == amount
    response = await integration.post(INVOICE_NODE, {"id": invoice["id"]})
    raw = response.text
    assert f'"amount":"{amount}"' in raw.replace(" ", "")
    assert response.json()["data"]["node"]["total"]["amount"] == amount
    row = (await invoice_rows(pool, [account_id]))[item["externalRef"]["id"]]
    assert row["total"] == Decimal(amount)
    assert row["balance"] == Decimal(amount)


async def test_an_amount_change_in_the_fourth_decimal_is_an_update(admin, integration):
    _account_id, account_ref = await new_account(admin)
    item = invoice_input(account_ref, total="1234.5678", balance="1234.5678")
    await upsert(integration, [item])
    # when
    result = await upsert(integration, [{**item, "balance": "1234.5677"}])
    # then
    assert (result["updated"], result["unchanged"]) == (1, 0)
    assert result["invoices"][0]["balance"]["amount"] == "1234.5677"
    assert result["invoices"][0]["total"]["amount"] == "1234.5678"


async def test_status_changes_write_invoice_status_entries_linked_to_the_invoice(admin, integration):
    # given
    _account_id, account_ref = await new_account(admin)
    item = invoice_input(account_ref)
    invoice_id = (await upsert(integration, [item]))["invoices"][0]["id"]
    # when
    await upsert(integration, [{**item, "balance": "0.00", "status": "PAID"}])
    # then
    edges = (await integration.gql(INVOICE_TIMELINE, {"id": invoice_id, "first": 10}))["node"]["timeline"]
    newest = edges["edges"][0]["node"]
    assert newest["kind"] == "INVOICE_STATUS"
    assert (newest["fromStatus"], newest["toStatus"]) == ("OPEN", "PAID")
    assert newest["author"] is None
    assert newest["team"] == "INTEGRATION"
    assert newest["invoices"] == [{"id": invoice_id}]
    assert item["number"] in newest["summary"]


# ---------------------------------------------------------------- journey 5


async def test_journey_5_erp_sync_of_5000_invoices_in_batches(integration, pool):
    """5,000 invoices in batches of 1,000; the same again is a no-op; 50 paid write 50 entries."""
    # given: the ERP's accounts
    account_refs = [ref("erp") for _ in range(5)]
    accounts = await integration.gql(
        UPSERT_ACCOUNTS, {"input": [{"externalRef": r, "name": f"ERP {r['id']}"} for r in account_refs]}
    )
    assert accounts["upsertAccounts"]["userErrors"] == []
    account_ids = [a["id"] for a in accounts["upsertAccounts"]["accounts"]]
    run = uid()
    invoices = [
        invoice_input(
            account_refs[n % 5],
            ext=f"{run}-{n:04d}",
            number=f"J5-{run}-{n:04d}",
            issued=date(2026, 1, 1) + timedelta(days=n % 90),
            total=f"{100 + n}.{n % 100:02d}",
        )
        for n in range(5_000)
    ]
    batches = [invoices[i : i + 1_000] for i in range(0, 5_000, 1_000)]

    # when: the first run
    for batch in batches:
        result = await upsert(integration, batch, UPSERT_INVOICES_COUNTS)
        assert result["userErrors"] == []
        assert (result["created"], result["updated"], result["unchanged"]) == (1_000, 0, 0)
    after_first = await footprint(pool, account_ids)
    rows_first = await invoice_rows(pool, account_ids)
    assert after_first["invoices"] == 5_000

    # when: the same batches again
    for batch in batches:
        result = await upsert(integration, batch, UPSERT_INVOICES_COUNTS)
        assert result["userErrors"] == []
        assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 1_000)
    # then: nothing was written, not even an audit or outbox row
    assert await footprint(pool, account_ids) == after_first
    assert await invoice_rows(pool, account_ids) == rows_first

    # when: a run where exactly 50 invoices went OPEN -> PAID
    paid = set(random.Random(5).sample(range(5_000), 50))
    for n in paid:
        invoices[n] = {**invoices[n], "balance": "0.00", "status": "PAID"}
    async with pool.acquire() as conn:
        since = await conn.fetchval("SELECT now()")
        entries_before = {
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM entries WHERE account_id = ANY($1::uuid[])", [uuid_of(a) for a in account_ids]
            )
        }
    for b, batch in enumerate(batches):
        batch = invoices[b * 1_000 : (b + 1) * 1_000]
        changed = len([n for n in paid if b * 1_000 <= n < (b + 1) * 1_000])
        result = await upsert(integration, batch, UPSERT_INVOICES_COUNTS)
        assert result["userErrors"] == []
        assert (result["created"], result["updated"], result["unchanged"]) == (0, changed, 1_000 - changed)

    # then: exactly 50 INVOICE_STATUS entries, each linked to its invoice, and nothing else changed
    after_third = await footprint(pool, account_ids)
    assert after_third["invoices"] == 5_000
    assert after_third["entries"] == after_first["entries"] + 50
    assert after_third["entry_invoices"] == after_first["entry_invoices"] + 50
    paid_refs = {invoices[n]["externalRef"]["id"] for n in paid}
    rows_third = await invoice_rows(pool, account_ids)
    for ext_id, row in rows_third.items():
        if ext_id in paid_refs:
            assert (row["status"], row["balance"]) == ("PAID", Decimal(0))
            assert row["updated_at"] > rows_first[ext_id]["updated_at"]
        else:
            assert row == rows_first[ext_id]
    paid_invoice_ids = {rows_third[e]["id"] for e in paid_refs}
    async with pool.acquire() as conn:
        new_entries = await conn.fetch(
            "SELECT e.*, ei.invoice_id FROM entries e"
            " JOIN entry_invoices ei ON ei.account_id = e.account_id AND ei.entry_id = e.id"
            " WHERE e.account_id = ANY($1::uuid[]) AND NOT (e.id = ANY($2::uuid[]))",
            [uuid_of(a) for a in account_ids],
            list(entries_before),
        )
        audited = await conn.fetch(
            "SELECT * FROM audit_log WHERE account_id = ANY($1::uuid[]) AND at >= $2",
            [uuid_of(a) for a in account_ids],
            since,
        )
        queued = await conn.fetch(
            "SELECT * FROM outbox WHERE account_id = ANY($1::uuid[]) AND created_at >= $2",
            [uuid_of(a) for a in account_ids],
            since,
        )
    assert len(new_entries) == 50
    assert {e["invoice_id"] for e in new_entries} == paid_invoice_ids
    for entry in new_entries:
        assert entry["kind"] == "INVOICE_STATUS"
        assert entry["author_id"] is None
        assert entry["team"] == "INTEGRATION"
        assert (entry["from_status"], entry["to_status"]) == ("OPEN", "PAID")
    new_entry_ids = {e["id"] for e in new_entries}
    assert {a["entity_id"] for a in audited} <= paid_invoice_ids | new_entry_ids
    assert paid_invoice_ids <= {a["entity_id"] for a in audited}
    assert {q["entity_id"] for q in queued} == paid_invoice_ids | new_entry_ids

    # and the API shows the same 50, on the accounts' timelines
    seen = []
    for account_id in account_ids:
        timeline = (await integration.gql(STATUS_CHANGES, {"id": account_id, "since": since.isoformat()}))[
            "account"
        ]["timeline"]
        assert timeline["pageInfo"]["hasNextPage"] is False
        seen.extend(edge["node"] for edge in timeline["edges"])
    assert len(seen) == 50
    assert {node["invoices"][0]["externalRef"]["id"] for node in seen} == paid_refs
    for node in seen:
        assert (node["kind"], node["team"], node["author"]) == ("INVOICE_STATUS", "INTEGRATION", None)
        assert (node["fromStatus"], node["toStatus"]) == ("OPEN", "PAID")
        assert len(node["invoices"]) == 1
        assert node["invoices"][0]["status"] == "PAID"
        assert node["invoices"][0]["balance"]["amount"] == "0.00"


# ---------------------------------------------------------------- all or nothing


def _bad(kind: str, item: dict) -> tuple[dict, list[str], str]:
    """Item made invalid in one way; the field named (below the item) and the code expected."""
    match kind:
        case "dueOn before issuedOn":
            return {**item, "issuedOn": "2026-03-10", "dueOn": "2026-03-09"}, ["dueOn"], "INVALID"
        case "balance above total":
            return {**item, "total": "100.00", "balance": "100.01"}, ["balance"], "INVALID"
        case "bad currency":
            return {**item, "currency": "EURO"}, ["currency"], "INVALID"
        case "unknown accountRef":
            return {**item, "accountRef": ref("nowhere")}, ["accountRef"], "NOT_FOUND"
        case "blank accountRef id":
            return {**item, "accountRef": {"system": "erp", "id": " "}}, ["accountRef", "id"], "INVALID"
        case "negative balance":
            return {**item, "balance": "-1.00"}, ["balance"], "INVALID"
        case "five decimals":
            return {**item, "total": "1.00001", "balance": "1.00"}, ["total"], "INVALID"
        case "PAID with a balance":
            return {**item, "balance": "1.00", "status": "PAID"}, ["balance"], "INVALID"
    raise AssertionError(kind)


BAD_KINDS = [
    "dueOn before issuedOn",
    "balance above total",
    "bad currency",
    "unknown accountRef",
    "blank accountRef id",
    "negative balance",
    "five decimals",
    "PAID with a balance",
]


@pytest.mark.parametrize(
    ("kind_2", "kind_7"),
    [(kind, kind) for kind in BAD_KINDS]
    + [
        ("dueOn before issuedOn", "unknown accountRef"),
        ("unknown accountRef", "bad currency"),
        ("balance above total", "dueOn before issuedOn"),
    ],
)
async def test_a_batch_with_bad_items_writes_nothing_and_names_each_by_index(
    admin, integration, pool, kind_2, kind_7
):
    # given: ten invoices already known, and a batch that changes all of them and adds two
    account_id, account_ref = await new_account(admin)
    items = [invoice_input(account_ref, number=f"INV-{n}") for n in range(10)]
    await upsert(integration, items)
    before = await footprint(pool, [account_id])
    rows_before = await invoice_rows(pool, [account_id])
    batch = [{**item, "balance": "1.00", "status": "PARTIALLY_PAID"} for item in items]
    batch += [invoice_input(account_ref), invoice_input(account_ref)]
    batch[2], field_2, code_2 = _bad(kind_2, batch[2])
    batch[7], field_7, code_7 = _bad(kind_7, batch[7])
    # when
    result = await upsert(integration, batch)
    # then
    errors = sorted(result["userErrors"], key=lambda e: e["field"])
    assert [(e["code"], e["field"]) for e in errors] == [
        (code_2, ["input", "2", *field_2]),
        (code_7, ["input", "7", *field_7]),
    ]
    assert all(e["message"] for e in errors)
    assert (result["invoices"], result["created"], result["updated"], result["unchanged"]) == ([], 0, 0, 0)
    assert await footprint(pool, [account_id]) == before
    assert await invoice_rows(pool, [account_id]) == rows_before


async def test_the_same_invoice_twice_in_a_batch_is_invalid(admin, integration, pool):
    account_id, account_ref = await new_account(admin)
    item = invoice_input(account_ref)
    # when
    result = await upsert(integration, [invoice_input(account_ref), item, {**item, "balance": "1.00"}])
    # then
    assert [e["code"] for e in result["userErrors"]] == ["INVALID"]
    assert result["userErrors"][0]["field"][:2] == ["input", "2"]
    assert (await footprint(pool, [account_id]))["invoices"] == 0


async def test_more_than_1000_invoices_is_limit_exceeded_and_writes_nothing(admin, integration, pool):
    # given
    account_id, account_ref = await new_account(admin)
    batch = [invoice_input(account_ref) for _ in range(1_001)]
    before = await footprint(pool, [account_id])
    # when
    result = await upsert(integration, batch, UPSERT_INVOICES_COUNTS)
    # then
    assert "LIMIT_EXCEEDED" in [e["code"] for e in result["userErrors"]]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 0)
    assert await footprint(pool, [account_id]) == before
    assert before["invoices"] == 0


# ---------------------------------------------------------------- aging

AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "CURRENT"),
        (0, "CURRENT"),
        (1, "DAYS_1_30"),
        (30, "DAYS_1_30"),
        (31, "DAYS_31_60"),
        (60, "DAYS_31_60"),
        (61, "DAYS_61_90"),
        (90, "DAYS_61_90"),
        (91, "DAYS_91_PLUS"),
        (400, "DAYS_91_PLUS"),
    ],
)
async def test_days_overdue_and_aging_bucket_at_each_boundary(admin, integration, days_past_due, bucket):
    # given
    account_id, account_ref = await new_account(admin)
    due = AS_OF - timedelta(days=days_past_due)
    await upsert(integration, [invoice_input(account_ref, issued=due - timedelta(days=30), due=due)])
    # when
    data = await admin.gql(AGING, {"id": account_id, "asOf": AS_OF.isoformat()})
    # then
    node = data["account"]["invoices"]["edges"][0]["node"]
    assert node["daysOverdue"] == max(days_past_due, 0)
    assert node["agingBucket"] == bucket


async def test_nothing_is_overdue_when_paid_void_written_off_or_without_balance(admin, integration):
    # given: all due 100 days before AS_OF
    account_id, account_ref = await new_account(admin)
    due = AS_OF - timedelta(days=100)
    cases = {
        "paid": ("PAID", "0.00", 0, "CURRENT"),
        "void": ("VOID", "80.00", 0, "CURRENT"),
        "written-off": ("WRITTEN_OFF", "80.00", 0, "CURRENT"),
        "zero-balance": ("OPEN", "0.00", 0, "CURRENT"),
        "partly-paid": ("PARTIALLY_PAID", "10.00", 100, "DAYS_91_PLUS"),
        "disputed": ("DISPUTED", "80.00", 100, "DAYS_91_PLUS"),
        "open": ("OPEN", "80.00", 100, "DAYS_91_PLUS"),
    }
    await upsert(
        integration,
        [
            invoice_input(
                account_ref,
                number=name,
                issued=due - timedelta(days=30),
                due=due,
                status=status,
                balance=balance,
            )
            for name, (status, balance, _, _) in cases.items()
        ],
    )
    # when
    data = await admin.gql(AGING, {"id": account_id, "asOf": AS_OF.isoformat()})
    # then
    got = {
        e["node"]["number"]: (e["node"]["daysOverdue"], e["node"]["agingBucket"])
        for e in data["account"]["invoices"]["edges"]
    }
    assert got == {name: (days, bucket) for name, (_, _, days, bucket) in cases.items()}


async def test_days_overdue_defaults_to_today(admin, integration):
    account_id, account_ref = await new_account(admin)
    today = datetime.now(UTC).date()
    await upsert(
        integration,
        [
            invoice_input(
                account_ref, number="late", issued=today - timedelta(days=45), due=today - timedelta(days=10)
            ),
            invoice_input(account_ref, number="not-due", issued=today, due=today + timedelta(days=10)),
        ],
    )
    data = await admin.gql(AGING_TODAY, {"id": account_id})
    got = {e["node"]["number"]: e["node"] for e in data["account"]["invoices"]["edges"]}
    assert (got["late"]["daysOverdue"], got["late"]["agingBucket"]) == (10, "DAYS_1_30")
    assert (got["not-due"]["daysOverdue"], got["not-due"]["agingBucket"]) == (0, "CURRENT")


# ---------------------------------------------------------------- Account.invoices


async def _page_through(caller, account_id: str, first: int, filter_: dict | None = None) -> list[list[dict]]:
    pages, after = [], None
    while True:
        data = await caller.gql(
            ACCOUNT_INVOICES, {"id": account_id, "first": first, "after": after, "filter": filter_}
        )
        connection = data["account"]["invoices"]
        pages.append([edge["node"] for edge in connection["edges"]])
        assert [e["cursor"] for e in connection["edges"]][-1:] == (
            [connection["pageInfo"]["endCursor"]] if connection["edges"] else []
        )
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]
        assert len(pages) < 20, "pagination does not end"


@pytest.fixture
async def mixed_invoices(admin, integration) -> tuple[str, dict[str, dict]]:
    """An account with invoices of every kind; several share an issue date."""
    account_id, account_ref = await new_account(admin)
    today = datetime.now(UTC).date()
    past = date(2025, 3, 1)
    specs = {
        "open-late-a": {"issued": past, "due": past + timedelta(days=30)},
        "open-late-b": {"issued": past, "due": past + timedelta(days=30)},
        "open-late-c": {"issued": past, "due": past + timedelta(days=30)},
        "open-not-due": {"issued": today, "due": today + timedelta(days=60)},
        "part-late": {"issued": past + timedelta(days=5), "status": "PARTIALLY_PAID", "balance": "10.00"},
        "paid": {"issued": past + timedelta(days=10), "status": "PAID", "balance": "0.00"},
        "void": {"issued": past + timedelta(days=15), "status": "VOID"},
        "draft": {"issued": past + timedelta(days=20), "status": "DRAFT"},
        "disputed-late": {"issued": past + timedelta(days=25), "status": "DISPUTED"},
        "open-no-balance": {"issued": past + timedelta(days=30), "balance": "0.00"},
    }
    result = await upsert(integration, [invoice_input(account_ref, number=n, **s) for n, s in specs.items()])
    assert result["userErrors"] == []
    return account_id, {i["number"]: i for i in result["invoices"]}


async def test_account_invoices_pages_newest_issued_first_without_gaps_or_repeats(admin, mixed_invoices):
    account_id, by_number = mixed_invoices
    # when
    pages = await _page_through(admin, account_id, first=3)
    # then
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    nodes = [node for page in pages for node in page]
    assert sorted(n["number"] for n in nodes) == sorted(by_number)
    assert len({n["id"] for n in nodes}) == len(nodes)
    issued = [n["issuedOn"] for n in nodes]
    assert issued == sorted(issued, reverse=True)
    assert nodes[0]["number"] == "open-not-due"


async def test_account_invoices_filter_by_status(admin, mixed_invoices):
    account_id, _ = mixed_invoices
    paid = await _page_through(admin, account_id, first=50, filter_={"status": ["PAID"]})
    assert [n["number"] for page in paid for n in page] == ["paid"]
    several = await _page_through(admin, account_id, first=1, filter_={"status": ["OPEN", "PARTIALLY_PAID"]})
    assert [len(p) for p in several] == [1] * 6
    assert {n["number"] for page in several for n in page} == {
        "open-late-a",
        "open-late-b",
        "open-late-c",
        "open-not-due",
        "part-late",
        "open-no-balance",
    }


async def test_account_invoices_overdue_only(admin, mixed_invoices):
    account_id, _ = mixed_invoices
    # when
    overdue = await _page_through(admin, account_id, first=2, filter_={"overdueOnly": True})
    open_overdue = await _page_through(
        admin, account_id, first=50, filter_={"overdueOnly": True, "status": ["OPEN"]}
    )
    everything = await _page_through(admin, account_id, first=50, filter_={"overdueOnly": False})
    # then
    assert [len(p) for p in overdue] == [2, 2, 1]
    assert {n["number"] for page in overdue for n in page} == {
        "open-late-a",
        "open-late-b",
        "open-late-c",
        "part-late",
        "disputed-late",
    }
    assert {n["number"] for page in open_overdue for n in page} == {
        "open-late-a",
        "open-late-b",
        "open-late-c",
    }
    assert len(everything[0]) == 10


async def test_account_invoices_rejects_a_cursor_it_did_not_give_out(admin, mixed_invoices):
    account_id, _ = mixed_invoices
    response = await admin.post(ACCOUNT_INVOICES, {"id": account_id, "first": 2, "after": "not-a-cursor"})
    body = response.json()
    assert body["errors"]
    assert "Traceback" not in response.text


# ---------------------------------------------------------------- Invoice.timeline


async def test_invoice_timeline_lists_the_entries_linked_to_the_invoice(admin, ar, integration):
    # given: two invoices, notes about one, both and neither, and a status change of one
    account_id, account_ref = await new_account(admin)
    a_item, b_item = invoice_input(account_ref, number="A"), invoice_input(account_ref, number="B")
    created = await upsert(integration, [a_item, b_item])
    a_id, b_id = (i["id"] for i in created["invoices"])
    a_status = (await integration.gql(INVOICE_TIMELINE, {"id": a_id}))["node"]["timeline"]["edges"]
    b_status = (await integration.gql(INVOICE_TIMELINE, {"id": b_id}))["node"]["timeline"]["edges"]

    async def note(summary: str, invoice_ids: list[str], occurred: str) -> str:
        data = await ar.gql(
            LOG_NOTE,
            {
                "input": {
                    "accountId": account_id,
                    "summary": summary,
                    "invoiceIds": invoice_ids,
                    "occurredAt": occurred,
                }
            },
        )
        assert data["logNote"]["userErrors"] == []
        return data["logNote"]["entry"]["id"]

    about_a = await note("about A", [a_id], "2026-01-02T10:00:00Z")
    about_both = await note("about A and B", [a_id, b_id], "2026-01-03T10:00:00Z")
    await note("about nothing", [], "2026-01-04T10:00:00Z")
    await upsert(integration, [{**a_item, "balance": "0.00", "status": "PAID"}])
    # when
    pages, after = [], None
    while True:
        timeline = (await ar.gql(INVOICE_TIMELINE, {"id": a_id, "first": 2, "after": after}))["node"][
            "timeline"
        ]
        pages.append([e["node"] for e in timeline["edges"]])
        if not timeline["pageInfo"]["hasNextPage"]:
            break
        after = timeline["pageInfo"]["endCursor"]
    b_timeline = (await ar.gql(INVOICE_TIMELINE, {"id": b_id}))["node"]["timeline"]["edges"]
    # then
    nodes = [n for page in pages for n in page]
    assert [len(p) for p in pages] == [2, 2]
    assert all(a_id in [i["id"] for i in n["invoices"]] for n in nodes)
    occurred = [n["occurredAt"] for n in nodes]
    assert occurred == sorted(occurred, key=datetime.fromisoformat, reverse=True)
    assert nodes[0]["kind"] == "INVOICE_STATUS"
    assert (nodes[0]["fromStatus"], nodes[0]["toStatus"]) == ("OPEN", "PAID")
    assert {n["id"] for n in nodes[1:]} == {a_status[0]["node"]["id"], about_a, about_both}
    assert {e["node"]["id"] for e in b_timeline} == {b_status[0]["node"]["id"], about_both}
