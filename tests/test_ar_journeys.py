"""Journeys 2, 3 and 4 over HTTP, with every date pinned through asOf/at."""

import math
import uuid
from datetime import datetime

import pytest

from domain.teams import Team
from schema import ids

ACCOUNT = """
mutation ($name: String!, $ref: String!, $tz: String) {
  createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $ref}], timeZone: $tz}) {
    account { id } userErrors { message }
  }
}
"""
CONTACT = """
mutation ($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { message } }
}
"""
INVOICES = """
mutation ($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) { invoices { id number } userErrors { field message } }
}
"""
PROMISE = """
mutation ($input: RecordPromiseInput!) {
  recordPromise(input: $input) { entry { id } userErrors { message } }
}
"""
PAYMENT = """
mutation ($input: RecordPaymentInput!) {
  recordPayment(input: $input) { entry { id } userErrors { message } }
}
"""
DISPUTE = """
mutation ($input: OpenDisputeInput!) { openDispute(input: $input) { entry { id } userErrors { message } } }
"""
REACH = """
query ($id: ID!, $at: DateTime) {
  node(id: $id) { ... on Contact { reachability(at: $at) { reachable reason nextReachableAt } } }
}
"""
QUEUE = """
query ($asOf: Date, $after: String) {
  collectionsQueue(asOf: $asOf, first: 100, after: $after) {
    edges { node { account { id } priority overdue { amount currency } oldestDaysOverdue reachableNow flags
                   reasons suggestedContact { contact { name } channel } nextReachableAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PROMISE_STATUS = """
