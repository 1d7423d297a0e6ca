"""Entry mutations over HTTP: what each one writes, what it refuses, and that a refusal writes nothing.

Each test creates its own accounts (uniquely named) and asserts only on those;
"nothing was written" is checked by counting the account's rows in entries,
entry_revisions, entry_invoices, audit_log and outbox before and after.
"""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import pytest

from domain.teams import Team
from schema import ids

ENTRY_FIELDS = """
fragment E on TimelineEntry {
  id kind occurredAt recordedAt team summary body tags pinned visibility revision
  author { id email team }
  account { id name }
  contact { id name }
  invoices { id number }
  revisions { revision summary body tags editedBy { id email } editedAt }
  ... on Interaction { direction outcome }
  ... on CustomerNews { category }
  ... on PromiseToPay { amount { amount currency } promisedFor graceDays }
  ... on Dispute {
    reason disputeAmount: amount { amount currency } status resolvedAt resolution
  }
  ... on PaymentPlan { installments { dueOn amount { amount currency } } }
  ... on FollowUp { dueAt done assignee { id email } }
}
"""
ERRORS = "userErrors { code message field }"


def _entry_mutation(name: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ entry {{ ...E }} {ERRORS} }} }}"
        + ENTRY_FIELDS
    )


LOG_NOTE = _entry_mutation("logNote", "LogNoteInput")
LOG_INTERACTION = _entry_mutation("logInteraction", "LogInteractionInput")
LOG_NEWS = _entry_mutation("logNews", "LogNewsInput")
RECORD_PROMISE = _entry_mutation("recordPromise", "RecordPromiseInput")
OPEN_DISPUTE = _entry_mutation("openDispute", "OpenDisputeInput")
RESOLVE_DISPUTE = _entry_mutation("resolveDispute", "ResolveDisputeInput")
CREATE_PAYMENT_PLAN = _entry_mutation("createPaymentPlan", "CreatePaymentPlanInput")
CREATE_FOLLOW_UP = _entry_mutation("createFollowUp", "CreateFollowUpInput")
EDIT_ENTRY = _entry_mutation("editEntry", "EditEntryInput")
CANCEL_PROMISE = (
    f"mutation($id: ID!) {{ cancelPromise(id: $id) {{ entry {{ ...E }} {ERRORS} }} }}" + ENTRY_FIELDS
)
COMPLETE_FOLLOW_UP = (
    f"mutation($id: ID!) {{ completeFollowUp(id: $id) {{ entry {{ ...E }} {ERRORS} }} }}" + ENTRY_FIELDS
)
PIN_ENTRY = (
    "mutation($id: ID!, $pinned: Boolean!) {"
    f" pinEntry(id: $id, pinned: $pinned) {{ entry {{ ...E }} {ERRORS} }} }}" + ENTRY_FIELDS
)
DELETE_ENTRY = (
    "mutation($id: ID!, $reason: String!) {"
    f" deleteEntry(id: $id, reason: $reason) {{ deletedId {ERRORS} }} }}"
)

CREATE_ACCOUNT = f"""
mutation($input: CreateAccountInput!) {{ createAccount(input: $input) {{ account {{ id name }} {ERRORS} }} }}
"""
CREATE_CONTACT = f"""
mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ contact {{ id name }} {ERRORS} }} }}
"""
UPSERT_INVOICES = f"""
mutation($input: [InvoiceUpsertInput!]!) {{
  upsertInvoices(input: $input) {{ invoices {{ id number }} {ERRORS} }}
}}
"""
ME = "{ me { id email } }"
NODE = "query($id: ID!) { node(id: $id) { id ...E } }" + ENTRY_FIELDS
ACCOUNT_VIEW = (
    """
query($id: ID!) {
  account(id: $id) {
    pinned { ...E }
    timeline(first: 100) { edges { node { ...E } } }
  }
}
"""
    + ENTRY_FIELDS
)
INVOICE_TIMELINE = """
query($id: ID!) { node(id: $id) { ... on Invoice { timeline(first: 100) { edges { node { id kind } } } } } }
"""


# ---------------------------------------------------------------- helpers


def uid(global_id: str) -> UUID:
    return ids.decode(global_id)[1]


async def new_account(caller, ref: str | None = None) -> str:
    """A fresh account's global id; with `ref`, it carries the external ref ("erp", ref)."""
    refs = [{"system": "erp", "id": ref}] if ref else []
    data = await caller.gql(
        CREATE_ACCOUNT, {"input": {"name": f"Entries {uuid.uuid4().hex[:10]}", "externalRefs": refs}}
    )
    assert data["createAccount"]["userErrors"] == []
    return data["createAccount"]["account"]["id"]


async def new_contact(caller, account_id: str, name: str = "Bea Billing") -> str:
    data = await caller.gql(
        CREATE_CONTACT,
        {"input": {"accountId": account_id, "name": name, "email": f"{uuid.uuid4().hex[:8]}@example.com"}},
    )
    assert data["createContact"]["userErrors"] == []
    return data["createContact"]["contact"]["id"]


async def account_with_invoices(
    finance, count: int = 2, currency: str = "EUR", total: str = "1000.00"
) -> tuple[str, list[str]]:
    """An account with an external ref and `count` OPEN invoices pushed by `finance` (AR or ADMIN)."""
    ref = f"acct-{uuid.uuid4().hex[:10]}"
    account_id = await new_account(finance, ref)
    items = [
        {
            "externalRef": {"system": "erp", "id": f"inv-{uuid.uuid4().hex[:10]}"},
            "accountRef": {"system": "erp", "id": ref},
            "number": f"INV-{i + 1}-{uuid.uuid4().hex[:6]}",
            "issuedOn": "2026-01-01",
            "dueOn": "2026-01-31",
            "currency": currency,
            "total": total,
            "balance": total,
            "status": "OPEN",
        }
        for i in range(count)
    ]
    data = await finance.gql(UPSERT_INVOICES, {"input": items})
    assert data["upsertInvoices"]["userErrors"] == []
    return account_id, [invoice["id"] for invoice in data["upsertInvoices"]["invoices"]]


async def user_id(caller) -> str:
    return (await caller.gql(ME))["me"]["id"]


async def footprint(pool, account_id: str) -> dict[str, int]:
    """How many rows the account has in every table an entry mutation writes."""
    account = uid(account_id)
    async with pool.acquire() as conn:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM {table} WHERE account_id = $1", account)  # noqa: S608
            for table in ("entries", "entry_revisions", "entry_invoices", "audit_log", "outbox")
        }


async def entry_row(pool, entry_id: str):
    async with pool.acquire() as conn:
        return await conn.fetchrow("SELECT * FROM entries WHERE id = $1", uid(entry_id))


def errors(payload: dict) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


def ok(payload: dict) -> dict:
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload["entry"] is not None
    return payload["entry"]


async def note(caller, account_id: str, summary: str = "A note", **fields) -> dict:
    data = await caller.gql(LOG_NOTE, {"input": {"accountId": account_id, "summary": summary, **fields}})
    return ok(data["logNote"])


async def rejected(caller, pool, account_id: str, document: str, variables: dict, name: str) -> list:
    """Send a mutation that must be refused; assert it wrote nothing; return its (code, field)s."""
    before = await footprint(pool, account_id)
    data = await caller.gql(document, variables)
    payload = data[name]
    assert payload.get("entry", payload.get("deletedId")) is None
    assert payload["userErrors"], payload
    for error in payload["userErrors"]:
        assert error["message"]
    assert await footprint(pool, account_id) == before
    return errors(payload)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---------------------------------------------------------------- logNote


