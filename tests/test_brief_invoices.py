"""The call brief judges its overdue invoices' activePromise and openDispute, and its promises'
status, from what it read (schema/briefing.py); the single fields load their own. On random
accounts, at instants before, around and after today, for a caller who sees RESTRICTED entries and
one who does not, both must give the same answers."""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from domain.teams import Team
from schema import ids

BRIEF = """
query ($id: ID!, $at: DateTime) {
  account(id: $id) {
    callBrief(at: $at) {
      overdueInvoices { id activePromise { id status } openDispute { id } }
      openPromises { id status status20: status(asOf: "2026-01-20") }
      brokenPromises { id status }
    }
  }
}
"""
SINGLE = """
query ($id: ID!) {
  node(id: $id) {
    ... on Invoice { id activePromise { id status } openDispute { id } }
    ... on PromiseToPay { id status status20: status(asOf: "2026-01-20") }
  }
}
"""


async def _account(ar, pool, rng: random.Random, today: date) -> str:
    ref = f"brief-{uuid.uuid4().hex[:8]}"
    account = (
        await ar.gql(
            'mutation ($ref: String!) { createAccount(input: {name: "Brief", externalRefs: '
            '[{system: "erp", id: $ref}]}) { account { id } } }',
            {"ref": ref},
        )
    )["createAccount"]["account"]["id"]
    invoices = [
        {
            "externalRef": {"system": "erp", "id": f"{ref}-{i}"},
            "accountRef": {"system": "erp", "id": ref},
            "number": f"B-{i}",
            "issuedOn": "2025-01-01",
            "dueOn": (today + timedelta(days=rng.randint(-400, 20))).isoformat(),
            "currency": rng.choice(["EUR", "EUR", "USD"]),
            "total": "900.00",
            "balance": "900.00",
            "status": rng.choice(["OPEN", "OPEN", "PARTIALLY_PAID", "DISPUTED"]),
        }
        for i in range(rng.randint(1, 5))
    ]
    created = (
        await ar.gql(
            "mutation ($i: [InvoiceUpsertInput!]!) { upsertInvoices(input: $i)"
            " { invoices { id balance { currency } } } }",
            {"i": invoices},
        )
    )["upsertInvoices"]["invoices"]
    written = []
    for _ in range(rng.randint(0, 2)):
        written.append(
            (
                await ar.gql(
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
            )["openDispute"]["entry"]["id"]
        )
    for _ in range(rng.randint(1, 5)):
        invoice = rng.choice(created)
        currency = invoice["balance"]["currency"]
        same = [i["id"] for i in created if i["balance"]["currency"] == currency]
        promise = (
            await ar.gql(
                "mutation ($i: RecordPromiseInput!) { recordPromise(input: $i) { entry { id } } }",
                {
                    "i": {
                        "accountId": account,
                        "amount": f"{rng.choice([100, 500, 900])}.00",
                        "currency": currency,
                        "promisedFor": (
                            today + timedelta(days=rng.choice([-rng.randint(1, 260), rng.randint(0, 40)]))
                        ).isoformat(),
                        "graceDays": rng.randint(0, 5),
                        "invoiceIds": rng.sample(same, rng.choice([0, 1, len(same)])),
                    }
                },
            )
        )["recordPromise"]["entry"]["id"]
        written.append(promise)
        async with pool.acquire() as conn:
            await conn.execute(
                "UPDATE entries SET recorded_at = $2 WHERE id = $1",
                ids.decode(promise)[1],
                datetime.combine(today - timedelta(days=rng.randint(0, 300)), time(9), UTC),
            )
        if rng.random() < 0.6:
            await ar.gql(
                "mutation ($i: RecordPaymentInput!) { recordPayment(input: $i) { entry { id } } }",
                {
                    "i": {
                        "accountId": account,
                        "amount": f"{rng.choice([100, 400, 900])}.00",
                        "currency": currency,
                        "receivedOn": (today - timedelta(days=rng.randint(0, 300))).isoformat(),
                    }
                },
            )
    async with pool.acquire() as conn:
        for entry in written:
            if rng.random() < 0.3:
                await conn.execute(
                    "UPDATE entries SET visibility = 'RESTRICTED' WHERE id = $1", ids.decode(entry)[1]
                )
    return account


async def test_the_brief_judges_its_invoices_and_promises_as_their_own_fields_do(make_caller, pool):
    rng = random.Random(16)
    today = datetime.now(UTC).date()
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    accounts = [await _account(ar, pool, rng, today) for _ in range(12)]
    instants = [today - timedelta(days=400), today - timedelta(days=30), today, today + timedelta(days=300)]
    judged = {"activePromise": 0, "overdue": 0}
    for caller in (ar, sales):
        for account in accounts:
            for day in instants:
                at = datetime.combine(day, time(12), UTC).isoformat()
                brief = (await caller.gql(BRIEF, {"id": account, "at": at}))["account"]["callBrief"]
                shown = [*brief["overdueInvoices"], *brief["openPromises"], *brief["brokenPromises"]]
                if not shown:
                    continue
                for item in shown:
                    alone = (await caller.gql(SINGLE, {"id": item["id"]}))["node"]
                    assert {k: alone[k] for k in item} == item, (account, at)
                for invoice in brief["overdueInvoices"]:
                    judged["overdue"] += 1
                    judged["activePromise"] += invoice["activePromise"] is not None
    # The random data must make the interesting cases.
    assert judged["overdue"] > 20
    assert judged["activePromise"] > 3