query ($id: ID!, $asOf: Date) { node(id: $id) { ... on PromiseToPay { status(asOf: $asOf) } } }
"""
BRIEF = """
query ($id: ID!, $at: DateTime) {
  account(id: $id) {
    callBrief(at: $at) {
      at flags
      whoToContact { contact { name } channel reason reachability { reachable reason } }
      receivables { currency open { amount } overdue { amount } disputed { amount }
                    buckets { bucket amount { amount } } openInvoiceCount oldestDaysOverdue }
      overdueInvoices { number dueOn }
      openPromises { id } brokenPromises { id amount { amount currency } }
      openDisputes { id invoices { number } }
      recentNews { summary } recentInteractions { summary } pinned { summary } preferences { key value }
      openFollowUps { summary }
    }
  }
}
"""


async def _account(caller, tz: str = "Europe/Berlin") -> tuple[str, str]:
    ref = uuid.uuid4().hex
    data = await caller.gql(ACCOUNT, {"name": f"Journey {ref[:8]}", "ref": ref, "tz": tz})
    return data["createAccount"]["account"]["id"], ref


async def _invoices(caller, ref: str, items: list[tuple[str, str, str, str]]) -> dict[str, str]:
    """(number, dueOn, amount, currency) items, open with their full amount; returns number -> id."""
    data = await caller.gql(
        INVOICES,
        {
            "input": [
                {
                    "externalRef": {"system": "erp", "id": f"{ref}-{number}"},
                    "accountRef": {"system": "erp", "id": ref},
                    "number": number,
                    "issuedOn": "2026-01-01",
                    "dueOn": due,
                    "currency": currency,
                    "total": amount,
                    "balance": amount,
                    "status": "OPEN",
                }
                for number, due, amount, currency in items
            ]
        },
    )
    assert data["upsertInvoices"]["userErrors"] == []
    return {i["number"]: i["id"] for i in data["upsertInvoices"]["invoices"]}


async def _recorded(pool, entry: str, at: str) -> None:
    """Pin when an entry was recorded: the service sets recordedAt itself, and a promise's
    payments count from that day, so a test must not depend on the day it runs."""
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE entries SET recorded_at = $2 WHERE id = $1",
            ids.decode(entry)[1],
            datetime.fromisoformat(at),
        )


async def _queue(caller, as_of: str) -> dict[str, dict]:
    items, after = {}, None
    while True:
        page = (await caller.gql(QUEUE, {"asOf": as_of, "after": after}))["collectionsQueue"]
        items.update({e["node"]["account"]["id"]: e["node"] for e in page["edges"]})
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = page["pageInfo"]["endCursor"]


async def test_journey_2_vacation_week(make_caller):
    ar = await make_caller(Team.AR)
    account, ref = await _account(ar, "Europe/Berlin")
    contact = (
        await ar.gql(
            CONTACT,
            {
                "input": {
                    "accountId": account,
                    "name": "Vera Vacation",
                    "roles": ["BILLING"],
                    "phone": "+49 30 1234",
                    "windows": [{"kind": "BLACKOUT", "weeksOfMonth": [3], "note": "on vacation"}],
                }
            },
        )
    )["createContact"]["contact"]["id"]
    await _invoices(ar, ref, [("J2-1", "2026-06-01", "500.00", "EUR")])
    # when: the 17th of a month, 10:00 in Berlin
    reach = (await ar.gql(REACH, {"id": contact, "at": "2026-09-17T08:00:00Z"}))["node"]["reachability"]
    # then
    assert reach["reachable"] is False
    assert "blackout" in reach["reason"]
    assert "on vacation" in reach["reason"]
    assert reach["nextReachableAt"] in (
        "2026-09-21T22:00:00+00:00",
        "2026-09-21T22:00:00Z",
    )  # the 22nd, 00:00
    item = (await _queue(ar, "2026-09-17"))[account]
    assert item["reachableNow"] is False
    assert "NOT_REACHABLE_NOW" in item["flags"]
    assert item["oldestDaysOverdue"] == 108
    # the queue says whom to call and when, without opening the brief
    assert item["suggestedContact"] == {"contact": {"name": "Vera Vacation"}, "channel": "PHONE"}
    assert item["nextReachableAt"] == reach["nextReachableAt"]
    # and in the fourth week the same contact is reachable again
    back = (await _queue(ar, "2026-09-22"))[account]
    assert back["reachableNow"] is True
    assert back["nextReachableAt"] is None


async def test_journey_3_before_the_call(make_caller, pool):
    ar, sales, service = (
        await make_caller(Team.AR),
        await make_caller(Team.SALES),
        await make_caller(Team.SERVICE),
    )
    account, ref = await _account(ar, "Europe/London")
    for person in (
        {"name": "Tom Technical", "roles": ["TECHNICAL"], "phone": "+44 1"},
        {
            "name": "Bill Billing",
            "roles": ["BILLING"],
            "email": "bill@example.com",
            "preferredChannel": "EMAIL",
        },
        {"name": "Nina Never", "roles": ["BILLING"], "doNotContact": True, "phone": "+44 2"},
    ):
        await ar.gql(CONTACT, {"input": {"accountId": account, **person}})
    ids = await _invoices(
        ar,
        ref,
        [
            ("J3-OLD", "2026-05-01", "1000.00", "EUR"),
            ("J3-MID", "2026-08-01", "300.00", "EUR"),
            ("J3-DISP", "2026-07-01", "250.00", "EUR"),
            ("J3-USD", "2026-09-01", "90.00", "USD"),
            ("J3-FUT", "2026-12-01", "70.00", "EUR"),
        ],
    )
    broken = (
        await ar.gql(
            PROMISE,
            {
                "input": {
                    "accountId": account,
                    "amount": "400.00",
                    "currency": "EUR",
                    "promisedFor": "2026-09-10",
                }
            },
        )
    )["recordPromise"]["entry"]["id"]
    await _recorded(pool, broken, "2026-09-01T09:00:00+00:00")
    await ar.gql(
        DISPUTE,
        {
            "input": {
                "accountId": account,
                "invoiceIds": [ids["J3-DISP"]],
                "reason": "PRICING",
                "summary": "Price differs from the quote",
            }
        },
    )
    for caller, summary in (
        (sales, "Met the CFO"),
        (service, "Ticket about invoice format"),
        (ar, "Left a message"),
    ):
        await caller.gql(
            "mutation ($a: ID!, $s: String!) { logNote(input: {accountId: $a, summary: $s,"
            ' occurredAt: "2026-10-01T10:00:00Z"}) { entry { id } } }',
            {"a": account, "s": summary},
        )
    # when
    brief = (await ar.gql(BRIEF, {"id": account, "at": "2026-10-20T10:00:00Z"}))["account"]["callBrief"]
    # then
    assert [s["contact"]["name"] for s in brief["whoToContact"]] == ["Bill Billing", "Tom Technical"]
    first = brief["whoToContact"][0]
    assert first["channel"] == "EMAIL"
    assert first["reachability"]["reachable"] is True
    assert "billing contact" in first["reason"]
    assert "prefers email" in first["reason"]
    by_currency = {r["currency"]: r for r in brief["receivables"]}
    assert set(by_currency) == {"EUR", "USD"}
    eur = by_currency["EUR"]
    assert eur["open"]["amount"] == "1620.00"
    assert eur["overdue"]["amount"] == "1300.00"
    assert eur["disputed"]["amount"] == "250.00"
    assert [b["bucket"] for b in eur["buckets"]] == [
        "CURRENT",
        "DAYS_1_30",
        "DAYS_31_60",
        "DAYS_61_90",
        "DAYS_91_PLUS",
    ]
    assert {b["bucket"]: b["amount"]["amount"] for b in eur["buckets"]} == {
        "CURRENT": "70.00",
        "DAYS_1_30": "0.00",
        "DAYS_31_60": "0.00",
        "DAYS_61_90": "300.00",
        "DAYS_91_PLUS": "1000.00",
    }
    assert eur["oldestDaysOverdue"] == 172
    assert [i["number"] for i in brief["overdueInvoices"]] == ["J3-OLD", "J3-MID", "J3-USD"]
    assert [p["id"] for p in brief["brokenPromises"]] == [broken]
    assert brief["openPromises"] == []
    assert [d["invoices"][0]["number"] for d in brief["openDisputes"]] == ["J3-DISP"]
    assert {i["summary"] for i in brief["recentInteractions"]} == {
        "Met the CFO",
        "Ticket about invoice format",
        "Left a message",
    }
    assert set(brief["flags"]) == {"BROKEN_PROMISE", "OPEN_DISPUTE", "SEVERELY_OVERDUE"}
    # the disputed invoice is not counted as overdue in the queue either
    item = (await _queue(ar, "2026-10-20"))[account]
    assert {m["currency"]: m["amount"] for m in item["overdue"]} == {"EUR": "1300.00", "USD": "90.00"}
    assert set(item["flags"]) == set(brief["flags"]) | (
        {"NOT_REACHABLE_NOW"} if not item["reachableNow"] else set()
    )


async def test_journey_4_promise_to_pay(make_caller, pool):
    ar = await make_caller(Team.AR)
    account, ref = await _account(ar, "UTC")
    await ar.gql(
        CONTACT,
        {"input": {"accountId": account, "name": "Pat Payer", "roles": ["BILLING"], "phone": "+1 555"}},
    )
    ids = await _invoices(ar, ref, [("J4-1", "2026-09-01", "1200.00", "EUR")])
    # Friday 2026-11-27, grace 3 days: due by Monday 2026-11-30
    promise = (
        await ar.gql(
            PROMISE,
            {
                "input": {
                    "accountId": account,
                    "amount": "1200.00",
                    "currency": "EUR",
                    "promisedFor": "2026-11-27",
                    "invoiceIds": [ids["J4-1"]],
                }
            },
        )
    )["recordPromise"]["entry"]["id"]
    await _recorded(pool, promise, "2026-11-23T09:00:00+00:00")

    async def status(as_of: str) -> str:
        return (await ar.gql(PROMISE_STATUS, {"id": promise, "asOf": as_of}))["node"]["status"]

    assert await status("2026-11-26") == "OPEN"
    assert await status("2026-11-30") == "OPEN"
    assert await status("2026-12-01") == "BROKEN"
    queue_open = (await _queue(ar, "2026-11-26"))[account]
    assert "OPEN_PROMISE" in queue_open["flags"]
    assert queue_open["priority"] < 0  # sinks below every account without an open promise
    queue_broken = (await _queue(ar, "2026-12-01"))[account]
    assert "BROKEN_PROMISE" in queue_broken["flags"]
    assert queue_broken["priority"] > queue_open["priority"] + 1000
    # when the customer pays on Thursday
    await ar.gql(
        PAYMENT,
        {
            "input": {
                "accountId": account,
                "amount": "1200.00",
                "currency": "EUR",
                "receivedOn": "2026-11-26",
                "allocations": [{"invoiceId": ids["J4-1"], "amount": "1200.00"}],
            }
        },
    )
    # then
    assert await status("2026-12-01") == "KEPT"
    assert account not in await _queue(ar, "2026-12-01")


NEWS = """
mutation ($input: LogNewsInput!) { logNews(input: $input) { entry { id } userErrors { message } } }
"""


FOLLOW_UP = """
mutation ($input: CreateFollowUpInput!) {
  createFollowUp(input: $input) { entry { id } userErrors { message } }
}
"""
COMPLETE = "mutation ($id: ID!) { completeFollowUp(id: $id) { entry { id } userErrors { message } } }"
WHO = """
query ($id: ID!, $at: DateTime, $asOf: Date) {
  account(id: $id) { callBrief(at: $at) { whoToContact { contact { name } reason } } }
  collectionsQueue(asOf: $asOf, first: 100) {
    edges { node { account { id } suggestedContact { contact { name } reason } nextReachableAt } }
  }
}
"""


def _priority(unpromised: float, days: int, open_: float, extra: float) -> float:
    """domain/priority.py's formula for one reachable account with one currency."""
    return 40 * min(days, 365) / 365 + 20 * unpromised / open_ + 5 * math.log10(1 + unpromised) + extra