async def test_log_note_with_every_field(make_caller, pool):
    # given
    ar = await make_caller(Team.AR, name="Ann AR")
    account_id, invoice_ids = await account_with_invoices(ar)
    contact_id = await new_contact(ar, account_id, "Carl Contact")
    # when
    entry = await note(
        ar,
        account_id,
        "Spoke about the overdue invoice",
        body="**Markdown** body",
        contactId=contact_id,
        invoiceIds=[invoice_ids[1], invoice_ids[0], invoice_ids[1]],
        tags=["collections", "q1"],
        occurredAt="2026-02-03T10:15:00+01:00",
        visibility="RESTRICTED",
    )
    # then
    assert entry["kind"] == "NOTE"
    assert entry["summary"] == "Spoke about the overdue invoice"
    assert entry["body"] == "**Markdown** body"
    assert entry["tags"] == ["collections", "q1"]
    assert parse_time(entry["occurredAt"]) == datetime(2026, 2, 3, 9, 15, tzinfo=UTC)
    assert entry["visibility"] == "RESTRICTED"
    assert entry["team"] == "AR"
    assert entry["author"]["email"] == ar.user.email
    assert entry["account"]["id"] == account_id
    assert entry["contact"] == {"id": contact_id, "name": "Carl Contact"}
    assert sorted(i["id"] for i in entry["invoices"]) == sorted(invoice_ids)
    assert entry["revision"] == 1
    assert entry["revisions"] == []
    assert entry["pinned"] is False
    assert abs(parse_time(entry["recordedAt"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert (await ar.gql(NODE, {"id": entry["id"]}))["node"]["summary"] == entry["summary"]


async def test_log_note_defaults(make_caller):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    entry = await note(sales, account_id, "Just the summary")
    assert entry["body"] is None
    assert entry["tags"] == []
    assert entry["contact"] is None
    assert entry["invoices"] == []
    assert entry["visibility"] == "ALL_TEAMS"
    assert entry["team"] == "SALES"
    assert abs(parse_time(entry["occurredAt"]) - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("team", [Team.SALES, Team.SERVICE])
async def test_only_ar_and_admin_may_log_a_restricted_entry(make_caller, pool, team):
    caller = await make_caller(team)
    account_id = await new_account(caller)
    variables = {"input": {"accountId": account_id, "summary": "secret", "visibility": "RESTRICTED"}}
    assert await rejected(caller, pool, account_id, LOG_NOTE, variables, "logNote") == [
        ("FORBIDDEN", ["input", "visibility"])
    ]


async def test_an_integration_may_not_log_a_note(make_caller, pool):
    admin = await make_caller(Team.ADMIN)
    integration = await make_caller(Team.INTEGRATION)
    account_id = await new_account(admin)
    variables = {"input": {"accountId": account_id, "summary": "from the ERP"}}
    found = await rejected(integration, pool, account_id, LOG_NOTE, variables, "logNote")
    assert [code for code, _ in found] == ["FORBIDDEN"]


# ---------------------------------------------------------------- validation limits


async def test_summary_of_500_characters_and_body_of_50000_are_accepted(make_caller):
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    entry = await note(
        caller, account_id, "s" * 500, body="b" * 50_000, tags=[f"t{i:02d}" + "x" * 47 for i in range(20)]
    )
    assert len(entry["summary"]) == 500
    assert len(entry["body"]) == 50_000
    assert len(entry["tags"]) == 20
    assert all(len(tag) == 50 for tag in entry["tags"])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"summary": "s" * 501}, [("INVALID", ["input", "summary"])], id="summary-501"),
        pytest.param({"summary": ""}, [("INVALID", ["input", "summary"])], id="summary-empty"),
        pytest.param({"summary": "   \n\t "}, [("INVALID", ["input", "summary"])], id="summary-blank"),
        pytest.param({"body": "b" * 50_001}, [("INVALID", ["input", "body"])], id="body-50001"),
        pytest.param(
            {"tags": [f"tag{i}" for i in range(21)]}, [("INVALID", ["input", "tags"])], id="21-tags"
        ),
        pytest.param({"tags": ["ok", "", "fine"]}, [("INVALID", ["input", "tags", "1"])], id="empty-tag"),
        pytest.param({"tags": ["ok", "  "]}, [("INVALID", ["input", "tags", "1"])], id="blank-tag"),
        pytest.param(
            {"tags": ["a", "b", "c", "x" * 51]}, [("INVALID", ["input", "tags", "3"])], id="tag-51-chars"
        ),
        pytest.param(
            {"idempotencyKey": "k" * 201}, [("INVALID", ["input", "idempotencyKey"])], id="key-too-long"
        ),
        pytest.param({"idempotencyKey": ""}, [("INVALID", ["input", "idempotencyKey"])], id="key-empty"),
        pytest.param(
            {"occurredAt": "0001-01-01T00:00:00+14:00"},
            [("INVALID", ["input", "occurredAt"])],
            id="occurred-before-year-1-in-utc",
        ),
        pytest.param(
            {"occurredAt": "9999-12-31T23:00:00-14:00"},
            [("INVALID", ["input", "occurredAt"])],
            id="occurred-after-year-9999-in-utc",
        ),
    ],
)
async def test_log_note_rejects_invalid_text(make_caller, pool, fields, expected):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    variables = {"input": {"accountId": account_id, "summary": "fine", **fields}}
    assert await rejected(caller, pool, account_id, LOG_NOTE, variables, "logNote") == expected


async def test_every_problem_is_reported_at_once(make_caller, pool):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    variables = {"input": {"accountId": account_id, "summary": "", "body": "b" * 50_001, "tags": ["x" * 51]}}
    found = await rejected(caller, pool, account_id, LOG_NOTE, variables, "logNote")
    assert sorted(found) == sorted(
        [
            ("INVALID", ["input", "summary"]),
            ("INVALID", ["input", "body"]),
            ("INVALID", ["input", "tags", "0"]),
        ]
    )


async def test_unknown_or_foreign_ids_are_not_found(make_caller, pool):
    # given
    caller = await make_caller(Team.AR)
    account_id, _ = await account_with_invoices(caller, count=1)
    other_account, other_invoices = await account_with_invoices(caller, count=1)
    own_contact = await new_contact(caller, account_id)
    foreign_contact = await new_contact(caller, other_account)
    missing_account = ids.encode("Account", uuid.uuid4())
    base = {"accountId": account_id, "summary": "links"}

    async def refused(fields: dict) -> list:
        variables = {"input": {**base, **fields}}
        return await rejected(caller, pool, account_id, LOG_NOTE, variables, "logNote")

    # then
    assert await refused({"accountId": missing_account}) == [("NOT_FOUND", ["input", "accountId"])]
    assert await refused({"accountId": own_contact}) == [("NOT_FOUND", ["input", "accountId"])]
    assert await refused({"accountId": "not an id"}) == [("INVALID", ["input", "accountId"])]
    assert await refused({"contactId": ids.encode("Contact", uuid.uuid4())}) == [
        ("NOT_FOUND", ["input", "contactId"])
    ]
    assert await refused({"contactId": foreign_contact}) == [("NOT_FOUND", ["input", "contactId"])]
    assert await refused({"invoiceIds": [ids.encode("Invoice", uuid.uuid4())]}) == [
        ("NOT_FOUND", ["input", "invoiceIds", "0"])
    ]
    assert await refused({"contactId": own_contact, "invoiceIds": other_invoices}) == [
        ("NOT_FOUND", ["input", "invoiceIds", "0"])
    ]
    # and the account named by the foreign contact got nothing either
    assert (await footprint(pool, other_account))["entries"] == 1  # its invoice's INVOICE_STATUS entry


