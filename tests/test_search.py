"""Search: what is written becomes findable, for those allowed to see it, however it is asked."""

import asyncio
import logging
import time
import uuid
from dataclasses import replace

import httpx
import pytest

from api.app import create_app
from domain.teams import Team
from schema import ids
from search.client import create_client
from search.index import ensure_index, index_name

CREATE = """
mutation ($name: String!) { createAccount(input: {name: $name}) { account { id name } } }
"""
NEWS = """
mutation ($account: ID!, $summary: String!) {
  logNews(input: {accountId: $account, category: DOWNSIZING, summary: $summary}) { entry { id } }
}
"""
NOTE = """
mutation ($account: ID!, $summary: String!, $body: String, $visibility: Visibility, $tags: [String!]) {
  logNote(
    input: {accountId: $account, summary: $summary, body: $body, visibility: $visibility, tags: $tags}
  ) {
    entry { id } userErrors { code message }
  }
}
"""
DELETE = 'mutation ($id: ID!) { deleteEntry(id: $id, reason: "duplicate") { deletedId } }'
SEARCH = """
query ($q: String!, $filter: SearchFilter, $first: Int, $offset: Int) {
  search(query: $q, filter: $filter, first: $first, offset: $offset) {
    estimatedTotal tookMs
    hits { type highlight account { id name } entry { id summary visibility } contact { name }
           invoice { number } }
    facets { field values { value count } }
  }
}
"""


async def found(caller, query: str, filter: dict | None = None, *, until=bool, within: float = 30.0):
    """Search until `until(results)` holds (the index is eventually consistent), else fail."""
    deadline = time.monotonic() + within
    while True:
        results = (await caller.gql(SEARCH, {"q": query, "filter": filter}))["search"]
        if until(results) or time.monotonic() > deadline:
            return results
        await asyncio.sleep(0.05)


def entry_ids(results: dict) -> set[str]:
    return {hit["entry"]["id"] for hit in results["hits"] if hit["entry"]}


async def test_sales_news_is_found_by_ar_and_an_account_by_a_typo(make_caller):
    sales, ar = await make_caller(Team.SALES), await make_caller(Team.AR)
    word = f"Northwind{uuid.uuid4().hex[:6]}"
    account = (await sales.gql(CREATE, {"name": f"{word} Traders"}))["createAccount"]["account"]
    # the account is findable, typo included
    typo = word[:4] + word[5:]  # "Nortwind..." drops a letter
    by_typo = await found(
        sales,
        typo,
        {"types": ["ACCOUNT"]},
        until=lambda r: any(h["account"]["id"] == account["id"] for h in r["hits"]),
    )
    assert any(h["type"] == "ACCOUNT" and h["account"]["name"] == account["name"] for h in by_typo["hits"])
    # when
    leeds = f"Closing the Leeds{uuid.uuid4().hex[:4]} plant in Q1"
    news = (await sales.gql(NEWS, {"account": account["id"], "summary": leeds}))["logNews"]["entry"]["id"]
    # then
    results = await found(ar, leeds.split()[2] + " plant", until=lambda r: news in entry_ids(r))
    hit = next(h for h in results["hits"] if h["entry"] and h["entry"]["id"] == news)
    assert hit["type"] == "ENTRY"
    assert hit["account"]["id"] == account["id"]
    assert "<mark>" in hit["highlight"]


async def test_restricted_entries_are_found_only_by_ar_and_admin(make_caller):
    ar, sales, admin = (
        await make_caller(Team.AR),
        await make_caller(Team.SALES),
        await make_caller(Team.ADMIN),
    )
    token = uuid.uuid4().hex[:10]
    account = (await ar.gql(CREATE, {"name": f"Restricted {token}"}))["createAccount"]["account"]["id"]
    summary = f"legal review before agency referral {token}"
    secret = await ar.gql(NOTE, {"account": account, "summary": summary, "visibility": "RESTRICTED"})
    secret_id = secret["logNote"]["entry"]["id"]
    assert secret_id in entry_ids(await found(admin, token, until=lambda r: secret_id in entry_ids(r)))
    assert secret_id in entry_ids(await found(ar, token, until=lambda r: secret_id in entry_ids(r)))
    results = (await sales.gql(SEARCH, {"q": token}))["search"]
    assert secret_id not in entry_ids(results)
    assert all(h["entry"] is None or h["entry"]["visibility"] == "ALL_TEAMS" for h in results["hits"])