async def test_a_partial_promise_discounts_only_what_it_covers(make_caller, pool):
    """Issue 13, item 5: Northwind owes 27,650 GBP overdue, broke a promise and is downsizing;
    a new 18,400 GBP promise must not sink the 9,250 GBP it does not cover."""
    ar = await make_caller(Team.AR)
    account, ref = await _account(ar, "Europe/London")
    await ar.gql(CONTACT, {"input": {"accountId": account, "name": "Margaret Pike", "roles": ["BILLING"]}})
    ids = await _invoices(
        ar,
        ref,
        [
            ("NW-1041", "2026-08-01", "18400.00", "GBP"),  # 80 days overdue on 2026-10-20
            ("NW-1057", "2026-09-05", "9250.00", "GBP"),  # 45 days
            ("NW-1077", "2026-10-30", "6100.00", "GBP"),  # not yet due
        ],
    )
    broken = (
        await ar.gql(
            PROMISE,
            {
                "input": {
                    "accountId": account,
                    "amount": "18400.00",
                    "currency": "GBP",
                    "promisedFor": "2026-10-06",
                    "invoiceIds": [ids["NW-1041"]],
                }
            },
        )
    )["recordPromise"]["entry"]["id"]
    await _recorded(pool, broken, "2026-09-29T09:00:00+00:00")
    await ar.gql(
        NEWS,
        {
            "input": {
                "accountId": account,
                "category": "DOWNSIZING",
                "summary": "Closing the Leeds plant in Q1",
                "occurredAt": "2026-09-20T09:00:00Z",
            }
        },
    )
    before = (await _queue(ar, "2026-10-20"))[account]
    assert before["priority"] == pytest.approx(_priority(27650, 80, 33750, 15 + 10))  # 72.4
    # when: a new promise for 18,400 GBP, naming no invoice
    newer = (
        await ar.gql(
            PROMISE,
            {
                "input": {
                    "accountId": account,
                    "amount": "18400.00",
                    "currency": "GBP",
                    "promisedFor": "2026-10-30",
                }
            },
        )
    )["recordPromise"]["entry"]["id"]
    await _recorded(pool, newer, "2026-10-18T09:00:00+00:00")
    item = (await _queue(ar, "2026-10-20"))[account]
    # then: it covers the oldest overdue invoice, NW-1041; NW-1057's 9,250 GBP at 45 days is chased
    assert item["priority"] == pytest.approx(_priority(9250, 45, 33750, 15 + 10))  # 55.2
    assert {"BROKEN_PROMISE", "OPEN_PROMISE", "FINANCIAL_DIFFICULTY_NEWS"} <= set(item["flags"])
    about_promises = [r for r in item["reasons"] if "promise" in r.lower()]
    assert about_promises == [
        "A promise to pay was broken in the last 180 days, and promised payments due later cover "
        "18,400.00 GBP of the overdue amount; the rest (9,250.00 GBP) is chased as usual."
    ]
    assert not any("wait" in r for r in item["reasons"])
    # and when a promise names NW-1057 as well, nothing overdue is left to chase: wait
    await ar.gql(
        PROMISE,
        {
            "input": {
                "accountId": account,
                "amount": "9250.00",
                "currency": "GBP",
                "promisedFor": "2026-10-30",
                "invoiceIds": [ids["NW-1057"]],
            }
        },
    )
    waiting = (await _queue(ar, "2026-10-20"))[account]
    assert waiting["priority"] < 0
    assert [r for r in waiting["reasons"] if "promise" in r.lower()] == [
        "A promise to pay was broken in the last 180 days, and promised payments due later cover all "
        "of the overdue amount: wait for them before chasing."
    ]


