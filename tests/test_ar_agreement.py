"""The queue, the call brief and the single fields never disagree, on random data.

The queue ranks in SQL; the brief and the fields judge with domain/. This test
builds random accounts in a database of its own (so the whole queue is its
own) and compares every account's answers from all three. What open promises
cover has no Python twin in production, so `_ranking` restates that rule here,
from the brief's invoices and promises, to check the queue's priority and reasons.
"""

import asyncio
import math
import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import httpx
import pytest

from api import migrate
from api.app import create_app
from domain import promises
from domain.priority import WEIGHTS, Owed, reasons
from domain.receivables import InvoiceFacts, is_open
from domain.teams import Team
from domain.tokens import new_token, token_hash
from schema import ids
from store import briefs, receivables_summary, users
from tests.conftest import create_database, drop_database

AS_OF = date(2026, 10, 14)  # a Wednesday in the second week
AT = "2026-10-14T12:00:00+00:00"  # the instant the queue judges reachability at for this asOf
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Auckland"]
DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

QUEUE = """
query ($asOf: Date, $after: String) {
  collectionsQueue(asOf: $asOf, first: 7, after: $after) {
    edges { node {
      account { id } priority overdue { amount currency } oldestDaysOverdue reachableNow flags reasons
      suggestedContact { ...suggestion } nextReachableAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}
fragment suggestion on ContactSuggestion {
  contact { id } channel reason reachability { reachable reason nextReachableAt }
}
"""
BRIEF = """
query ($id: ID!, $at: DateTime, $asOf: Date) {
  account(id: $id) {
    receivables(asOf: $asOf) { currency open { amount } overdue { amount } oldestDaysOverdue }
    contacts { doNotContact reachability(at: $at) { reachable } }
    callBrief(at: $at) {
      flags receivables { currency open { amount } overdue { amount } oldestDaysOverdue }
      whoToContact { ...suggestion }
      overdueInvoices { ...invoice }
      openPromises {
        id status(asOf: $asOf) amount { amount currency } recordedAt promisedFor graceDays
        invoices { ...invoice status }
      }
      brokenPromises { id status(asOf: $asOf) }
    }
  }
}
fragment suggestion on ContactSuggestion {
  contact { id } channel reason reachability { reachable reason nextReachableAt }
}
fragment invoice on Invoice { id number dueOn balance { amount currency } }
"""


@pytest.fixture
async def own_app(base_settings, settings):
    name = f"rapport_agree_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    await asyncio.to_thread(migrate.upgrade, url)
    app = create_app(replace(settings, database_url=url))
    async with app.router.lifespan_context(app):
        async with app.state.pool.acquire() as conn:
            user = await users.add_user(conn, email="ar@example.com", name="AR", team=Team.AR)
            token = new_token()
            await users.add_token(conn, user.id, token_hash(token), "test")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            yield client, app.state.pool
    await drop_database(base_settings.database_url, name)


async def _gql(client, query: str, variables: dict) -> dict:
    body = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def _window(rng: random.Random) -> dict:
    window: dict = {"kind": rng.choice(["PREFERRED", "BLACKOUT"])}
    if rng.random() < 0.5:
        window["daysOfWeek"] = rng.sample(DAYS, rng.randint(1, 5))
    if rng.random() < 0.4:
        window["weeksOfMonth"] = rng.sample([1, 2, 3, 4, 5], rng.randint(1, 3))
    if rng.random() < 0.6:
        start = rng.randint(0, 22)
        window["startTime"] = f"{start:02d}:{rng.choice(['00', '30'])}"
        window["endTime"] = f"{rng.randint(start + 1, 23):02d}:{rng.choice(['00', '45'])}"
    if rng.random() < 0.3:
        first = AS_OF + timedelta(days=rng.randint(-20, 5))
        window["fromDate"] = first.isoformat()
        window["untilDate"] = (first + timedelta(days=rng.randint(0, 30))).isoformat()
    return window


