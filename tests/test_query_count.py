"""A timeline page costs a constant number of SQL round trips, whatever its size."""

import asyncio
import logging
import uuid

import pytest

from domain.teams import Team

CREATE = """
mutation ($name: String!, $ref: String!) {
  createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $ref}]}) { account { id } }
}
"""
CONTACT = """
mutation ($account: ID!) {
  createContact(input: {accountId: $account, name: "Bea", roles: [BILLING]}) { contact { id } }
}
"""
INVOICES = """
mutation ($input: [InvoiceUpsertInput!]!) { upsertInvoices(input: $input) { invoices { id } } }
"""
NOTE = """
mutation ($input: LogNoteInput!) { logNote(input: $input) { entry { id } userErrors { message } } }
"""
PAGE = """
query Page($account: ID!, $first: Int!) {
  account(id: $account) {
    timeline(first: $first, filter: {kinds: [NOTE]}) {
      edges { cursor node {
        id kind summary occurredAt team tags visibility revision
        author { id email name team }
        contact { id name roles timeZone }
        invoices { id number balance { amount currency } status }
        account { id name }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def _queries_of(caplog: pytest.LogCaptureFixture, operation: str) -> int:
    records = [r for r in caplog.records if r.name == "rapport.http" and r.operation == operation]
    assert records, "the request log line is missing"
    return records[-1].queries


async def _account_with_notes(caller, count: int) -> str:
    ref = uuid.uuid4().hex
    account = (await caller.gql(CREATE, {"name": f"Count {ref}", "ref": ref}))["createAccount"]["account"][
        "id"
    ]
    contact = (await caller.gql(CONTACT, {"account": account}))["createContact"]["contact"]["id"]
    invoices = await caller.gql(
        INVOICES,
        {
            "input": [
                {
                    "externalRef": {"system": "erp", "id": f"{ref}-{i}"},
                    "accountRef": {"system": "erp", "id": ref},
                    "number": f"INV-{i}",
                    "issuedOn": "2026-01-01",
                    "dueOn": "2026-02-01",
                    "currency": "EUR",
                    "total": "100.00",
                    "balance": "100.00",
                    "status": "OPEN",
                }
                for i in range(3)
            ]
        },
    )
    invoice_ids = [i["id"] for i in invoices["upsertInvoices"]["invoices"]]
    for start in range(0, count, 20):
        await asyncio.gather(
            *[
                caller.gql(
                    NOTE,
                    {
                        "input": {
                            "accountId": account,
                            "summary": f"note {i}",
                            "contactId": contact,
                            "invoiceIds": invoice_ids[: i % 3 + 1],
                            "tags": ["t"],
                        }
                    },
                )
                for i in range(start, min(count, start + 20))
            ]
        )
    return account


async def test_a_100_entry_page_costs_as_many_queries_as_a_5_entry_page(make_caller, caplog):
    caplog.set_level(logging.INFO, logger="rapport.http")
    caller = await make_caller(Team.AR)
    small, large = await _account_with_notes(caller, 5), await _account_with_notes(caller, 100)
    # when
    small_page = await caller.gql(PAGE, {"account": small, "first": 100})
    small_queries = _queries_of(caplog, "Page")
    large_page = await caller.gql(PAGE, {"account": large, "first": 100})
    large_queries = _queries_of(caplog, "Page")
    # then
    assert len(small_page["account"]["timeline"]["edges"]) == 5
    edges = large_page["account"]["timeline"]["edges"]
    assert len(edges) == 100
    assert all(e["node"]["author"]["email"] == caller.user.email for e in edges)
    assert all(e["node"]["contact"]["name"] == "Bea" for e in edges)
    assert {len(e["node"]["invoices"]) for e in edges} == {1, 2, 3}
    assert large_queries == small_queries
    # the account, the page and the page's invoices, plus asyncpg's reset of each
    # connection it hands back to the pool
    assert large_queries <= 6


QUEUE = """
query Queue($first: Int!) {
  collectionsQueue(first: $first) {
    edges { node {
      account { id name } priority reachableNow nextReachableAt
      suggestedContact { contact { id name roles } channel reason reachability { reachable nextReachableAt } }
    } }
  }
}
"""
ACCOUNT_WITH_CONTACTS = """
mutation ($name: String!, $ref: String!) {
  createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $ref}]}) { account { id } }
}
"""
AWAY = """
mutation ($account: ID!, $name: String!) {
  createContact(input: {accountId: $account, name: $name, roles: [BILLING],
                        windows: [{kind: BLACKOUT, startTime: "00:00", endTime: "23:59"}]}) { contact { id } }
}
"""
FOLLOW_UP = """
mutation ($account: ID!, $contact: ID!) {
  createFollowUp(input: {accountId: $account, summary: "call", dueAt: "2026-12-01T09:00:00Z",
                         contactId: $contact}) { entry { id } }
}
"""


async def test_a_queue_page_says_whom_to_call_in_as_many_queries_for_1_as_for_8_accounts(make_caller, caplog):
    caplog.set_level(logging.INFO, logger="rapport.http")
    caller = await make_caller(Team.AR)
    for n in range(8):
        ref = uuid.uuid4().hex
        account = (await caller.gql(ACCOUNT_WITH_CONTACTS, {"name": f"Queue {ref}", "ref": ref}))[
            "createAccount"
        ]["account"]["id"]
        await caller.gql(CONTACT, {"account": account})
        away = (await caller.gql(AWAY, {"account": account, "name": f"Away {n}"}))["createContact"]
        await caller.gql(FOLLOW_UP, {"account": account, "contact": away["contact"]["id"]})
        await caller.gql(
            INVOICES,
            {
                "input": [
                    {
                        "externalRef": {"system": "erp", "id": ref},
                        "accountRef": {"system": "erp", "id": ref},
                        "number": "Q-1",
                        "issuedOn": "2026-01-01",
                        "dueOn": "2026-02-01",
                        "currency": "EUR",
                        "total": "100.00",
                        "balance": "100.00",
                        "status": "OPEN",
                    }
                ]
            },
        )
    # when
    one = await caller.gql(QUEUE, {"first": 1})
    one_queries = _queries_of(caplog, "Queue")
    eight = await caller.gql(QUEUE, {"first": 8})
    eight_queries = _queries_of(caplog, "Queue")
    # then
    assert len(one["collectionsQueue"]["edges"]) == 1
    assert len(eight["collectionsQueue"]["edges"]) == 8
    assert eight_queries == one_queries
