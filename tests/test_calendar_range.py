"""Dates are held to 1900-01-01 through 2199-12-31 (UTC): refused at every input, clamped in stored rows.

"0001-01-01" and "9999-12-31" used to be accepted; Postgres keeps them as
-infinity and infinity, which broke the collections queue, a promise's status,
the call brief and timeline paging for everyone. Every Date and DateTime field
of every mutation is tried here; the migration that repairs rows stored before
is tried on a database of its own.
"""

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import pytest

from api import migrate
from domain import promises
from domain.teams import Team
from domain.tokens import new_token, token_hash
from schema import ids, pagination
from store import users
from tests.conftest import app_client, create_database, drop_database

ERRORS = "userErrors { code field message }"
RANGE = "1900-01-01 to 2199-12-31 (UTC)"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _mutation(name: str, input_type: str, returns: str = "entry { id }") -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {returns} {ERRORS} }} }}"


CREATE_ACCOUNT = _mutation("createAccount", "CreateAccountInput", "account { id }")
CREATE_CONTACT = _mutation("createContact", "CreateContactInput", "contact { id version }")
UPSERT_INVOICES = (
    "mutation($input: [InvoiceUpsertInput!]!) { upsertInvoices(input: $input) { invoices { id } "
    + ERRORS
    + " } }"
)
NOTE = _mutation("logNote", "LogNoteInput", "entry { id occurredAt recordedAt }")
PROMISE = _mutation(
    "recordPromise", "RecordPromiseInput", "entry { id ... on PromiseToPay { promisedFor status } }"
)
TIMELINE = """
query ($id: ID!, $after: String) {
  account(id: $id) {
    timeline(first: 1, after: $after) {
      edges { node { id occurredAt } } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
BRIEF = "query ($id: ID!) { account(id: $id) { callBrief { openPromises { promisedFor status } } } }"
QUEUE = "{ collectionsQueue(first: 100) { edges { node { account { id } priority } } } }"
NODE = "query ($id: ID!) { node(id: $id) { ... on Note { occurredAt recordedAt } } }"

# (mutation, input type, the input with DATE where the date goes, the field path of the problem)
CASES = {
    "logNote.occurredAt": ("logNote", "LogNoteInput", {"summary": "s", "occurredAt": "DATE"}, ["occurredAt"]),
    "logInteraction.occurredAt": (
        "logInteraction",
        "LogInteractionInput",
        {"kind": "CALL", "direction": "OUTBOUND", "summary": "s", "occurredAt": "DATE"},
        ["occurredAt"],
    ),
    "logNews.occurredAt": (
        "logNews",
        "LogNewsInput",
        {"category": "OTHER", "summary": "s", "occurredAt": "DATE"},
        ["occurredAt"],
    ),
    "createFollowUp.dueAt": (
        "createFollowUp",
        "CreateFollowUpInput",
        {"summary": "s", "dueAt": "DATE"},
        ["dueAt"],
    ),
    "recordPromise.promisedFor": (
        "recordPromise",
        "RecordPromiseInput",
        {"amount": "10.00", "currency": "EUR", "promisedFor": "DAY"},
        ["promisedFor"],
    ),
    "createPaymentPlan.installments.dueOn": (
        "createPaymentPlan",
        "CreatePaymentPlanInput",
        {"currency": "EUR", "installments": [{"dueOn": "DAY", "amount": "10.00"}]},
        ["installments", "0", "dueOn"],
    ),
    "recordPayment.receivedOn": (
        "recordPayment",
        "RecordPaymentInput",
        {"amount": "10.00", "currency": "EUR", "receivedOn": "DAY"},
        ["receivedOn"],
    ),
    "createContact.windows.fromDate": (
        "createContact",
        "CreateContactInput",
        {"name": "Win", "windows": [{"kind": "PREFERRED", "fromDate": "DAY"}]},
        ["windows", "0", "fromDate"],
    ),
    "createContact.windows.untilDate": (
        "createContact",
        "CreateContactInput",
        {"name": "Win", "windows": [{"kind": "BLACKOUT", "untilDate": "DAY"}]},
        ["windows", "0", "untilDate"],
    ),
}
TOO_EARLY = {"DATE": "0001-01-01T00:00:00Z", "DAY": "0001-01-01"}
TOO_LATE = {"DATE": "9999-12-31T23:59:59.999999Z", "DAY": "9999-12-31"}
JUST_BEFORE = {"DATE": "1900-01-01T13:59:59+14:00", "DAY": "1899-12-31"}
JUST_AFTER = {"DATE": "2199-12-31T12:00:00-12:00", "DAY": "2200-01-01"}


def _with_date(value: object, dates: dict[str, str]) -> object:
    if isinstance(value, dict):
        return {k: _with_date(v, dates) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_date(v, dates) for v in value]
    return dates.get(value, value) if isinstance(value, str) else value


async def _new_account(caller) -> tuple[str, str]:
    """An account with an external ref of its own; its id and the ref's id."""
    ref = f"cal-{uuid.uuid4().hex[:10]}"
    data = await caller.gql(
        CREATE_ACCOUNT, {"input": {"name": f"Calendar {ref}", "externalRefs": [{"system": "erp", "id": ref}]}}
    )
    return data["createAccount"]["account"]["id"], ref


