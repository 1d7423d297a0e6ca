"""The queue, the call brief and the single fields never disagree, on random data.

The queue ranks in SQL; the brief and the fields judge with domain/. This test
builds random accounts in a database of its own (so the whole queue is its
own) and compares every account's answers from all three.
"""

import asyncio
import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest

from api import migrate
from api.app import create_app
from domain.teams import Team
from domain.tokens import new_token, token_hash
from schema import ids
from store import users
from tests.conftest import create_database, drop_database

AS_OF = date(2026, 10, 14)  # a Wednesday in the second week
AT = "2026-10-14T12:00:00+00:00"  # the instant the queue judges reachability at for this asOf
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Auckland"]
DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

QUEUE = """
query ($asOf: Date, $after: String) {
  collectionsQueue(asOf: $asOf, first: 7, after: $after) {
    edges { node { account { id } overdue { amount currency } oldestDaysOverdue reachableNow flags } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
BRIEF = """
query ($id: ID!, $at: DateTime, $asOf: Date) {
  account(id: $id) {
    receivables(asOf: $asOf) { currency overdue { amount } oldestDaysOverdue }
    contacts { doNotContact reachability(at: $at) { reachable } }
    callBrief(at: $at) {
      flags receivables { currency overdue { amount } oldestDaysOverdue }
      whoToContact { reachability { reachable } }
      openPromises { id status(asOf: $asOf) } brokenPromises { id status(asOf: $asOf) }
    }
  }
}
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
    for c in range(rng.randint(0, 3)):
        await _gql(
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
    invoices = []
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
                "currency": rng.choice(["EUR", "USD", "GBP"]),
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
    for _ in range(rng.randint(0, 2)):
        invoice = rng.choice(created)
        promise = (
            await _gql(
                client,
                "mutation ($i: RecordPromiseInput!) { recordPromise(input: $i) { entry { id } } }",
                {
                    "i": {
                        "accountId": account,
                        "amount": f"{rng.randint(10, 2000)}.00",
                        "currency": invoice["balance"]["currency"],
                        "promisedFor": (AS_OF + timedelta(days=rng.randint(-60, 10))).isoformat(),
                        "graceDays": rng.randint(0, 5),
                    }
                },
            )
        )["recordPromise"]["entry"]["id"]
        async with pool.acquire() as conn:
            await conn.execute(
                "UPDATE entries SET recorded_at = $2 WHERE id = $1",
                ids.decode(promise)[1],
                _at_day(AS_OF - timedelta(days=rng.randint(20, 80))),
            )
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


def _at_day(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)


async def test_queue_brief_and_fields_agree_on_random_accounts(own_app):
    client, pool = own_app
    rng = random.Random(20261123)
    for n in range(40):
        await _random_account(client, pool, rng, n)
    account_ids = [
        edge["node"]["id"]
        for edge in (await _gql(client, "{ accounts(first: 100) { edges { node { id } } } }", {}))[
            "accounts"
        ]["edges"]
    ]
    queue, after, seen = {}, None, []
    while True:
        page = (await _gql(client, QUEUE, {"asOf": AS_OF.isoformat(), "after": after}))["collectionsQueue"]
        for edge in page["edges"]:
            seen.append(edge["node"]["account"]["id"])
            queue[edge["node"]["account"]["id"]] = edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
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