async def _random_account(client, pool, rng: random.Random, n: int) -> None:
    ref = f"agree-{n}-{uuid.uuid4().hex[:6]}"
    account = (
        await _gql(
            client,
            """
        mutation ($name: String!, $ref: String!, $tz: String) {
          createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $ref}], timeZone: $tz}) {
            account { id } } }""",
            {"name": f"Random {n}", "ref": ref, "tz": rng.choice(ZONES)},
        )
    )["createAccount"]["account"]["id"]
    people = []
    for c in range(rng.randint(0, 3)):
        created_contact = await _gql(
            client,
            "mutation ($i: CreateContactInput!) { createContact(input: $i) { contact { id } } }",
            {
                "i": {
                    "accountId": account,
                    "name": f"Person {c}",
                    "roles": rng.sample(
                        ["BILLING", "ACCOUNTS_PAYABLE", "TECHNICAL", "OTHER"], rng.randint(0, 2)
                    ),
                    "doNotContact": rng.random() < 0.2,
                    "timeZone": rng.choice([None, *ZONES]),
                    "windows": [_window(rng) for _ in range(rng.randint(0, 3))],
                }
            },
        )
        people.append(created_contact["createContact"]["contact"]["id"])
    invoices = []
    home = rng.choice(["EUR", "USD", "GBP"])  # most invoices, so promises meet several in one currency
    for i in range(rng.randint(1, 5)):
        total = f"{rng.randint(1, 50000)}.{rng.randint(0, 99):02d}"
        balance = total if rng.random() < 0.8 else "0.00"
        status = rng.choice(["OPEN", "OPEN", "PARTIALLY_PAID", "DISPUTED", "PAID", "DRAFT"])
        invoices.append(
            {
                "externalRef": {"system": "erp", "id": f"{ref}-{i}"},
                "accountRef": {"system": "erp", "id": ref},
                "number": f"R{n}-{i}",
                "issuedOn": "2026-01-01",
                "dueOn": (AS_OF + timedelta(days=rng.randint(-200, 30))).isoformat(),
                "currency": rng.choice([home, home, home, "EUR", "USD", "GBP"]),
                "total": total,
                "balance": "0.00" if status == "PAID" else balance,  # a PAID invoice owes nothing
                "status": status,
            }
        )
    created = (
        await _gql(
            client,
            "mutation ($i: [InvoiceUpsertInput!]!) { upsertInvoices(input: $i)"
            " { invoices { id status balance { amount currency } } } }",
            {"i": invoices},
        )
    )["upsertInvoices"]["invoices"]
    if rng.random() < 0.3:
        await _gql(
            client,
            "mutation ($i: OpenDisputeInput!) { openDispute(input: $i) { entry { id } } }",
            {
                "i": {
                    "accountId": account,
                    "invoiceIds": [rng.choice(created)["id"]],
                    "reason": "PRICING",
                    "summary": "disputed",
                }
            },
        )
    for _ in range(rng.randint(0, 3)):
        invoice = rng.choice(created)
        same = [i for i in created if i["balance"]["currency"] == invoice["balance"]["currency"]]
        named = rng.sample(same, rng.randint(1, len(same))) if rng.random() < 0.5 else []
        promise = (
            await _gql(
                client,
                "mutation ($i: RecordPromiseInput!) { recordPromise(input: $i) { entry { id } } }",
                {
                    "i": {
                        "accountId": account,
                        "amount": _promised(rng, rng.choice(named or [invoice])),
                        "currency": invoice["balance"]["currency"],
                        "promisedFor": (AS_OF + timedelta(days=rng.randint(-40, 30))).isoformat(),
                        "graceDays": rng.randint(0, 5),
                        "invoiceIds": [i["id"] for i in named],
                    }
                },
            )
        )["recordPromise"]["entry"]["id"]
        async with pool.acquire() as conn, conn.transaction():
            # Back-dating is no mutation's: the test keeps the summary itself, as a write would.
            await conn.execute(
                "UPDATE entries SET recorded_at = $2 WHERE id = $1",
                ids.decode(promise)[1],
                _at_day(AS_OF - timedelta(days=rng.randint(20, 80))),
            )
            await receivables_summary.refresh(conn, [ids.decode(account)[1]])
        if rng.random() < 0.5:
            await _gql(
                client,
                "mutation ($i: RecordPaymentInput!) { recordPayment(input: $i) { entry { id } } }",
                {
                    "i": {
                        "accountId": account,
                        "amount": f"{rng.randint(10, 2500)}.00",
                        "currency": invoice["balance"]["currency"],
                        "receivedOn": (AS_OF - timedelta(days=rng.randint(0, 60))).isoformat(),
                    }
                },
            )
    if rng.random() < 0.3:
        await _gql(
            client,
            "mutation ($i: LogNewsInput!) { logNews(input: $i) { entry { id } } }",
            {
                "i": {
                    "accountId": account,
                    "category": rng.choice(["DOWNSIZING", "FINANCIAL_DIFFICULTY", "EXPANSION"]),
                    "summary": "news",
                    "occurredAt": f"{AS_OF - timedelta(days=rng.randint(0, 120))}T09:00:00Z",
                }
            },
        )

    for _ in range(rng.randint(0, 2) if people else 0):
        follow_up = (
            await _gql(
                client,
                "mutation ($i: CreateFollowUpInput!) { createFollowUp(input: $i) { entry { id } } }",
                {
                    "i": {
                        "accountId": account,
                        "summary": "call them",
                        "dueAt": f"{AS_OF + timedelta(days=rng.randint(-5, 10))}T09:00:00Z",
                        "contactId": rng.choice(people),
                    }
                },
            )
        )["createFollowUp"]["entry"]["id"]
        if rng.random() < 0.3:
            await _gql(
                client,
                "mutation ($id: ID!) { completeFollowUp(id: $id) { entry { id } } }",
                {"id": follow_up},
            )