# ---------------------------------------------------------------- logInteraction and logNews


@pytest.mark.parametrize("kind", ["CALL", "EMAIL", "MEETING", "LETTER", "SMS"])
async def test_log_interaction_of_every_kind(make_caller, kind):
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    contact_id = await new_contact(caller, account_id)
    data = await caller.gql(
        LOG_INTERACTION,
        {
            "input": {
                "accountId": account_id,
                "kind": kind,
                "direction": "OUTBOUND",
                "outcome": "LEFT_MESSAGE",
                "summary": f"{kind} about the renewal",
                "contactId": contact_id,
            }
        },
    )
    entry = ok(data["logInteraction"])
    assert entry["kind"] == kind
    assert entry["direction"] == "OUTBOUND"
    assert entry["outcome"] == "LEFT_MESSAGE"
    assert entry["contact"]["id"] == contact_id
    assert entry["team"] == "SERVICE"


async def test_log_interaction_without_outcome(make_caller):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    data = await caller.gql(
        LOG_INTERACTION,
        {"input": {"accountId": account_id, "kind": "EMAIL", "direction": "INBOUND", "summary": "Got mail"}},
    )
    entry = ok(data["logInteraction"])
    assert (entry["kind"], entry["direction"], entry["outcome"]) == ("EMAIL", "INBOUND", None)


@pytest.mark.parametrize("kind", ["NOTE", "NEWS", "PROMISE_TO_PAY", "DISPUTE", "INVOICE_STATUS", "PAYMENT"])
async def test_log_interaction_refuses_kinds_that_are_not_interactions(make_caller, pool, kind):
    caller = await make_caller(Team.AR)
    account_id = await new_account(caller)
    variables = {"input": {"accountId": account_id, "kind": kind, "direction": "INBOUND", "summary": "x"}}
    found = await rejected(caller, pool, account_id, LOG_INTERACTION, variables, "logInteraction")
    assert found == [("INVALID", ["input", "kind"])]


async def test_log_news(make_caller):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    data = await sales.gql(
        LOG_NEWS,
        {
            "input": {
                "accountId": account_id,
                "category": "DOWNSIZING",
                "summary": "Closing the Leeds plant in Q1",
                "body": "Heard at the trade fair.",
                "tags": ["risk"],
                "occurredAt": "2026-03-01T08:00:00Z",
            }
        },
    )
    entry = ok(data["logNews"])
    assert entry["kind"] == "NEWS"
    assert entry["category"] == "DOWNSIZING"
    assert entry["summary"] == "Closing the Leeds plant in Q1"
    assert entry["body"] == "Heard at the trade fair."
    assert entry["tags"] == ["risk"]
    assert entry["team"] == "SALES"


async def test_log_news_validates_like_a_note(make_caller, pool):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    variables = {"input": {"accountId": account_id, "category": "MERGER_ACQUISITION", "summary": "m" * 501}}
    assert await rejected(sales, pool, account_id, LOG_NEWS, variables, "logNews") == [
        ("INVALID", ["input", "summary"])
    ]


# ---------------------------------------------------------------- promises


async def test_record_promise_with_defaults(make_caller, pool):
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar)
    data = await ar.gql(
        RECORD_PROMISE,
        {
            "input": {
                "accountId": account_id,
                "amount": "1200.00",
                "currency": "EUR",
                "promisedFor": "2026-11-27",
                "invoiceIds": invoice_ids,
            }
        },
    )
    entry = ok(data["recordPromise"])
    assert entry["kind"] == "PROMISE_TO_PAY"
    assert entry["amount"] == {"amount": "1200.00", "currency": "EUR"}
    assert entry["promisedFor"] == "2026-11-27"
    assert entry["graceDays"] == 3
    assert entry["summary"] == "Promise to pay 1200.00 EUR by 2026-11-27"
    assert sorted(i["id"] for i in entry["invoices"]) == sorted(invoice_ids)
    row = await entry_row(pool, entry["id"])
    assert row["grace_days"] == 3
    assert str(row["amount"]) == "1200.0000"


async def test_record_promise_with_grace_days_and_summary(make_caller):
    admin = await make_caller(Team.ADMIN)
    account_id = await new_account(admin)
    contact_id = await new_contact(admin, account_id)
    data = await admin.gql(
        RECORD_PROMISE,
        {
            "input": {
                "accountId": account_id,
                "amount": "99.5",
                "currency": "USD",
                "promisedFor": "2026-12-01",
                "graceDays": 0,
                "summary": "CFO promised on the phone",
                "body": "Will wire it",
                "contactId": contact_id,
            }
        },
    )
    entry = ok(data["recordPromise"])
    assert entry["graceDays"] == 0
    assert entry["summary"] == "CFO promised on the phone"
    assert entry["body"] == "Will wire it"
    assert entry["amount"] == {"amount": "99.50", "currency": "USD"}
    assert entry["contact"]["id"] == contact_id


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"amount": "0"}, [("INVALID", ["input", "amount"])], id="zero"),
        pytest.param({"amount": "0.00"}, [("INVALID", ["input", "amount"])], id="zero-cents"),
        pytest.param({"amount": "-5.00"}, [("INVALID", ["input", "amount"])], id="negative"),
        pytest.param({"amount": "10.12345"}, [("INVALID", ["input", "amount"])], id="5-decimals"),
        pytest.param({"amount": "1E+100"}, [("INVALID", ["input", "amount"])], id="huge"),
        pytest.param({"amount": "100000000000000"}, [("INVALID", ["input", "amount"])], id="1e14"),
        pytest.param({"amount": "NaN"}, [("INVALID", ["input", "amount"])], id="nan"),
        pytest.param({"amount": "Infinity"}, [("INVALID", ["input", "amount"])], id="infinity"),
        pytest.param({"graceDays": 91}, [("INVALID", ["input", "graceDays"])], id="grace-91"),
        pytest.param({"currency": "EURO"}, [("INVALID", ["input", "currency"])], id="currency-EURO"),
        pytest.param({"currency": "XYZ"}, [("INVALID", ["input", "currency"])], id="currency-XYZ"),
        pytest.param({"graceDays": -1}, [("INVALID", ["input", "graceDays"])], id="grace-negative"),
        pytest.param({"summary": "   "}, [("INVALID", ["input", "summary"])], id="blank-summary"),
    ],
)
async def test_record_promise_rejects(make_caller, pool, fields, expected):
    ar = await make_caller(Team.AR)
    account_id = await new_account(ar)
    variables = {
        "input": {
            "accountId": account_id,
            "amount": "100.00",
            "currency": "EUR",
            "promisedFor": "2026-11-27",
            **fields,
        }
    }
    assert await rejected(ar, pool, account_id, RECORD_PROMISE, variables, "recordPromise") == expected