async def test_hostile_filter_values_cannot_widen_the_filter(make_caller):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    token = uuid.uuid4().hex[:10]
    account = (await ar.gql(CREATE, {"name": f"Hostile {token}"}))["createAccount"]["account"]["id"]
    secret = await ar.gql(
        NOTE,
        {"account": account, "summary": f"secret {token}", "visibility": "RESTRICTED", "tags": ["legal"]},
    )
    secret_id = secret["logNote"]["entry"]["id"]
    await found(ar, token, until=lambda r: secret_id in entry_ids(r))
    for tag in [
        'legal" OR visibility = "RESTRICTED',
        'x"] OR (visibility = "RESTRICTED") OR tags IN ["',
        "legal\\",
        '") OR ("a" = "a',
    ]:
        # when
        response = await sales.post(SEARCH, {"q": token, "filter": {"tags": [tag]}})
        # then
        body = response.json()
        assert "errors" not in body, body
        assert entry_ids(body["data"]["search"]) == set()
    quoted = await sales.post(SEARCH, {"q": f'"{token}" OR visibility = RESTRICTED ["', "filter": None})
    assert secret_id not in entry_ids(quoted.json()["data"]["search"])


async def test_highlights_escape_html_and_facets_count_types(make_caller):
    caller = await make_caller(Team.AR)
    token = uuid.uuid4().hex[:10]
    account = (await caller.gql(CREATE, {"name": f"Markup {token}"}))["createAccount"]["account"]["id"]
    note = await caller.gql(
        NOTE, {"account": account, "summary": f"<script>alert(1)</script> {token}", "tags": ["html"]}
    )
    note_id = note["logNote"]["entry"]["id"]
    results = await found(caller, token, until=lambda r: note_id in entry_ids(r) and len(r["hits"]) >= 2)
    hit = next(h for h in results["hits"] if h["entry"] and h["entry"]["id"] == note_id)
    assert "<script>" not in hit["highlight"]
    assert "&lt;script&gt;" in hit["highlight"]
    assert f"<mark>{token}</mark>" in hit["highlight"]
    facets = {f["field"]: {v["value"]: v["count"] for v in f["values"]} for f in results["facets"]}
    assert set(facets) == {"type", "kind", "team", "tags"}
    assert facets["type"] == {"ACCOUNT": 1, "ENTRY": 1}
    assert facets["tags"] == {"html": 1}
    assert results["estimatedTotal"] == 2


async def test_filters_by_account_kind_team_and_time(make_caller):
    caller = await make_caller(Team.SERVICE)
    token = uuid.uuid4().hex[:10]
    first = (await caller.gql(CREATE, {"name": f"First {token}"}))["createAccount"]["account"]["id"]
    second = (await caller.gql(CREATE, {"name": f"Second {token}"}))["createAccount"]["account"]["id"]
    a = (await caller.gql(NOTE, {"account": first, "summary": f"note {token}"}))["logNote"]["entry"]["id"]
    b = (await caller.gql(NEWS, {"account": second, "summary": f"news {token}"}))["logNews"]["entry"]["id"]
    await found(caller, token, until=lambda r: {a, b} <= entry_ids(r))
    assert entry_ids(await found(caller, token, {"accountId": first}, until=bool)) == {a}
    assert entry_ids(await found(caller, token, {"kinds": ["NEWS"]}, until=bool)) == {b}
    assert entry_ids(await found(caller, token, {"teams": ["SALES"]}, until=bool)) == set()
    assert entry_ids(await found(caller, token, {"until": "2000-01-01T00:00:00Z"}, until=bool)) == set()
    only_accounts = await found(caller, token, {"types": ["ACCOUNT"]}, until=bool)
    assert {h["type"] for h in only_accounts["hits"]} == {"ACCOUNT"}


async def test_a_deleted_entry_is_never_a_hit(make_caller):
    caller = await make_caller(Team.AR)
    token = uuid.uuid4().hex[:10]
    account = (await caller.gql(CREATE, {"name": f"Deleted {token}"}))["createAccount"]["account"]["id"]
    note = (await caller.gql(NOTE, {"account": account, "summary": f"gone {token}"}))["logNote"]["entry"][
        "id"
    ]
    await found(caller, token, until=lambda r: note in entry_ids(r))
    # when
    await caller.gql(DELETE, {"id": note})
    # then: dropped at once by hydration, and removed from the index by the worker
    assert note not in entry_ids((await caller.gql(SEARCH, {"q": token}))["search"])
    gone = await found(caller, token, {"types": ["ENTRY"]}, until=lambda r: r["estimatedTotal"] == 0)
    assert gone["estimatedTotal"] == 0


async def test_page_limits_are_enforced(admin):
    for variables in ({"first": 101}, {"first": -1}, {"offset": 1001}, {"offset": -5}):
        body = (await admin.post(SEARCH, {"q": "x", **variables})).json()
        assert body["errors"][0]["extensions"]["code"] == "INVALID", variables