def _promised(rng: random.Random, invoice: dict) -> str:
    """Small, about one invoice (so it may cover the oldest exactly or nearly), or more than all."""
    about = Decimal(invoice["balance"]["amount"]) + rng.choice([0, 0, rng.randint(-500, 500)])
    return str(
        rng.choice(
            [Decimal(rng.randint(10, 2000)), max(about, Decimal(10)), Decimal(rng.randint(2000, 120000))]
        )
    )


def _at_day(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)


def _money(m: dict) -> tuple[Decimal, str]:
    return Decimal(m["amount"]), m["currency"]


def _unpromised(brief: dict, paid: list[promises.Payment]) -> dict[str, list[tuple[date, Decimal]]]:
    """Per currency, each overdue invoice's due date and the part of it no open promise covers.

    A promise naming invoices spreads what is still promised over those of them still owed in its
    currency, oldest due first; the others, summed per currency, cover the oldest overdue."""
    named: dict[str, Decimal] = {}
    unnamed: dict[str, Decimal] = {}
    for p in brief["openPromises"]:
        amount, currency = _money(p["amount"])
        rule = promises.Promise(
            amount=amount,
            currency=currency,
            recorded_on=datetime.fromisoformat(p["recordedAt"]).astimezone(UTC).date(),
            promised_for=date.fromisoformat(p["promisedFor"]),
            grace_days=p["graceDays"],
            cancelled=False,
        )
        left = amount - promises.paid_towards(rule, paid, AS_OF)
        if not p["invoices"]:
            unnamed[currency] = unnamed.get(currency, Decimal(0)) + left
            continue
        owed = [
            i
            for i in p["invoices"]
            if i["balance"]["currency"] == currency
            and is_open(InvoiceFacts(currency, date.min, _money(i["balance"])[0], i["status"], False))
        ]
        for i in sorted(owed, key=lambda i: (i["dueOn"], i["number"])):
            balance = _money(i["balance"])[0]
            named[i["id"]] = min(
                balance, named.get(i["id"], Decimal(0)) + max(Decimal(0), min(balance, left))
            )
            left -= balance
    result: dict[str, list[tuple[date, Decimal]]] = {}
    for i in brief["overdueInvoices"]:  # oldest due first
        balance, currency = _money(i["balance"])
        rest = balance - named.get(i["id"], Decimal(0))
        covered = max(Decimal(0), min(rest, unnamed.get(currency, Decimal(0))))
        unnamed[currency] = unnamed.get(currency, Decimal(0)) - rest
        result.setdefault(currency, []).append((date.fromisoformat(i["dueOn"]), rest - covered))
    return result


def _ranking(data: dict, item: dict, paid: list[promises.Payment]) -> tuple[float, list[str]]:
    """The priority and reasons domain/priority.py documents, from the brief's facts."""
    brief = data["callBrief"]
    unpromised = _unpromised(brief, paid)
    owed = []
    for r in data["receivables"]:
        overdue = Decimal(r["overdue"]["amount"])
        if overdue > 0:
            left = sum((amount for _, amount in unpromised[r["currency"]]), Decimal(0))
            owed.append(Owed(r["currency"], overdue, Decimal(r["open"]["amount"]), left))
    days = max(((AS_OF - due).days for parts in unpromised.values() for due, a in parts if a > 0), default=0)
    broken, news = bool(brief["brokenPromises"]), "FINANCIAL_DIFFICULTY_NEWS" in brief["flags"]
    score = (
        WEIGHTS.days * min(days, 365) / 365
        + WEIGHTS.share * max(float(o.unpromised) / float(o.open) for o in owed)
        + WEIGHTS.amount * max(math.log10(1 + float(o.unpromised)) for o in owed)
        + (WEIGHTS.broken_promise if broken else 0)
        + (WEIGHTS.financial_news if news else 0)
    ) * (1 if item["reachableNow"] else WEIGHTS.unreachable_factor)
    waiting = all(o.unpromised == 0 for o in owed)
    said = reasons(
        oldest_days=item["oldestDaysOverdue"],
        owed=owed,
        broken_promise=broken,
        financial_news=news,
        reachable_now=item["reachableNow"],
        open_promise=bool(brief["openPromises"]),
    )
    return score - (WEIGHTS.open_promise_penalty if waiting else 0), said