async def test_a_promise_in_another_currency_than_its_invoice_is_invalid(make_caller, pool):
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar, count=1, currency="GBP")
    variables = {
        "input": {
            "accountId": account_id,
            "amount": "100.00",
            "currency": "EUR",
            "promisedFor": "2026-11-27",
            "invoiceIds": invoice_ids,
        }
    }
    assert await rejected(ar, pool, account_id, RECORD_PROMISE, variables, "recordPromise") == [
        ("INVALID", ["input", "invoiceIds", "0"])
    ]


@pytest.mark.parametrize("team", [Team.SALES, Team.SERVICE, Team.INTEGRATION])
async def test_only_ar_and_admin_record_promises_and_plans(make_caller, pool, team):
    admin = await make_caller(Team.ADMIN)
    caller = await make_caller(team)
    account_id = await new_account(admin)
    promise = {
        "input": {"accountId": account_id, "amount": "1.00", "currency": "EUR", "promisedFor": "2026-11-27"}
    }
    plan = {
        "input": {
            "accountId": account_id,
            "currency": "EUR",
            "installments": [{"dueOn": "2026-12-01", "amount": "10.00"}],
        }
    }
    found = await rejected(caller, pool, account_id, RECORD_PROMISE, promise, "recordPromise")
    assert [code for code, _ in found] == ["FORBIDDEN"]
    found = await rejected(caller, pool, account_id, CREATE_PAYMENT_PLAN, plan, "createPaymentPlan")
    assert [code for code, _ in found] == ["FORBIDDEN"]


async def _promise(caller, account_id: str) -> dict:
    data = await caller.gql(
        RECORD_PROMISE,
        {
            "input": {
                "accountId": account_id,
                "amount": "50.00",
                "currency": "EUR",
                "promisedFor": "2026-11-27",
            }
        },
    )
    return ok(data["recordPromise"])


async def test_cancel_promise_once(make_caller, pool):
    ar = await make_caller(Team.AR)
    account_id = await new_account(ar)
    promise = await _promise(ar, account_id)
    # when
    data = await ar.gql(CANCEL_PROMISE, {"id": promise["id"]})
    # then
    entry = ok(data["cancelPromise"])
    assert entry["id"] == promise["id"]
    assert (await entry_row(pool, promise["id"]))["cancelled_at"] is not None
    # and a second cancel is refused and changes nothing
    cancelled_at = (await entry_row(pool, promise["id"]))["cancelled_at"]
    found = await rejected(ar, pool, account_id, CANCEL_PROMISE, {"id": promise["id"]}, "cancelPromise")
    assert found == [("CONFLICT", ["id"])]
    assert (await entry_row(pool, promise["id"]))["cancelled_at"] == cancelled_at


async def test_cancel_promise_refuses_other_kinds_strangers_and_unknown_ids(make_caller, pool):
    ar = await make_caller(Team.AR)
    sales = await make_caller(Team.SALES)
    account_id = await new_account(ar)
    a_note = await note(ar, account_id)
    promise = await _promise(ar, account_id)
    assert await rejected(ar, pool, account_id, CANCEL_PROMISE, {"id": a_note["id"]}, "cancelPromise") == [
        ("INVALID", ["id"])
    ]
    found = await rejected(sales, pool, account_id, CANCEL_PROMISE, {"id": promise["id"]}, "cancelPromise")
    assert [code for code, _ in found] == ["FORBIDDEN"]
    missing = ids.encode("Entry", uuid.uuid4())
    assert await rejected(ar, pool, account_id, CANCEL_PROMISE, {"id": missing}, "cancelPromise") == [
        ("NOT_FOUND", ["id"])
    ]
    assert (await entry_row(pool, promise["id"]))["cancelled_at"] is None


# ---------------------------------------------------------------- disputes


async def _dispute(caller, account_id: str, invoice_ids: list[str], **fields) -> dict:
    data = await caller.gql(
        OPEN_DISPUTE,
        {
            "input": {
                "accountId": account_id,
                "invoiceIds": invoice_ids,
                "reason": "QUANTITY",
                "summary": "Only 40 of 50 units arrived",
                **fields,
            }
        },
    )
    return ok(data["openDispute"])


@pytest.mark.parametrize("team", [Team.SERVICE, Team.AR, Team.ADMIN])
async def test_open_dispute(make_caller, team):
    ar = await make_caller(Team.AR)
    caller = await make_caller(team)
    account_id, invoice_ids = await account_with_invoices(ar)
    entry = await _dispute(caller, account_id, invoice_ids[:1], amount="200.00", body="photos attached")
    assert entry["kind"] == "DISPUTE"
    assert entry["reason"] == "QUANTITY"
    assert entry["status"] == "OPEN"
    assert entry["disputeAmount"] == {"amount": "200.00", "currency": "EUR"}
    assert entry["resolvedAt"] is None
    assert entry["resolution"] is None
    assert [i["id"] for i in entry["invoices"]] == invoice_ids[:1]
    assert entry["team"] == team.value


async def test_open_dispute_without_amount(make_caller):
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar)
    entry = await _dispute(ar, account_id, invoice_ids)
    assert entry["disputeAmount"] is None
    assert len(entry["invoices"]) == 2


async def test_open_dispute_refusals(make_caller, pool):
    # given
    ar = await make_caller(Team.AR)
    sales = await make_caller(Team.SALES)
    account_id, invoice_ids = await account_with_invoices(ar)
    _, foreign_invoices = await account_with_invoices(ar, count=1)
    base = {"accountId": account_id, "reason": "PRICING", "summary": "Wrong price"}

    async def refused(caller, fields: dict) -> list:
        variables = {"input": {**base, **fields}}
        return await rejected(caller, pool, account_id, OPEN_DISPUTE, variables, "openDispute")

    # then
    assert await refused(ar, {"invoiceIds": []}) == [("INVALID", ["input", "invoiceIds"])]
    assert await refused(ar, {"invoiceIds": foreign_invoices}) == [
        ("NOT_FOUND", ["input", "invoiceIds", "0"])
    ]
    assert await refused(ar, {"invoiceIds": [invoice_ids[0], *foreign_invoices]}) == [
        ("NOT_FOUND", ["input", "invoiceIds", "1"])
    ]
    assert await refused(ar, {"invoiceIds": invoice_ids, "amount": "-1"}) == [
        ("INVALID", ["input", "amount"])
    ]
    assert await refused(ar, {"invoiceIds": invoice_ids, "summary": ""}) == [
        ("INVALID", ["input", "summary"])
    ]
    assert [code for code, _ in await refused(sales, {"invoiceIds": invoice_ids})] == ["FORBIDDEN"]


async def test_resolve_dispute(make_caller, pool):
    # given
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar)
    dispute = await _dispute(ar, account_id, invoice_ids[:1])
    # when
    data = await ar.gql(
        RESOLVE_DISPUTE,
        {"input": {"id": dispute["id"], "status": "RESOLVED", "resolution": "Credit note issued"}},
    )
    # then
    entry = ok(data["resolveDispute"])
    assert entry["status"] == "RESOLVED"
    assert entry["resolution"] == "Credit note issued"
    assert abs(parse_time(entry["resolvedAt"]) - datetime.now(UTC)) < timedelta(minutes=1)
    # and resolving it again is a conflict that changes nothing
    variables = {"input": {"id": dispute["id"], "status": "REJECTED", "resolution": "No"}}
    found = await rejected(ar, pool, account_id, RESOLVE_DISPUTE, variables, "resolveDispute")
    assert found == [("CONFLICT", ["input", "id"])]
    row = await entry_row(pool, dispute["id"])
    assert (row["dispute_status"], row["resolution"]) == ("RESOLVED", "Credit note issued")


