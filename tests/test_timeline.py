"""Account.timeline over HTTP: order, keyset pages, page-size cap, cursor errors and filters."""

import asyncio
import base64
import uuid
from datetime import datetime
from uuid import UUID

import orjson
import pytest

from domain.teams import Team
from schema import ids

ERRORS = "userErrors { code message field }"
LOG_NOTE = f"""
mutation($input: LogNoteInput!) {{ logNote(input: $input) {{ entry {{ id occurredAt }} {ERRORS} }} }}
"""
LOG_INTERACTION = f"""
mutation($input: LogInteractionInput!) {{
  logInteraction(input: $input) {{ entry {{ id occurredAt }} {ERRORS} }}
}}
"""
LOG_NEWS = f"""
mutation($input: LogNewsInput!) {{ logNews(input: $input) {{ entry {{ id occurredAt }} {ERRORS} }} }}
"""
CREATE_ACCOUNT = f"""
mutation($input: CreateAccountInput!) {{ createAccount(input: $input) {{ account {{ id }} {ERRORS} }} }}
"""
CREATE_CONTACT = f"""
mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ contact {{ id }} {ERRORS} }} }}
"""
UPSERT_INVOICES = f"""
mutation($input: [InvoiceUpsertInput!]!) {{ upsertInvoices(input: $input) {{ invoices {{ id }} {ERRORS} }} }}
"""
TIMELINE = """
query($id: ID!, $first: Int, $after: String, $filter: TimelineFilter) {
  account(id: $id) {
    timeline(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id kind occurredAt team summary tags contact { id } invoices { id } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
DEFAULT_PAGE = "query($id: ID!) { account(id: $id) { timeline { edges { node { id } } } } }"
INVOICE_TIMELINE = """
query($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Invoice {
      timeline(first: $first, after: $after) {
        edges { cursor node { id kind } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""


# ---------------------------------------------------------------- helpers


async def new_account(caller, ref: str | None = None) -> str:
    refs = [{"system": "erp", "id": ref}] if ref else []
    data = await caller.gql(
        CREATE_ACCOUNT, {"input": {"name": f"Timeline {uuid.uuid4().hex[:10]}", "externalRefs": refs}}
    )
    assert data["createAccount"]["userErrors"] == []
    return data["createAccount"]["account"]["id"]


async def new_contact(caller, account_id: str) -> str:
    data = await caller.gql(
        CREATE_CONTACT,
        {"input": {"accountId": account_id, "name": "Dana", "email": f"{uuid.uuid4().hex[:8]}@example.com"}},
    )
    assert data["createContact"]["userErrors"] == []
    return data["createContact"]["contact"]["id"]


async def new_invoice(finance, account_ref: str) -> str:
    item = {
        "externalRef": {"system": "erp", "id": f"inv-{uuid.uuid4().hex[:10]}"},
        "accountRef": {"system": "erp", "id": account_ref},
        "number": f"INV-{uuid.uuid4().hex[:6]}",
        "issuedOn": "2026-01-01",
        "dueOn": "2026-01-31",
        "currency": "EUR",
        "total": "100.00",
        "balance": "100.00",
        "status": "OPEN",
    }
    data = await finance.gql(UPSERT_INVOICES, {"input": [item]})
    assert data["upsertInvoices"]["userErrors"] == []
    return data["upsertInvoices"]["invoices"][0]["id"]


async def log(caller, document: str, name: str, **fields) -> str:
    data = await caller.gql(document, {"input": fields})
    assert data[name]["userErrors"] == [], data[name]["userErrors"]
    return data[name]["entry"]["id"]


async def note(caller, account_id: str, occurred_at: str, summary: str = "note", **fields) -> str:
    return await log(
        caller, LOG_NOTE, "logNote", accountId=account_id, summary=summary, occurredAt=occurred_at, **fields
    )


async def timeline(caller, account_id: str, **variables) -> dict:
    data = await caller.gql(TIMELINE, {"id": account_id, **variables})
    return data["account"]["timeline"]


def node_ids(connection: dict) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def uid(global_id: str) -> UUID:
    return ids.decode(global_id)[1]


def at(day: int, hour: int = 12) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00Z"


async def all_pages(caller, account_id: str, first: int, **variables) -> tuple[list[str], int]:
    """Every id of the timeline, walked page by page; and how many pages it took."""
    seen, after, pages = [], None, 0
    while True:
        page = await timeline(caller, account_id, first=first, after=after, **variables)
        pages += 1
        assert len(page["edges"]) <= first
        assert page["pageInfo"]["hasPreviousPage"] is False
        if page["edges"]:
            assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen += node_ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            return seen, pages
        assert len(page["edges"]) == first
        after = page["pageInfo"]["endCursor"]
        assert pages < 100, "the pages never end"


# ---------------------------------------------------------------- order and pages


async def test_order_is_occurred_at_desc_then_id_desc(make_caller):
    # given: entries logged out of order, four of them at the very same instant (one in another offset)
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    times = [
        at(5),
        at(1),
        at(9),
        at(5),
        at(3),
        at(5),
        "2026-03-09T12:00:00.000001Z",
        "2026-03-05T14:00:00+02:00",
    ]
    logged = [await note(caller, account_id, t, summary=f"n{i}") for i, t in enumerate(times)]
    # when
    page = await timeline(caller, account_id, first=50)
    # then
    got = node_ids(page)
    instants = {
        entry: datetime.fromisoformat(t.replace("Z", "+00:00"))
        for entry, t in zip(logged, times, strict=True)
    }
    expected = sorted(logged, key=lambda entry: (instants[entry], uid(entry)), reverse=True)
    assert got == expected
    assert got[0] == logged[6]
    assert got[1] == logged[2]
    ties = [e for e in got if e in (logged[0], logged[3], logged[5], logged[7])]
    assert len(ties) == 4
    assert ties == sorted(ties, key=uid, reverse=True)
    assert page["pageInfo"]["hasNextPage"] is False


async def test_default_page_is_20(make_caller):
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    await asyncio.gather(*(note(caller, account_id, at(1 + i % 28, i % 24)) for i in range(21)))
    data = await caller.gql(DEFAULT_PAGE, {"id": account_id})
    assert len(data["account"]["timeline"]["edges"]) == 20


async def test_paging_by_3_visits_every_entry_once(make_caller):
    # given: ten entries, with ties across page boundaries
    caller = await make_caller(Team.AR)
    account_id = await new_account(caller)
    times = [at(2), at(2), at(2), at(2), at(7), at(7), at(1), at(11), at(11), at(4)]
    logged = [await note(caller, account_id, t) for t in times]
    full = node_ids(await timeline(caller, account_id, first=100))
    # when
    seen, pages = await all_pages(caller, account_id, first=3)
    # then
    assert seen == full
    assert sorted(seen) == sorted(logged)
    assert len(set(seen)) == 10
    assert pages == 4


async def test_an_exact_multiple_of_the_page_size_ends_cleanly(make_caller):
    caller = await make_caller(Team.AR)
    account_id = await new_account(caller)
    logged = [await note(caller, account_id, at(d)) for d in range(1, 7)]
    first_page = await timeline(caller, account_id, first=3)
    assert first_page["pageInfo"]["hasNextPage"] is True
    second = await timeline(caller, account_id, first=3, after=first_page["pageInfo"]["endCursor"])
    assert second["pageInfo"]["hasNextPage"] is False
    assert node_ids(first_page) + node_ids(second) == list(reversed(logged))
    last = await timeline(caller, account_id, first=3, after=second["pageInfo"]["endCursor"])
    assert last["edges"] == []
    assert last["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_first_above_100_is_capped_at_100(make_caller):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    for batch in range(0, 103, 20):
        await asyncio.gather(
            *(
                note(caller, account_id, f"2026-04-01T00:00:{i % 60:02d}.{i:06d}Z")
                for i in range(batch, min(batch + 20, 103))
            )
        )
    page = await timeline(caller, account_id, first=1000)
    assert len(page["edges"]) == 100
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await timeline(caller, account_id, first=1000, after=page["pageInfo"]["endCursor"])
    assert len(rest["edges"]) == 3
    assert rest["pageInfo"]["hasNextPage"] is False
    assert len(set(node_ids(page) + node_ids(rest))) == 103


async def test_first_zero_gives_no_edges(make_caller):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    await note(caller, account_id, at(1))
    page = await timeline(caller, account_id, first=0)
    assert page["edges"] == []


async def _error_of(caller, query: str, variables: dict) -> dict:
    response = await caller.post(query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body.get("errors", [])) == 1, body
    assert body["data"] is None or None in body["data"].values(), body
    return body["errors"][0]


async def test_a_negative_first_is_invalid(make_caller):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    await note(caller, account_id, at(1))
    error = await _error_of(caller, TIMELINE, {"id": account_id, "first": -1})
    assert error["extensions"]["code"] == "INVALID"
    assert "first" in error["message"]


def _cursor(parts) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not-a-cursor", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param("!!!!", id="not-base64"),
        pytest.param("%%%", id="percent"),
        pytest.param(base64.b64encode(b"\xff\xfe\xfd").decode(), id="not-utf8"),
        pytest.param(_cursor({"at": "2026-03-01T00:00:00+00:00"}), id="object"),
        pytest.param(_cursor(["2026-03-01T00:00:00+00:00"]), id="too-short"),
        pytest.param(_cursor(["2026-03-01T00:00:00+00:00", str(uuid.uuid4()), 1]), id="too-long"),
        pytest.param(_cursor(["yesterday", str(uuid.uuid4())]), id="bad-time"),
        pytest.param(_cursor(["2026-03-01T00:00:00+00:00", "not-a-uuid"]), id="bad-uuid"),
        pytest.param(_cursor([None, None]), id="nulls"),
        pytest.param(_cursor([[1], {"a": 1}]), id="nested"),
        pytest.param(_cursor(["9999-12-31T23:59:59-14:00", str(uuid.uuid4())]), id="year-10000"),
        pytest.param(_cursor(["0001-01-01T00:00:00+14:00", str(uuid.uuid4())]), id="year-0"),
        pytest.param(_cursor(["2026-03-01T00:00:00", str(uuid.uuid4())]), id="naive-time"),
        pytest.param(_cursor(["2026-13-45T99:00:00+00:00", str(uuid.uuid4())]), id="impossible-time"),
    ],
)
async def test_a_tampered_cursor_is_invalid_not_a_server_error(make_caller, cursor):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    await note(caller, account_id, at(1))
    error = await _error_of(caller, TIMELINE, {"id": account_id, "first": 3, "after": cursor})
    assert error["extensions"]["code"] == "INVALID", error
    assert "Traceback" not in error["message"]
    assert "SELECT" not in error["message"]


async def test_a_cursor_from_another_list_is_invalid(make_caller):
    """An invoice-list cursor (a date and an id) is not a timeline cursor."""
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    error = await _error_of(
        caller, TIMELINE, {"id": account_id, "after": _cursor([str(uuid.uuid4()), str(uuid.uuid4())])}
    )
    assert error["extensions"]["code"] == "INVALID"


async def test_a_cursor_stays_valid_while_new_entries_arrive_on_top(make_caller):
    # given: eight entries and the first page of three
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    logged = [await note(caller, account_id, at(d)) for d in range(1, 9)]
    newest_first = list(reversed(logged))
    page1 = await timeline(caller, account_id, first=3)
    assert node_ids(page1) == newest_first[:3]
    # when: new entries land above the first page (one of them "now")
    await note(caller, account_id, at(20))
    await log(caller, LOG_NOTE, "logNote", accountId=account_id, summary="just now")
    # then: the next pages continue exactly where the first page ended
    page2 = await timeline(caller, account_id, first=3, after=page1["pageInfo"]["endCursor"])
    assert node_ids(page2) == newest_first[3:6]
    page3 = await timeline(caller, account_id, first=3, after=page2["pageInfo"]["endCursor"])
    assert node_ids(page3) == newest_first[6:]
    assert page3["pageInfo"]["hasNextPage"] is False


async def test_a_cursor_survives_the_deletion_of_its_entry(make_caller):
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    logged = [await note(caller, account_id, at(d)) for d in range(1, 6)]
    page1 = await timeline(caller, account_id, first=2)
    delete = 'mutation($id: ID!) { deleteEntry(id: $id, reason: "dup") { deletedId userErrors { code } } }'
    assert (await caller.gql(delete, {"id": page1["edges"][-1]["node"]["id"]}))["deleteEntry"][
        "userErrors"
    ] == []
    page2 = await timeline(caller, account_id, first=2, after=page1["pageInfo"]["endCursor"])
    assert node_ids(page2) == [logged[2], logged[1]]


# ---------------------------------------------------------------- filters


@pytest.fixture
async def varied(make_caller):
    """An account with entries of several kinds, teams, contacts, invoices, tags and times."""
    sales = await make_caller(Team.SALES)
    service = await make_caller(Team.SERVICE)
    ar = await make_caller(Team.AR)
    ref = f"acct-{uuid.uuid4().hex[:10]}"
    account_id = await new_account(ar, ref)
    invoice_id = await new_invoice(ar, ref)
    contact_id = await new_contact(ar, account_id)
    other_contact = await new_contact(ar, account_id)
    e = {}
    e["sales_note"] = await note(sales, account_id, at(1), tags=["renewal", "upsell"])
    e["sales_news"] = await log(
        sales,
        LOG_NEWS,
        "logNews",
        accountId=account_id,
        category="EXPANSION",
        summary="new plant",
        occurredAt=at(2),
        tags=["upsell"],
    )
    e["service_call"] = await log(
        service,
        LOG_INTERACTION,
        "logInteraction",
        accountId=account_id,
        kind="CALL",
        direction="INBOUND",
        summary="complaint",
        occurredAt=at(3),
        contactId=contact_id,
        tags=["complaint"],
    )
    e["service_email"] = await log(
        service,
        LOG_INTERACTION,
        "logInteraction",
        accountId=account_id,
        kind="EMAIL",
        direction="OUTBOUND",
        summary="reply",
        occurredAt=at(4),
        contactId=other_contact,
    )
    e["ar_note"] = await note(ar, account_id, at(5), invoiceIds=[invoice_id], contactId=contact_id)
    e["ar_call"] = await log(
        ar,
        LOG_INTERACTION,
        "logInteraction",
        accountId=account_id,
        kind="CALL",
        direction="OUTBOUND",
        summary="reminder",
        occurredAt=at(6),
        invoiceIds=[invoice_id],
        tags=["Renewal"],
    )
    # the invoice's own INVOICE_STATUS entry (recorded now, by AR) is on the timeline too
    status_entries = [
        edge["node"]["id"]
        for edge in (await timeline(ar, account_id, first=100, filter={"kinds": ["INVOICE_STATUS"]}))["edges"]
    ]
    assert len(status_entries) == 1
    e["invoice_status"] = status_entries[0]
    return {"caller": sales, "account": account_id, "invoice": invoice_id, "contact": contact_id, "e": e}


async def _filtered(varied, **filter_) -> list[str]:
    ids_by_entry = {v: k for k, v in varied["e"].items()}
    page = await timeline(varied["caller"], varied["account"], first=100, filter=filter_)
    return [ids_by_entry[i] for i in node_ids(page)]


async def test_without_a_filter_everything_is_there_newest_first(varied):
    assert await _filtered(varied) == [
        "invoice_status",
        "ar_call",
        "ar_note",
        "service_email",
        "service_call",
        "sales_news",
        "sales_note",
    ]


async def test_filter_by_kinds(varied):
    assert await _filtered(varied, kinds=["CALL"]) == ["ar_call", "service_call"]
    assert await _filtered(varied, kinds=["NEWS", "NOTE"]) == ["ar_note", "sales_news", "sales_note"]
    assert await _filtered(varied, kinds=["PROMISE_TO_PAY"]) == []


async def test_filter_by_teams(varied):
    assert await _filtered(varied, teams=["SALES"]) == ["sales_news", "sales_note"]
    assert await _filtered(varied, teams=["SERVICE", "AR"]) == [
        "invoice_status",
        "ar_call",
        "ar_note",
        "service_email",
        "service_call",
    ]
    assert await _filtered(varied, teams=["ADMIN"]) == []


async def test_filter_by_contact(varied):
    assert await _filtered(varied, contactId=varied["contact"]) == ["ar_note", "service_call"]


async def test_filter_by_invoice(varied):
    assert await _filtered(varied, invoiceId=varied["invoice"]) == ["invoice_status", "ar_call", "ar_note"]


async def test_the_invoice_timeline_holds_its_entries(varied):
    data = await varied["caller"].gql(INVOICE_TIMELINE, {"id": varied["invoice"], "first": 2})
    page = data["node"]["timeline"]
    e = varied["e"]
    assert node_ids(page) == [e["invoice_status"], e["ar_call"]]
    assert page["pageInfo"]["hasNextPage"] is True
    data = await varied["caller"].gql(
        INVOICE_TIMELINE, {"id": varied["invoice"], "first": 2, "after": page["pageInfo"]["endCursor"]}
    )
    assert node_ids(data["node"]["timeline"]) == [e["ar_note"]]
    assert data["node"]["timeline"]["pageInfo"]["hasNextPage"] is False


async def test_filter_by_tags_matches_any_of_them(varied):
    assert await _filtered(varied, tags=["upsell"]) == ["sales_news", "sales_note"]
    assert await _filtered(varied, tags=["complaint", "renewal"]) == ["service_call", "sales_note"]
    assert await _filtered(varied, tags=["nothing-like-this"]) == []


async def test_filter_by_time_is_inclusive(varied):
    assert await _filtered(varied, since=at(3), until=at(5)) == ["ar_note", "service_email", "service_call"]
    assert await _filtered(varied, until=at(2)) == ["sales_news", "sales_note"]
    assert await _filtered(varied, since="2026-03-05T12:00:00.000001Z", until=at(6)) == ["ar_call"]
    assert await _filtered(varied, since="2026-03-05T13:00:00+01:00", until="2026-03-05T13:00:00+01:00") == [
        "ar_note"
    ]


async def test_filters_combine(varied):
    assert await _filtered(varied, kinds=["CALL"], teams=["AR"]) == ["ar_call"]
    assert await _filtered(varied, teams=["SERVICE"], contactId=varied["contact"]) == ["service_call"]
    assert await _filtered(varied, kinds=["NOTE"], until=at(4)) == ["sales_note"]


async def test_filtered_pages_walk_the_filtered_list(varied):
    seen, pages = await all_pages(
        varied["caller"], varied["account"], first=1, filter={"teams": ["SERVICE", "SALES"]}
    )
    e = varied["e"]
    assert seen == [e["service_email"], e["service_call"], e["sales_news"], e["sales_note"]]
    assert pages == 4


async def test_a_malformed_filter_id_is_invalid(varied):
    error = await _error_of(
        varied["caller"], TIMELINE, {"id": varied["account"], "filter": {"contactId": varied["invoice"]}}
    )
    assert error["extensions"]["code"] == "INVALID"
    error = await _error_of(
        varied["caller"], TIMELINE, {"id": varied["account"], "filter": {"invoiceId": "junk"}}
    )
    assert error["extensions"]["code"] == "INVALID"


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00Z",
        "1900-01-01T13:59:59+14:00",
        "2200-01-01T00:00:00Z",
    ],
)
async def test_an_out_of_range_time_filter_is_invalid(varied, value):
    for bound in ("since", "until"):
        error = await _error_of(
            varied["caller"], TIMELINE, {"id": varied["account"], "filter": {bound: value}}
        )
        assert error["extensions"]["code"] == "INVALID", error
        assert "1900-01-01 to 2199-12-31" in error["message"]


async def test_the_widest_time_filter_is_the_calendar_range(varied):
    widest = await _filtered(varied, since="1900-01-01T00:00:00Z", until="2199-12-31T23:59:59.999999Z")
    assert widest == await _filtered(varied)