async def _footprint(pool, account_id: str) -> dict[str, int]:
    account = ids.decode(account_id)[1]
    async with pool.acquire() as conn:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM {table} WHERE account_id = $1", account)  # noqa: S608
            for table in (
                "entries",
                "invoices",
                "payments",
                "contacts",
                "contact_windows",
                "audit_log",
                "outbox",
            )
        }


@pytest.mark.parametrize("dates", [TOO_EARLY, TOO_LATE, JUST_BEFORE, JUST_AFTER], ids=lambda d: d["DAY"])
@pytest.mark.parametrize("case", list(CASES))
async def test_a_date_outside_the_range_is_a_user_error_that_writes_nothing(make_caller, pool, case, dates):
    caller = await make_caller(Team.ADMIN)
    account_id, _ = await _new_account(caller)
    name, input_type, fields, path = CASES[case]
    before = await _footprint(pool, account_id)
    data = await caller.gql(
        _mutation(name, input_type, ""), {"input": {"accountId": account_id, **_with_date(fields, dates)}}
    )
    assert [(e["code"], e["field"]) for e in data[name]["userErrors"]] == [("INVALID", ["input", *path])]
    assert RANGE in data[name]["userErrors"][0]["message"]
    assert await _footprint(pool, account_id) == before


@pytest.mark.parametrize("dates", [TOO_EARLY, TOO_LATE, JUST_BEFORE, JUST_AFTER], ids=lambda d: d["DAY"])
async def test_invoice_dates_outside_the_range_are_user_errors(make_caller, pool, dates):
    caller = await make_caller(Team.ADMIN)
    account_id, ref = await _new_account(caller)
    item = {
        "externalRef": {"system": "erp", "id": f"inv-{uuid.uuid4().hex[:10]}"},
        "accountRef": {"system": "erp", "id": ref},
        "number": "INV-1",
        "issuedOn": dates["DAY"],
        "dueOn": dates["DAY"],
        "currency": "EUR",
        "total": "100.00",
        "balance": "100.00",
        "status": "OPEN",
    }
    before = await _footprint(pool, account_id)
    data = await caller.gql(UPSERT_INVOICES, {"input": [item]})
    assert [(e["code"], e["field"]) for e in data["upsertInvoices"]["userErrors"]] == [
        ("INVALID", ["input", "0", "issuedOn"]),
        ("INVALID", ["input", "0", "dueOn"]),
    ]
    assert await _footprint(pool, account_id) == before