async def test_reject_dispute(make_caller):
    service = await make_caller(Team.SERVICE)
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar)
    dispute = await _dispute(ar, account_id, invoice_ids)
    data = await service.gql(
        RESOLVE_DISPUTE,
        {"input": {"id": dispute["id"], "status": "REJECTED", "resolution": "Goods were delivered"}},
    )
    entry = ok(data["resolveDispute"])
    assert (entry["status"], entry["resolution"]) == ("REJECTED", "Goods were delivered")
    assert entry["resolvedAt"] is not None


async def test_resolve_dispute_refusals(make_caller, pool):
    ar = await make_caller(Team.AR)
    sales = await make_caller(Team.SALES)
    account_id, invoice_ids = await account_with_invoices(ar)
    dispute = await _dispute(ar, account_id, invoice_ids)
    a_note = await note(ar, account_id)

    async def refused(caller, fields: dict) -> list:
        variables = {"input": {"id": dispute["id"], "status": "RESOLVED", "resolution": "done", **fields}}
        return await rejected(caller, pool, account_id, RESOLVE_DISPUTE, variables, "resolveDispute")

    assert await refused(ar, {"status": "OPEN"}) == [("INVALID", ["input", "status"])]
    assert await refused(ar, {"resolution": "  "}) == [("INVALID", ["input", "resolution"])]
    assert await refused(ar, {"id": a_note["id"]}) == [("INVALID", ["input", "id"])]
    assert await refused(ar, {"id": ids.encode("Entry", uuid.uuid4())}) == [("NOT_FOUND", ["input", "id"])]
    assert [code for code, _ in await refused(sales, {})] == ["FORBIDDEN"]
    assert (await entry_row(pool, dispute["id"]))["dispute_status"] == "OPEN"


# ---------------------------------------------------------------- payment plans


async def test_create_payment_plan_sorts_installments(make_caller):
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar, count=1)
    data = await ar.gql(
        CREATE_PAYMENT_PLAN,
        {
            "input": {
                "accountId": account_id,
                "currency": "EUR",
                "installments": [
                    {"dueOn": "2027-03-01", "amount": "300"},
                    {"dueOn": "2027-01-01", "amount": "250.50"},
                    {"dueOn": "2027-02-01", "amount": "449.5"},
                ],
                "invoiceIds": invoice_ids,
            }
        },
    )
    entry = ok(data["createPaymentPlan"])
    assert entry["kind"] == "PAYMENT_PLAN"
    assert entry["installments"] == [
        {"dueOn": "2027-01-01", "amount": {"amount": "250.50", "currency": "EUR"}},
        {"dueOn": "2027-02-01", "amount": {"amount": "449.50", "currency": "EUR"}},
        {"dueOn": "2027-03-01", "amount": {"amount": "300.00", "currency": "EUR"}},
    ]
    assert entry["summary"] == "Payment plan: 3 installments, 1000.00 EUR in all"
    assert [i["id"] for i in entry["invoices"]] == invoice_ids


async def test_create_payment_plan_with_summary(make_caller):
    admin = await make_caller(Team.ADMIN)
    account_id = await new_account(admin)
    data = await admin.gql(
        CREATE_PAYMENT_PLAN,
        {
            "input": {
                "accountId": account_id,
                "currency": "CHF",
                "installments": [{"dueOn": "2027-01-15", "amount": "12.3456"}],
                "summary": "Agreed with their CFO",
            }
        },
    )
    entry = ok(data["createPaymentPlan"])
    assert entry["summary"] == "Agreed with their CFO"
    assert entry["installments"] == [
        {"dueOn": "2027-01-15", "amount": {"amount": "12.3456", "currency": "CHF"}}
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"installments": []}, [("INVALID", ["input", "installments"])], id="no-installments"),
        pytest.param(
            {
                "installments": [
                    {"dueOn": "2027-01-01", "amount": "5"},
                    {"dueOn": "2027-02-01", "amount": "0"},
                ]
            },
            [("INVALID", ["input", "installments", "1", "amount"])],
            id="zero-installment",
        ),
        pytest.param(
            {"installments": [{"dueOn": "2027-01-01", "amount": "-5"}]},
            [("INVALID", ["input", "installments", "0", "amount"])],
            id="negative-installment",
        ),
        pytest.param({"currency": "EURO"}, [("INVALID", ["input", "currency"])], id="bad-currency"),
        pytest.param(
            {"installments": [{"dueOn": "2027-01-01", "amount": "1E+100"}]},
            [("INVALID", ["input", "installments", "0", "amount"])],
            id="huge-installment",
        ),
        pytest.param(
            {"installments": [{"dueOn": "2027-01-01", "amount": "1"}] * 121},
            [("INVALID", ["input", "installments"])],
            id="121-installments",
        ),
    ],
)
async def test_create_payment_plan_rejects(make_caller, pool, fields, expected):
    ar = await make_caller(Team.AR)
    account_id = await new_account(ar)
    variables = {
        "input": {
            "accountId": account_id,
            "currency": "EUR",
            "installments": [{"dueOn": "2027-01-01", "amount": "5"}],
            **fields,
        }
    }
    assert (
        await rejected(ar, pool, account_id, CREATE_PAYMENT_PLAN, variables, "createPaymentPlan") == expected
    )


# ---------------------------------------------------------------- follow-ups


async def test_create_and_complete_a_follow_up(make_caller, pool):
    # given
    service = await make_caller(Team.SERVICE)
    ar = await make_caller(Team.AR)
    account_id = await new_account(service)
    assignee = await user_id(ar)
    # when
    data = await service.gql(
        CREATE_FOLLOW_UP,
        {
            "input": {
                "accountId": account_id,
                "summary": "Call back about the credit note",
                "dueAt": "2026-12-01T09:00:00Z",
                "assigneeId": assignee,
                "body": "They asked for Tuesday",
            }
        },
    )
    # then
    entry = ok(data["createFollowUp"])
    assert entry["kind"] == "FOLLOW_UP"
    assert parse_time(entry["dueAt"]) == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert entry["assignee"] == {"id": assignee, "email": ar.user.email}
    assert entry["done"] is False
    assert entry["author"]["email"] == service.user.email
    # when completed
    done = ok((await ar.gql(COMPLETE_FOLLOW_UP, {"id": entry["id"]}))["completeFollowUp"])
    assert done["done"] is True
    assert done["id"] == entry["id"]
    # and completing twice is refused
    found = await rejected(ar, pool, account_id, COMPLETE_FOLLOW_UP, {"id": entry["id"]}, "completeFollowUp")
    assert found == [("CONFLICT", ["id"])]


async def test_follow_up_without_assignee(make_caller):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    data = await sales.gql(
        CREATE_FOLLOW_UP,
        {"input": {"accountId": account_id, "summary": "Send brochure", "dueAt": "2026-12-02T09:00:00Z"}},
    )
    entry = ok(data["createFollowUp"])
    assert entry["assignee"] is None
    assert entry["done"] is False