async def test_search_down_is_a_quick_clear_error_and_the_rest_works(settings, make_caller):
    caller = await make_caller(Team.AR)
    app = create_app(replace(settings, meili_url="http://127.0.0.1:9", meili_timeout_seconds=1.0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {"Authorization": f"Bearer {caller.token}"}
            started = time.monotonic()
            down = await client.post(
                "/graphql", json={"query": SEARCH, "variables": {"q": "x"}}, headers=headers
            )
            elapsed = time.monotonic() - started
            created = await client.post(
                "/graphql", json={"query": CREATE, "variables": {"name": "Up"}}, headers=headers
            )
    error = down.json()["errors"][0]
    assert down.status_code == 200
    assert error["extensions"]["code"] == "SEARCH_UNAVAILABLE"
    assert "127.0.0.1" not in error["message"]
    assert elapsed < 5
    assert created.json()["data"]["createAccount"]["account"]["name"] == "Up"


async def test_renaming_an_account_reindexes_its_documents(make_caller):
    caller = await make_caller(Team.AR)
    old, new = f"Oldname{uuid.uuid4().hex[:8]}", f"Newname{uuid.uuid4().hex[:8]}"
    account = (await caller.gql(CREATE, {"name": old}))["createAccount"]["account"]["id"]
    note = (await caller.gql(NOTE, {"account": account, "summary": "quarterly review"}))["logNote"]["entry"][
        "id"
    ]
    await found(caller, old, until=lambda r: note in entry_ids(r))
    # when
    await caller.gql(
        "mutation ($id: ID!, $name: String!)"
        " { updateAccount(input: {id: $id, expectedVersion: 1, name: $name})"
        " { account { name } } }",
        {"id": account, "name": new},
    )
    # then
    renamed = await found(caller, new, until=lambda r: note in entry_ids(r))
    assert note in entry_ids(renamed)
    assert note not in entry_ids(
        (await caller.gql(SEARCH, {"q": old, "filter": {"types": ["ENTRY"]}}))["search"]
    )


async def test_an_account_name_finds_the_account_and_entries_saying_it_before_those_only_on_it(make_caller):
    caller = await make_caller(Team.AR)
    word = f"Leeds{uuid.uuid4().hex[:6]}"
    account = (await caller.gql(CREATE, {"name": f"{word} Widgets"}))["createAccount"]["account"]["id"]
    for n in range(12):
        await caller.gql(NOTE, {"account": account, "summary": f"Quarterly review {n}"})
    saying = (
        await caller.gql(
            NOTE, {"account": account, "summary": "Site visit", "body": f"The {word} plant closes in Q1."}
        )
    )["logNote"]["entry"]["id"]
    # when
    results = await found(caller, word.lower(), until=lambda r: r["estimatedTotal"] == 14)
    # then
    assert results["estimatedTotal"] == 14
    first, second = results["hits"][:2]
    assert first["type"] == "ACCOUNT"
    assert first["account"]["id"] == account
    assert second["entry"]["id"] == saying
    assert "plant closes" in second["highlight"]


async def test_start_up_gives_an_existing_index_the_new_ranking(settings):
    # given: an index set up when the account name was searched second
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    uid = index_name(f"{settings.meili_index_prefix}_old_ranking")
    try:
        await client.create_index(uid, primary_key="id", timeout_in_ms=60_000)
        task = await client.index(uid).update_searchable_attributes(["summary", "accountName", "body"])
        await client.wait_for_task(task.task_uid, timeout_in_ms=60_000, raise_for_status=True)
        # when
        await ensure_index(client, uid)
        # then
        searchable = await client.index(uid).get_searchable_attributes()
        assert searchable[0] == "summary"
        assert searchable[-1] == "accountName"
        # and only the filter features searches use, which spares every write the rest
        applied = await client.index(uid).get_settings()
        assert applied.facet_search is False
        assert applied.sortable_attributes == []
        comparable = {
            pattern
            for attributes in applied.filterable_attributes or []
            if attributes.features.filter.comparison
            for pattern in attributes.attribute_patterns
        }
        assert comparable == {"occurredAt"}
    finally:
        await client.index(uid).delete()
        await client.aclose()


ACCOUNT_WITH_REF = """
mutation ($name: String!, $ref: String!) {
  createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $ref}]}) { account { id } }
}
"""
CONTACT = """
mutation ($account: ID!, $name: String!) {
  createContact(input: {accountId: $account, name: $name, roles: [BILLING]}) { contact { id } }
}
"""
INVOICE = """
mutation ($input: [InvoiceUpsertInput!]!) { upsertInvoices(input: $input) { invoices { id } } }
"""
HITS = """
query Hits($q: String!) {
  search(query: $q, first: 100) {
    hits { type highlight account { name } entry { kind summary occurredAt } contact { name }
           invoice { number } }
    facets { field values { value count } }
  }
}
"""
HITS_WITH_INVOICES = """
query HitsWithInvoices($q: String!) {
  search(query: $q, first: 100) { hits { type entry { summary invoices { number } } } }
}
"""


def _queries_of(caplog: pytest.LogCaptureFixture, operation: str) -> int:
    records = [r for r in caplog.records if r.name == "rapport.http" and r.operation == operation]
    assert records, "the request log line is missing"
    return records[-1].queries


async def test_a_page_of_hits_of_every_type_is_read_in_one_statement(make_caller, caplog):
    caplog.set_level(logging.INFO, logger="rapport.http")
    caller = await make_caller(Team.AR)
    token = uuid.uuid4().hex[:10]
    account = (await caller.gql(ACCOUNT_WITH_REF, {"name": f"Hydrated {token}", "ref": token}))[
        "createAccount"
    ]["account"]["id"]
    await caller.gql(CONTACT, {"account": account, "name": f"Ann {token}"})
    invoice = {
        "externalRef": {"system": "erp", "id": token},
        "accountRef": {"system": "erp", "id": token},
        "number": f"INV-{token}",
        "issuedOn": "2026-01-01",
        "dueOn": "2026-02-01",
        "currency": "EUR",
        "total": "100.00",
        "balance": "100.00",
        "status": "OPEN",
    }
    invoice_id = (await caller.gql(INVOICE, {"input": [invoice]}))["upsertInvoices"]["invoices"][0]["id"]
    for n in range(12):
        await caller.gql(
            "mutation ($input: LogNoteInput!) { logNote(input: $input) { entry { id } } }",
            {"input": {"accountId": account, "summary": f"note {n} {token}", "invoiceIds": [invoice_id]}},
        )
    notes = {f"note {n} {token}" for n in range(12)}

    def summaries(hits: list) -> set[str]:
        return {h["entry"]["summary"] for h in hits if h["entry"]}

    await found(caller, token, until=lambda r: notes <= summaries(r["hits"]) and len(r["hits"]) >= 15)
    # when
    page = (await caller.gql(HITS, {"q": token}))["search"]
    queries = _queries_of(caplog, "Hits")
    with_invoices = (await caller.gql(HITS_WITH_INVOICES, {"q": token}))["search"]
    queries_with_invoices = _queries_of(caplog, "HitsWithInvoices")
    # then: one statement for every hit, whatever its type
    assert sorted({h["type"] for h in page["hits"]}) == ["ACCOUNT", "CONTACT", "ENTRY", "INVOICE"]
    assert notes <= summaries(page["hits"])
    assert {h["account"]["name"] for h in page["hits"]} == {f"Hydrated {token}"}
    assert next(h for h in page["hits"] if h["type"] == "CONTACT")["contact"]["name"] == f"Ann {token}"
    assert next(h for h in page["hits"] if h["type"] == "INVOICE")["invoice"]["number"] == f"INV-{token}"
    assert queries == 1
    # and the entries' invoices cost one more, only when asked for
    entries = [h["entry"] for h in with_invoices["hits"] if h["type"] == "ENTRY"]
    assert notes <= summaries(with_invoices["hits"])
    assert all(e["invoices"] == [{"number": f"INV-{token}"}] for e in entries if e["summary"] in notes)
    assert queries_with_invoices == 2


async def test_the_index_lagging_behind_postgres_never_shows_what_postgres_no_longer_holds(make_caller, pool):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    token = uuid.uuid4().hex[:10]
    account = (await ar.gql(CREATE, {"name": f"Lagging {token}"}))["createAccount"]["account"]["id"]
    notes = [
        (await ar.gql(NOTE, {"account": account, "summary": f"{word} {token}"}))["logNote"]["entry"]["id"]
        for word in ("hidden", "edited", "kept")
    ]
    await found(sales, token, until=lambda r: set(notes) <= entry_ids(r))
    hidden, edited = (ids.decode(note)[1] for note in notes[:2])
    # when: Postgres changes while the index still holds the old documents (no outbox rows)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE entries SET visibility = 'RESTRICTED' WHERE id = $1", hidden)
        await conn.execute("UPDATE entries SET summary = $2 WHERE id = $1", edited, f"rewritten {token}")

    # then: SALES never gets the entry that became RESTRICTED, and everyone sees the text as it is now
    async def shown(caller) -> dict[str, dict]:
        hits = (await caller.gql(SEARCH, {"q": token}))["search"]["hits"]
        return {h["entry"]["id"]: h["entry"] for h in hits if h["entry"]}

    to_sales, to_ar = await shown(sales), await shown(ar)
    assert set(to_sales) == {notes[1], notes[2]}
    assert all(entry["visibility"] == "ALL_TEAMS" for entry in to_sales.values())
    assert set(to_ar) == set(notes)
    assert to_ar[notes[0]]["visibility"] == "RESTRICTED"
    for entries in (to_sales, to_ar):
        assert entries[notes[1]]["summary"] == f"rewritten {token}"
        assert entries[notes[2]]["summary"] == f"kept {token}"