async def test_a_promise_naming_invoices_covers_them_oldest_first_less_what_was_paid(make_caller, pool):
    ar = await make_caller(Team.AR)
    account, ref = await _account(ar, "UTC")
    await ar.gql(CONTACT, {"input": {"accountId": account, "name": "Pat Payer", "roles": ["BILLING"]}})
    ids = await _invoices(
        ar,
        ref,
        [
            ("N-OLD", "2026-08-01", "18400.00", "GBP"),  # 80 days overdue on 2026-10-20
            ("N-MID", "2026-09-05", "9250.00", "GBP"),  # 45 days
            ("N-NEW", "2026-10-30", "6100.00", "GBP"),  # not yet due
        ],
    )
    promise = (
        await ar.gql(
            PROMISE,
            {
                "input": {
                    "accountId": account,
                    "amount": "20000.00",
                    "currency": "GBP",
                    "promisedFor": "2026-10-30",
                    "invoiceIds": [ids["N-MID"], ids["N-OLD"]],
                }
            },
        )
    )["recordPromise"]["entry"]["id"]
    await _recorded(pool, promise, "2026-10-01T09:00:00+00:00")
    # when: 5,000 GBP of it arrives, paying N-OLD down to 13,400
    await ar.gql(
        PAYMENT,
        {
            "input": {
                "accountId": account,
                "amount": "5000.00",
                "currency": "GBP",
                "receivedOn": "2026-10-10",
                "allocations": [{"invoiceId": ids["N-OLD"], "amount": "5000.00"}],
            }
        },
    )
    item = (await _queue(ar, "2026-10-20"))[account]
    # then: the 15,000 still promised covers N-OLD's 13,400 and 1,600 of N-MID; 7,650 at 45 days is chased
    assert item["priority"] == pytest.approx(_priority(7650, 45, 28750, 0))
    assert (
        "Promised payments not yet due cover 15,000.00 GBP of the overdue amount; "
        "the rest (7,650.00 GBP) is chased as usual." in item["reasons"]
    )