async def test_follow_up_refusals(make_caller, pool):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    a_note = await note(sales, account_id)
    base = {"accountId": account_id, "summary": "Call back", "dueAt": "2026-12-02T09:00:00Z"}

    async def refused(fields: dict) -> list:
        variables = {"input": {**base, **fields}}
        return await rejected(sales, pool, account_id, CREATE_FOLLOW_UP, variables, "createFollowUp")

    assert await refused({"assigneeId": ids.encode("User", uuid.uuid4())}) == [
        ("NOT_FOUND", ["input", "assigneeId"])
    ]
    assert await refused({"assigneeId": account_id}) == [("NOT_FOUND", ["input", "assigneeId"])]
    assert await refused({"summary": ""}) == [("INVALID", ["input", "summary"])]
    assert await refused({"dueAt": "0001-01-01T00:00:00+01:00"}) == [("INVALID", ["input", "dueAt"])]
    found = await rejected(
        sales, pool, account_id, COMPLETE_FOLLOW_UP, {"id": a_note["id"]}, "completeFollowUp"
    )
    assert found == [("INVALID", ["id"])]


# ---------------------------------------------------------------- editEntry


def _edit(entry_id: str, revision: int, **fields) -> dict:
    return {"input": {"id": entry_id, "expectedRevision": revision, **fields}}


async def test_edit_entry_keeps_the_previous_text_as_a_revision(make_caller, pool):
    # given
    author = await make_caller(Team.SALES)
    admin = await make_caller(Team.ADMIN)
    account_id = await new_account(author)
    original = await note(author, account_id, "First text", body="first body", tags=["a"])
    # when the author edits, then an admin edits
    first = ok((await author.gql(EDIT_ENTRY, _edit(original["id"], 1, summary="Second text")))["editEntry"])
    second = ok(
        (await admin.gql(EDIT_ENTRY, _edit(original["id"], 2, body="third body", tags=["b", "c"])))[
            "editEntry"
        ]
    )
    # then
    assert first["revision"] == 2
    assert (first["summary"], first["body"], first["tags"]) == ("Second text", "first body", ["a"])
    assert second["revision"] == 3
    assert (second["summary"], second["body"], second["tags"]) == ("Second text", "third body", ["b", "c"])
    assert second["author"]["email"] == author.user.email  # the author stays the author
    revisions = second["revisions"]
    assert [r["revision"] for r in revisions] == [2, 1]
    assert revisions[0]["summary"] == "Second text"
    assert revisions[0]["body"] == "first body"
    assert revisions[0]["tags"] == ["a"]
    assert revisions[1] == {
        "revision": 1,
        "summary": "First text",
        "body": "first body",
        "tags": ["a"],
        "editedBy": {"id": original["author"]["id"], "email": author.user.email},
        "editedAt": original["recordedAt"],
    }
    # each kept version names who wrote it and when
    assert revisions[0]["editedBy"]["email"] == author.user.email
    assert parse_time(revisions[0]["editedAt"]) >= parse_time(revisions[1]["editedAt"])
    # and the history is readable through node(id) too
    assert (await admin.gql(NODE, {"id": original["id"]}))["node"]["revisions"] == revisions
    assert (await footprint(pool, account_id))["entry_revisions"] == 2


async def test_edit_entry_with_a_stale_revision_is_a_conflict(make_caller, pool):
    author = await make_caller(Team.AR)
    account_id = await new_account(author)
    entry = await note(author, account_id, "Original")
    ok((await author.gql(EDIT_ENTRY, _edit(entry["id"], 1, summary="Edited once")))["editEntry"])
    # when
    found = await rejected(
        author, pool, account_id, EDIT_ENTRY, _edit(entry["id"], 1, summary="Lost"), "editEntry"
    )
    # then
    assert found == [("CONFLICT", ["input", "expectedRevision"])]
    now = (await author.gql(NODE, {"id": entry["id"]}))["node"]
    assert (now["summary"], now["revision"]) == ("Edited once", 2)
    assert [r["summary"] for r in now["revisions"]] == ["Original"]
    # a revision from the future is stale too
    found = await rejected(
        author, pool, account_id, EDIT_ENTRY, _edit(entry["id"], 7, summary="Lost"), "editEntry"
    )
    assert found == [("CONFLICT", ["input", "expectedRevision"])]


async def test_edit_entry_refusals(make_caller, pool):
    ar = await make_caller(Team.AR)
    sales = await make_caller(Team.SALES)
    integration = await make_caller(Team.INTEGRATION)
    account_id = await new_account(ar)
    entry = await note(ar, account_id, "AR's note")

    async def refused(caller, variables: dict) -> list:
        return await rejected(caller, pool, account_id, EDIT_ENTRY, variables, "editEntry")

    assert await refused(sales, _edit(entry["id"], 1, summary="Mine now")) == [("FORBIDDEN", ["input", "id"])]
    assert [c for c, _ in await refused(integration, _edit(entry["id"], 1, summary="x"))] == ["FORBIDDEN"]
    assert await refused(ar, _edit(entry["id"], 1)) == [("INVALID", ["input"])]
    assert await refused(ar, _edit(entry["id"], 1, summary="s" * 501)) == [("INVALID", ["input", "summary"])]
    assert await refused(ar, _edit(entry["id"], 1, summary=" ")) == [("INVALID", ["input", "summary"])]
    assert await refused(ar, _edit(entry["id"], 1, body="b" * 50_001)) == [("INVALID", ["input", "body"])]
    assert await refused(ar, _edit(entry["id"], 1, tags=["t"] * 21)) == [("INVALID", ["input", "tags"])]
    missing = ids.encode("Entry", uuid.uuid4())
    assert await refused(ar, _edit(missing, 1, summary="x")) == [("NOT_FOUND", ["input", "id"])]
    assert await refused(ar, _edit(account_id, 1, summary="x")) == [("NOT_FOUND", ["input", "id"])]
    row = await entry_row(pool, entry["id"])
    assert (row["summary"], row["revision"]) == ("AR's note", 1)


async def test_journey_6_two_editors_at_once(make_caller, pool):
    """Two users edit the same note with the same expectedRevision at the same moment."""
    author = await make_caller(Team.AR)
    editors = [
        await make_caller(Team.ADMIN, name="Editor One"),
        await make_caller(Team.ADMIN, name="Editor Two"),
    ]
    account_id = await new_account(author)
    for round_ in range(5):
        # given
        entry = await note(author, account_id, f"Original {round_}", body="original body")
        texts = [f"Text of editor one {round_}", f"Text of editor two {round_}"]
        # when
        responses = await asyncio.gather(
            *(
                editor.gql(EDIT_ENTRY, _edit(entry["id"], 1, summary=text))
                for editor, text in zip(editors, texts, strict=True)
            )
        )
        # then
        payloads = [r["editEntry"] for r in responses]
        winners = [i for i, p in enumerate(payloads) if p["entry"] is not None]
        losers = [i for i, p in enumerate(payloads) if p["entry"] is None]
        assert len(winners) == 1, payloads
        assert len(losers) == 1, payloads
        assert errors(payloads[losers[0]]) == [("CONFLICT", ["input", "expectedRevision"])]
        winner = winners[0]
        now = (await author.gql(NODE, {"id": entry["id"]}))["node"]
        assert now["summary"] == texts[winner]
        assert now["revision"] == 2
        assert [(r["revision"], r["summary"], r["body"]) for r in now["revisions"]] == [
            (1, f"Original {round_}", "original body")
        ]
        async with pool.acquire() as conn:
            row = await conn.fetchrow("SELECT edited_by FROM entries WHERE id = $1", uid(entry["id"]))
            kept = await conn.fetchval(
                "SELECT count(*) FROM entry_revisions WHERE entry_id = $1", uid(entry["id"])
            )
        assert row["edited_by"] == editors[winner].user.id
        assert kept == 1