async def _queue_pages(client) -> list[dict]:
    pages, after = [], None
    while True:
        page = (await _gql(client, QUEUE, {"asOf": AS_OF.isoformat(), "after": after}))["collectionsQueue"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_queue_brief_and_fields_agree_on_random_accounts(own_app):
    client, pool = own_app
    rng = random.Random(20261123)
    async with pool.acquire() as conn:
        # The summary holds AS_OF from the start, so every write below keeps it and the queue reads it.
        assert await receivables_summary.move_day(conn, AS_OF)
    for n in range(40):
        await _random_account(client, pool, rng, n)
    account_ids = [
        edge["node"]["id"]
        for edge in (await _gql(client, "{ accounts(first: 100) { edges { node { id } } } }", {}))[
            "accounts"
        ]["edges"]
    ]
    pages = await _queue_pages(client)
    async with pool.acquire() as conn:
        # AR's audience has a row for each overdue account: the pages came from the summary.
        summarised = await conn.fetchval("SELECT count(*) FROM receivables_summary WHERE restricted")
        assert summarised == sum(len(page["edges"]) for page in pages)
        await conn.execute("UPDATE receivables_summary_day SET as_of = NULL")  # the ranking from the entries
    assert await _queue_pages(client) == pages
    queue, seen = {}, []
    for page in pages:
        for edge in page["edges"]:
            seen.append(edge["node"]["account"]["id"])
            queue[edge["node"]["account"]["id"]] = edge["node"]
    assert len(seen) == len(set(seen))  # pages never repeat an account
    assert 5 < len(queue) < len(account_ids)  # the random data makes both cases
    for account_id in account_ids:
        data = (await _gql(client, BRIEF, {"id": account_id, "at": AT, "asOf": AS_OF.isoformat()}))["account"]
        brief = data["callBrief"]
        overdue = {
            r["currency"]: r["overdue"]["amount"]
            for r in data["receivables"]
            if r["overdue"]["amount"] != "0.00"
        }
        assert data["receivables"] == brief["receivables"]
        reachable = any(c["reachability"]["reachable"] for c in data["contacts"] if not c["doNotContact"])
        assert reachable == any(s["reachability"]["reachable"] for s in brief["whoToContact"])
        assert all(p["status"] == "OPEN" for p in brief["openPromises"])
        assert all(p["status"] == "BROKEN" for p in brief["brokenPromises"])
        if account_id not in queue:
            assert overdue == {}, account_id
            continue
        item = queue[account_id]
        assert {m["currency"]: m["amount"] for m in item["overdue"]} == overdue
        assert item["oldestDaysOverdue"] == max(r["oldestDaysOverdue"] for r in data["receivables"])
        assert item["reachableNow"] == reachable
        assert item["flags"] == brief["flags"], account_id
        key = ids.decode(account_id)[1]
        async with pool.acquire() as conn:
            rows = (await briefs.payments(conn, [key])).get(key, [])
        paid = [promises.Payment(r["received_on"], r["amount"], r["currency"]) for r in rows]
        priority, said = _ranking(data, item, paid)
        assert item["priority"] == pytest.approx(priority, rel=1e-9, abs=1e-9), account_id
        assert item["reasons"] == said, account_id
        suggested = brief["whoToContact"][0] if brief["whoToContact"] else None
        assert item["suggestedContact"] == suggested, account_id
        next_times = [s["reachability"]["nextReachableAt"] for s in brief["whoToContact"]]
        soonest = min((datetime.fromisoformat(t) for t in next_times if t), default=None)
        expected_next = None if item["reachableNow"] else soonest
        assert (item["nextReachableAt"] and datetime.fromisoformat(item["nextReachableAt"])) == expected_next