async def test_an_open_follow_up_names_whom_to_call_first(make_caller):
    """Issue 13, items 6 and 7: the team's follow-up says whom to call; the brief and the queue agree."""
    ar = await make_caller(Team.AR)
    account, ref = await _account(ar, "Europe/London")
    contacts = {}
    for person in (
        {"name": "Margaret Pike", "roles": ["ACCOUNTS_PAYABLE", "BILLING"], "preferredChannel": "EMAIL"},
        {"name": "Tom Hale", "roles": ["DECISION_MAKER"], "phone": "+44 113 496 0144"},
        {"name": "Dora Nope", "roles": ["BILLING"], "doNotContact": True},
    ):
        data = await ar.gql(CONTACT, {"input": {"accountId": account, **person}})
        contacts[person["name"]] = data["createContact"]["contact"]["id"]
    await _invoices(ar, ref, [("FU-1", "2026-08-01", "500.00", "GBP")])
    at, as_of = "2026-10-20T12:00:00Z", "2026-10-20"  # the queue judges a past asOf at noon UTC

    async def who() -> tuple[list[dict], dict]:
        data = await ar.gql(WHO, {"id": account, "at": at, "asOf": as_of})
        items = {e["node"]["account"]["id"]: e["node"] for e in data["collectionsQueue"]["edges"]}
        return data["account"]["callBrief"]["whoToContact"], items[account]

    brief, item = await who()
    assert [s["contact"]["name"] for s in brief] == ["Margaret Pike", "Tom Hale"]
    assert item["suggestedContact"] == brief[0]
    # when: the team leaves a follow-up naming Tom, and an earlier one naming Dora, who is not to be contacted
    summary = "Call Tom Hale, not Margaret, about the broken promise"
    created = await ar.gql(
        FOLLOW_UP,
        {
            "input": {
                "accountId": account,
                "summary": summary,
                "dueAt": "2026-10-21T09:00:00Z",
                "contactId": contacts["Tom Hale"],
            }
        },
    )
    follow_up = created["createFollowUp"]["entry"]["id"]
    await ar.gql(
        FOLLOW_UP,
        {
            "input": {
                "accountId": account,
                "summary": "Ask Dora",
                "dueAt": "2026-10-19T09:00:00Z",
                "contactId": contacts["Dora Nope"],
            }
        },
    )
    brief, item = await who()
    # then
    assert [s["contact"]["name"] for s in brief] == ["Tom Hale", "Margaret Pike"]
    assert brief[0]["reason"] == f'open follow-up: "{summary}"; decision maker, reachable now, by phone'
    assert item["suggestedContact"] == brief[0]
    assert item["nextReachableAt"] is None  # reachable now
    # and once it is done, the billing contact comes first again
    await ar.gql(COMPLETE, {"id": follow_up})
    brief, item = await who()
    assert [s["contact"]["name"] for s in brief] == ["Margaret Pike", "Tom Hale"]
    assert item["suggestedContact"] == brief[0]