async def waiting_on_locks(conn, count: int) -> None:
    """Wait until `count` backends of this database wait for a lock (the requests are at the start line)."""
    for _ in range(1000):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {waiting} of {count} requests reached the lock")


async def test_journey_6_both_editors_hold_the_same_revision_inside_their_transactions(
    make_caller, pool, settings
):
    """The entry row is held locked until both edits wait for it, so both surely read revision 1 first."""
    # given
    author = await make_caller(Team.SALES)
    editors = [await make_caller(Team.ADMIN), await make_caller(Team.ADMIN)]
    account_id = await new_account(author)
    entry = await note(author, account_id, "Original text")
    texts = ["Winner? one", "Winner? two"]
    holder = await asyncpg.connect(settings.database_url)
    watcher = await asyncpg.connect(settings.database_url)
    try:
        lock = holder.transaction()
        await lock.start()
        await holder.execute("SELECT 1 FROM entries WHERE id = $1 FOR UPDATE", uid(entry["id"]))
        # when both edits are sent and both are blocked on the row
        sent = asyncio.gather(
            *(
                editor.gql(EDIT_ENTRY, _edit(entry["id"], 1, summary=text))
                for editor, text in zip(editors, texts, strict=True)
            )
        )
        await asyncio.sleep(0)
        try:
            await waiting_on_locks(watcher, 2)
        finally:
            await lock.rollback()
        responses = await sent
    finally:
        await holder.close()
        await watcher.close()
    # then
    payloads = [r["editEntry"] for r in responses]
    assert sorted(errors(p) for p in payloads) == [[], [("CONFLICT", ["input", "expectedRevision"])]]
    winner = next(i for i, p in enumerate(payloads) if p["entry"] is not None)
    now = (await author.gql(NODE, {"id": entry["id"]}))["node"]
    assert (now["summary"], now["revision"]) == (texts[winner], 2)
    assert [(r["revision"], r["summary"]) for r in now["revisions"]] == [(1, "Original text")]
    assert (await footprint(pool, account_id))["entry_revisions"] == 1


# ---------------------------------------------------------------- pinEntry


async def test_pin_and_unpin(make_caller):
    sales = await make_caller(Team.SALES)
    service = await make_caller(Team.SERVICE)
    account_id = await new_account(sales)
    older = await note(sales, account_id, "Older", occurredAt="2026-01-01T00:00:00Z")
    newer = await note(sales, account_id, "Newer", occurredAt="2026-02-01T00:00:00Z")
    await note(sales, account_id, "Never pinned")
    # when anyone pins
    pinned = ok((await service.gql(PIN_ENTRY, {"id": older["id"], "pinned": True}))["pinEntry"])
    ok((await sales.gql(PIN_ENTRY, {"id": newer["id"], "pinned": True}))["pinEntry"])
    # then
    assert pinned["pinned"] is True
    view = (await sales.gql(ACCOUNT_VIEW, {"id": account_id}))["account"]
    assert [e["id"] for e in view["pinned"]] == [newer["id"], older["id"]]
    # when unpinned
    unpinned = ok((await sales.gql(PIN_ENTRY, {"id": newer["id"], "pinned": False}))["pinEntry"])
    assert unpinned["pinned"] is False
    view = (await sales.gql(ACCOUNT_VIEW, {"id": account_id}))["account"]
    assert [e["id"] for e in view["pinned"]] == [older["id"]]


async def test_pin_refusals(make_caller, pool):
    sales = await make_caller(Team.SALES)
    integration = await make_caller(Team.INTEGRATION)
    account_id = await new_account(sales)
    entry = await note(sales, account_id)
    found = await rejected(
        integration, pool, account_id, PIN_ENTRY, {"id": entry["id"], "pinned": True}, "pinEntry"
    )
    assert [code for code, _ in found] == ["FORBIDDEN"]
    missing = ids.encode("Entry", uuid.uuid4())
    found = await rejected(sales, pool, account_id, PIN_ENTRY, {"id": missing, "pinned": True}, "pinEntry")
    assert found == [("NOT_FOUND", ["id"])]


# ---------------------------------------------------------------- deleteEntry


async def test_delete_entry_is_soft_and_hides_it_everywhere(make_caller, pool):
    # given
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar, count=1)
    kept = await note(ar, account_id, "Kept", invoiceIds=invoice_ids)
    doomed = await note(ar, account_id, "Doomed", invoiceIds=invoice_ids)
    ok((await ar.gql(PIN_ENTRY, {"id": doomed["id"], "pinned": True}))["pinEntry"])
    ok((await ar.gql(PIN_ENTRY, {"id": kept["id"], "pinned": True}))["pinEntry"])
    invoice_timeline = (await ar.gql(INVOICE_TIMELINE, {"id": invoice_ids[0]}))["node"]["timeline"]["edges"]
    assert doomed["id"] in [e["node"]["id"] for e in invoice_timeline]
    # when
    data = await ar.gql(DELETE_ENTRY, {"id": doomed["id"], "reason": "logged on the wrong account"})
    # then
    assert data["deleteEntry"] == {"deletedId": doomed["id"], "userErrors": []}
    view = (await ar.gql(ACCOUNT_VIEW, {"id": account_id}))["account"]
    timeline_ids = [e["node"]["id"] for e in view["timeline"]["edges"]]
    assert doomed["id"] not in timeline_ids
    assert kept["id"] in timeline_ids
    assert [e["id"] for e in view["pinned"]] == [kept["id"]]
    assert (await ar.gql(NODE, {"id": doomed["id"]}))["node"] is None
    invoice_timeline = (await ar.gql(INVOICE_TIMELINE, {"id": invoice_ids[0]}))["node"]["timeline"]["edges"]
    assert doomed["id"] not in [e["node"]["id"] for e in invoice_timeline]
    assert kept["id"] in [e["node"]["id"] for e in invoice_timeline]
    # and the row stays for audit
    row = await entry_row(pool, doomed["id"])
    assert row is not None
    assert row["summary"] == "Doomed"
    assert row["deleted_at"] is not None
    assert row["deleted_by"] == ar.user.id
    assert row["delete_reason"] == "logged on the wrong account"
    # and it cannot be changed or deleted again
    found = await rejected(
        ar, pool, account_id, DELETE_ENTRY, {"id": doomed["id"], "reason": "again"}, "deleteEntry"
    )
    assert found == [("NOT_FOUND", ["id"])]
    found = await rejected(ar, pool, account_id, EDIT_ENTRY, _edit(doomed["id"], 1, summary="x"), "editEntry")
    assert found == [("NOT_FOUND", ["input", "id"])]
    found = await rejected(ar, pool, account_id, PIN_ENTRY, {"id": doomed["id"], "pinned": True}, "pinEntry")
    assert found == [("NOT_FOUND", ["id"])]