async def test_the_ends_of_the_range_are_accepted_and_page_through_the_timeline(make_caller):
    caller = await make_caller(Team.SALES)
    account_id, _ = await _new_account(caller)
    ends = ["1900-01-01T00:00:00Z", "1900-01-01T14:00:00+14:00", "2199-12-31T11:59:59.999999-12:00"]
    ends += ["2199-12-31T23:59:59.999999Z"]
    for at in ends:
        entry = (
            await caller.gql(NOTE, {"input": {"accountId": account_id, "summary": "end", "occurredAt": at}})
        )["logNote"]
        assert entry["userErrors"] == []
        assert datetime.fromisoformat(entry["entry"]["occurredAt"]) == datetime.fromisoformat(at)
    seen, after = [], None
    while True:
        page = (await caller.gql(TIMELINE, {"id": account_id, "after": after}))["account"]["timeline"]
        seen += [edge["node"]["occurredAt"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(ends)


SEARCH = 'query ($filter: SearchFilter) { search(query: "x", filter: $filter) { estimatedTotal } }'


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59Z", "2200-01-01T00:00:00Z"])
async def test_a_search_time_filter_outside_the_range_is_invalid(make_caller, value):
    caller = await make_caller(Team.SALES)
    for bound in ("since", "until"):
        body = (await caller.post(SEARCH, {"filter": {bound: value}})).json()
        assert body["errors"][0]["extensions"]["code"] == "INVALID", body
        assert RANGE in body["errors"][0]["message"]
    widest = {"since": "1900-01-01T00:00:00", "until": "2199-12-31T23:59:59.999999Z"}
    assert (await caller.gql(SEARCH, {"filter": widest}))["search"]["estimatedTotal"] >= 0


def test_the_cursor_of_an_infinite_timestamp_round_trips():
    """asyncpg reads an infinite timestamptz back as a naive datetime.max; its cursor must decode."""
    entry_id = uuid.uuid4()
    for stored in (datetime.max, datetime.min):
        cursor = pagination.encode(stored, entry_id)
        assert pagination.decode(cursor, pagination.TIMESTAMP, pagination.ID) == (
            stored.replace(tzinfo=UTC),
            entry_id,
        )


async def test_a_datetime_read_back_naive_is_written_with_its_offset(make_caller, pool):
    caller = await make_caller(Team.SALES)
    account_id, _ = await _new_account(caller)
    entry = (await caller.gql(NOTE, {"input": {"accountId": account_id, "summary": "old"}}))["logNote"][
        "entry"
    ]
    async with pool.acquire() as conn:  # a server-set time Postgres holds as -infinity reads back naive
        await conn.execute(
            "UPDATE entries SET recorded_at = '-infinity' WHERE id = $1", ids.decode(entry["id"])[1]
        )
    node = (await caller.gql(NODE, {"id": entry["id"]}))["node"]
    assert node["recordedAt"] == "0001-01-01T00:00:00+00:00"


async def test_a_promise_at_the_end_of_the_range_is_open_and_its_brief_answers(make_caller):
    caller = await make_caller(Team.AR)
    account_id, _ = await _new_account(caller)
    variables = {
        "input": {
            "accountId": account_id,
            "amount": "10.00",
            "currency": "EUR",
            "promisedFor": "2199-12-31",
            "graceDays": 90,
        }
    }
    entry = (await caller.gql(PROMISE, variables))["recordPromise"]["entry"]
    assert entry == {"id": entry["id"], "promisedFor": "2199-12-31", "status": "OPEN"}
    brief = (await caller.gql(BRIEF, {"id": account_id}))["account"]["callBrief"]
    assert brief["openPromises"] == [{"promisedFor": "2199-12-31", "status": "OPEN"}]


def test_a_promise_deadline_stops_at_the_last_date_python_has():
    promise = promises.Promise(
        amount=Decimal(10),
        currency="EUR",
        recorded_on=date(2026, 1, 1),
        promised_for=date.max,
        grace_days=3,
        cancelled=False,
    )
    assert promises.deadline(promise) == date.max
    assert promises.broken_on(promise) == date.max
    assert promises.status(promise, [], date(2026, 6, 1)) == promises.PromiseStatus.OPEN
    assert not promises.broken_recently(promise, [], date(2026, 6, 1))


# ---------------------------------------------------------------- rows stored before the range


@pytest.fixture
async def database_before_the_range(base_settings):
    """A database at the last migration before the range, for rows the old API accepted."""
    name = f"rapport_calendar_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    await asyncio.to_thread(migrate.upgrade, url, "0004")
    yield url
    await drop_database(base_settings.database_url, name)


async def _store_the_old_rows(conn: asyncpg.Connection) -> dict:
    """What the API stored before it refused such dates: one of each, on one overdue account.

    asyncpg sends Python's first and last date and time as -infinity and infinity, as it did then.
    """
    account = await conn.fetchval("INSERT INTO accounts (name) VALUES ('Ancient') RETURNING id")
    contact = await conn.fetchval(
        "INSERT INTO contacts (account_id, name, roles) VALUES ($1, 'Ann', '{BILLING}') RETURNING id", account
    )
    await conn.execute(
        "INSERT INTO contact_windows (account_id, contact_id, position, kind, from_date, until_date)"
        " VALUES ($1, $2, 0, 'PREFERRED', '0001-01-01', '9999-12-31')",
        account,
        contact,
    )
    invoices = [
        await conn.fetchval(
            "INSERT INTO invoices (account_id, number, issued_on, due_on, currency, total, balance, status)"
            " VALUES ($1, $2, $3, $4, 'EUR', 100, 100, 'OPEN') RETURNING id",
            account,
            number,
            issued,
            due,
        )
        for number, issued, due in (
            ("INV-MIN", date.min, date.min),
            ("INV-MAX", date(2026, 1, 1), date.max),
            ("INV-OK", date(2026, 1, 1), date(2026, 2, 1)),
        )
    ]
    entries = {
        kind: await conn.fetchval(
            "INSERT INTO entries (account_id, kind, team, summary, occurred_at, amount, currency,"
            " promised_for, grace_days, received_on, due_at, category)"
            " VALUES ($1, $2, 'AR', $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $2 = 'NEWS' THEN 'OTHER' END)"
            " RETURNING id",
            account,
            kind,
            *values,
        )
        for kind, values in {
            "NOTE": (datetime.min, None, None, None, None, None, None),
            "NEWS": (datetime.max, None, None, None, None, None, None),
            "PROMISE_TO_PAY": (NOW, 10, "EUR", date.max, 3, None, None),
            "PAYMENT": (NOW, 5, "EUR", None, None, date.min, None),
            "FOLLOW_UP": (NOW, None, None, None, None, None, datetime.max),
        }.items()
    }
    await conn.execute(
        "INSERT INTO payments (account_id, amount, currency, received_on) VALUES ($1, 5, 'EUR', '-infinity')",
        account,
    )
    return {"account": account, "invoices": invoices, "entries": entries}


async def test_the_migration_clamps_stored_dates_so_every_read_answers(settings, database_before_the_range):
    url = database_before_the_range
    conn = await asyncpg.connect(url)
    try:
        old = await _store_the_old_rows(conn)
        # when
        await asyncio.to_thread(migrate.upgrade, url)
        # then: every date is inside the range, the order of an invoice's dates kept
        invoices = await conn.fetch(
            "SELECT number, issued_on, due_on FROM invoices WHERE account_id = $1 ORDER BY number",
            old["account"],
        )
        assert [(r["number"], r["issued_on"], r["due_on"]) for r in invoices] == [
            ("INV-MAX", date(2026, 1, 1), date(2199, 12, 31)),
            ("INV-MIN", date(1900, 1, 1), date(1900, 1, 1)),
            ("INV-OK", date(2026, 1, 1), date(2026, 2, 1)),
        ]
        entries = {
            row["kind"]: row
            for row in await conn.fetch(
                "SELECT kind, occurred_at, promised_for, received_on, due_at FROM entries"
                " WHERE account_id = $1",
                old["account"],
            )
        }
        assert entries["NOTE"]["occurred_at"] == datetime(1900, 1, 1, tzinfo=UTC)
        assert entries["NEWS"]["occurred_at"] == datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
        assert entries["PROMISE_TO_PAY"]["promised_for"] == date(2199, 12, 31)
        assert entries["PAYMENT"]["received_on"] == date(1900, 1, 1)
        assert entries["FOLLOW_UP"]["due_at"] == datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
        assert entries["NOTE"]["due_at"] is None  # an empty column stays empty
        assert await conn.fetchval(
            "SELECT received_on FROM payments WHERE account_id = $1", old["account"]
        ) == date(1900, 1, 1)
        window = await conn.fetchrow("SELECT from_date, until_date FROM contact_windows")
        assert (window["from_date"], window["until_date"]) == (date(1900, 1, 1), date(2199, 12, 31))
        # the moved rows are queued for the index
        queued = await conn.fetch("SELECT entity_type, entity_id FROM outbox WHERE done_at IS NULL")
        assert {(r["entity_type"], r["entity_id"]) for r in queued} == {
            *(("entry", entries_id) for entries_id in old["entries"].values()),
            ("invoice", old["invoices"][0]),
            ("invoice", old["invoices"][1]),
        }
        # and no path can store such a date again
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE invoices SET due_on = 'infinity' WHERE id = $1", old["invoices"][2])
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "UPDATE entries SET occurred_at = '2200-01-01 00:00+00' WHERE account_id = $1", old["account"]
            )
    finally:
        await conn.close()
    # The reads that failed for everyone answer.
    async with app_client(settings, database_url=url) as (application, client):
        async with application.state.pool.acquire() as pooled:
            user = await users.add_user(pooled, email="ar@example.test", name="AR", team=Team.AR)
            token = new_token()
            await users.add_token(pooled, user.id, token_hash(token), "test")

        async def gql(query: str, variables: dict | None = None) -> dict:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            assert response.status_code == 200, body
            assert "errors" not in body, body["errors"]
            return body["data"]

        account_id = ids.encode("Account", old["account"])
        queue = (await gql(QUEUE))["collectionsQueue"]["edges"]
        assert [edge["node"]["account"]["id"] for edge in queue] == [account_id]
        brief = (await gql(BRIEF, {"id": account_id}))["account"]["callBrief"]
        assert brief["openPromises"] == [{"promisedFor": "2199-12-31", "status": "OPEN"}]
        seen, after = 0, None
        while True:
            page = (await gql(TIMELINE, {"id": account_id, "after": after}))["account"]["timeline"]
            seen += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == len(old["entries"])