async def test_who_may_delete_what(make_caller, pool):
    # given
    ar = await make_caller(Team.AR)
    sales = await make_caller(Team.SALES)
    admin = await make_caller(Team.ADMIN)
    integration = await make_caller(Team.INTEGRATION)
    account_id = await new_account(ar)
    ar_note = await note(ar, account_id, "AR wrote this")
    sales_note = await note(sales, account_id, "Sales wrote this")
    # then a SALES user cannot delete the AR user's note
    found = await rejected(
        sales, pool, account_id, DELETE_ENTRY, {"id": ar_note["id"], "reason": "no"}, "deleteEntry"
    )
    assert found == [("FORBIDDEN", ["id"])]
    found = await rejected(
        integration, pool, account_id, DELETE_ENTRY, {"id": sales_note["id"], "reason": "no"}, "deleteEntry"
    )
    assert [code for code, _ in found] == ["FORBIDDEN"]
    assert (await entry_row(pool, ar_note["id"]))["deleted_at"] is None
    # but their own
    data = await sales.gql(DELETE_ENTRY, {"id": sales_note["id"], "reason": "duplicate"})
    assert data["deleteEntry"] == {"deletedId": sales_note["id"], "userErrors": []}
    # and ADMIN may delete anyone's
    data = await admin.gql(DELETE_ENTRY, {"id": ar_note["id"], "reason": "cleanup"})
    assert data["deleteEntry"] == {"deletedId": ar_note["id"], "userErrors": []}
    row = await entry_row(pool, ar_note["id"])
    assert (row["deleted_by"], row["delete_reason"]) == (admin.user.id, "cleanup")


async def test_delete_needs_a_reason(make_caller, pool):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    entry = await note(sales, account_id)
    for reason in ("", "   "):
        found = await rejected(
            sales, pool, account_id, DELETE_ENTRY, {"id": entry["id"], "reason": reason}, "deleteEntry"
        )
        assert found == [("INVALID", ["reason"])]
    found = await rejected(
        sales, pool, account_id, DELETE_ENTRY, {"id": entry["id"], "reason": "r" * 501}, "deleteEntry"
    )
    assert found == [("INVALID", ["reason"])]
    assert (await entry_row(pool, entry["id"]))["deleted_at"] is None


# ---------------------------------------------------------------- audit and outbox


async def _changes(pool, account_id: str) -> tuple[list, list]:
    async with pool.acquire() as conn:
        audit = await conn.fetch(
            "SELECT actor_id, action, entity_type, entity_id FROM audit_log"
            " WHERE account_id = $1 ORDER BY id",
            uid(account_id),
        )
        outbox = await conn.fetch(
            "SELECT entity_type, entity_id, op FROM outbox WHERE account_id = $1 ORDER BY id", uid(account_id)
        )
    return [tuple(r) for r in audit], [tuple(r) for r in outbox]


async def test_every_entry_mutation_writes_one_audit_and_one_outbox_row(make_caller, pool):
    # given
    ar = await make_caller(Team.AR)
    account_id, invoice_ids = await account_with_invoices(ar, count=1)
    assignee = await user_id(ar)
    base = {"accountId": account_id}
    creations = [
        ("logNote", LOG_NOTE, {"input": {**base, "summary": "n"}}),
        (
            "logInteraction",
            LOG_INTERACTION,
            {"input": {**base, "summary": "c", "kind": "CALL", "direction": "INBOUND"}},
        ),
        ("logNews", LOG_NEWS, {"input": {**base, "summary": "n", "category": "EXPANSION"}}),
        (
            "recordPromise",
            RECORD_PROMISE,
            {"input": {**base, "amount": "5", "currency": "EUR", "promisedFor": "2026-12-01"}},
        ),
        (
            "openDispute",
            OPEN_DISPUTE,
            {"input": {**base, "invoiceIds": invoice_ids, "reason": "OTHER", "summary": "d"}},
        ),
        (
            "createPaymentPlan",
            CREATE_PAYMENT_PLAN,
            {"input": {**base, "currency": "EUR", "installments": [{"dueOn": "2027-01-01", "amount": "1"}]}},
        ),
        (
            "createFollowUp",
            CREATE_FOLLOW_UP,
            {"input": {**base, "summary": "f", "dueAt": "2026-12-01T00:00:00Z", "assigneeId": assignee}},
        ),
    ]
    created = {}
    for name, document, variables in creations:
        before = await _changes(pool, account_id)
        entries_before = (await footprint(pool, account_id))["entries"]
        # when
        entry = ok((await ar.gql(document, variables))[name])
        # then
        created[name] = entry["id"]
        audit, outbox = await _changes(pool, account_id)
        assert audit[len(before[0]) :] == [(ar.user.id, name, "entry", uid(entry["id"]))], name
        assert outbox[len(before[1]) :] == [("entry", uid(entry["id"]), "upsert")], name
        assert (await footprint(pool, account_id))["entries"] == entries_before + 1

    changes = [
        (
            "cancelPromise",
            CANCEL_PROMISE,
            {"id": created["recordPromise"]},
            created["recordPromise"],
            "upsert",
        ),
        (
            "resolveDispute",
            RESOLVE_DISPUTE,
            {"input": {"id": created["openDispute"], "status": "RESOLVED", "resolution": "ok"}},
            created["openDispute"],
            "upsert",
        ),
        (
            "completeFollowUp",
            COMPLETE_FOLLOW_UP,
            {"id": created["createFollowUp"]},
            created["createFollowUp"],
            "upsert",
        ),
        (
            "editEntry",
            EDIT_ENTRY,
            _edit(created["logNote"], 1, summary="edited"),
            created["logNote"],
            "upsert",
        ),
        ("pinEntry", PIN_ENTRY, {"id": created["logNews"], "pinned": True}, created["logNews"], "upsert"),
        (
            "deleteEntry",
            DELETE_ENTRY,
            {"id": created["logInteraction"], "reason": "r"},
            created["logInteraction"],
            "delete",
        ),
    ]
    for name, document, variables, entry_id, op in changes:
        before = await _changes(pool, account_id)
        entries_before = (await footprint(pool, account_id))["entries"]
        payload = (await ar.gql(document, variables))[name]
        assert payload["userErrors"] == [], (name, payload)
        audit, outbox = await _changes(pool, account_id)
        assert audit[len(before[0]) :] == [(ar.user.id, name, "entry", uid(entry_id))], name
        assert outbox[len(before[1]) :] == [("entry", uid(entry_id), op)], name
        assert (await footprint(pool, account_id))["entries"] == entries_before


async def test_rejected_changes_write_no_audit_or_outbox_rows(make_caller, pool):
    ar = await make_caller(Team.AR)
    sales = await make_caller(Team.SALES)
    account_id = await new_account(ar)
    entry = await note(ar, account_id, "v1")
    promise = await _promise(ar, account_id)
    ok((await ar.gql(EDIT_ENTRY, _edit(entry["id"], 1, summary="v2")))["editEntry"])
    ok((await ar.gql(CANCEL_PROMISE, {"id": promise["id"]}))["cancelPromise"])
    # each of these is refused and `rejected` checks the account's rows did not change
    await rejected(ar, pool, account_id, EDIT_ENTRY, _edit(entry["id"], 1, summary="stale"), "editEntry")
    await rejected(
        sales, pool, account_id, EDIT_ENTRY, _edit(entry["id"], 2, summary="not mine"), "editEntry"
    )
    await rejected(sales, pool, account_id, DELETE_ENTRY, {"id": entry["id"], "reason": "x"}, "deleteEntry")
    await rejected(ar, pool, account_id, CANCEL_PROMISE, {"id": promise["id"]}, "cancelPromise")
    await rejected(
        ar,
        pool,
        account_id,
        RECORD_PROMISE,
        {"input": {"accountId": account_id, "amount": "0", "currency": "EUR", "promisedFor": "2026-12-01"}},
        "recordPromise",
    )
