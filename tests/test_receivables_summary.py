"""The receivables summary equals a from-scratch recomputation, whatever was written and whenever.

Random sequences of the writes that move an account's ranking facts (invoices,
payments, promises and their cancelling, disputes and their resolving, news,
deletions) and of clock moves (the day pass) run through the API; after each
sequence the kept summary must equal the one recomputed from the entries. A
write path that forgets its upkeep leaves a row behind and fails this test.
The agreement test (test_ar_agreement.py) checks the ranking itself.
"""

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from domain.actors import Actor
from domain.commands.invoices import InvoiceUpsert
from domain.invoices import InvoiceStatus
from domain.teams import Team
from jobs import receivables_day
from services import invoices
from store import receivables_summary
from tests import test_ar_agreement
from tests.test_ar_agreement import _gql

own_app = test_ar_agreement.own_app  # a database of its own: the summary covers every account

TODAY = datetime.now(UTC).date()  # promises count payments from when they were recorded: now
CURRENCIES = ["EUR", "USD"]
STATUSES = ["OPEN", "OPEN", "PARTIALLY_PAID", "DISPUTED", "PAID", "VOID"]
NEWS = ["DOWNSIZING", "FINANCIAL_DIFFICULTY", "EXPANSION"]

days = st.integers(-60, 20).map(lambda d: TODAY + timedelta(days=d))
amounts = st.integers(1, 3000).map(lambda a: f"{a}.00")
pick = st.integers(0, 1_000)  # an earlier invoice or entry, modulo how many there are

INVOICE = st.tuples(
    st.just("invoice"),
    pick,
    st.booleans(),
    days,
    amounts,
    st.sampled_from(CURRENCIES),
    st.sampled_from(STATUSES),
)
ACTIONS = st.one_of(
    INVOICE,
    st.tuples(st.just("payment"), days, amounts, st.sampled_from(CURRENCIES), st.none() | pick),
    st.tuples(
        st.just("promise"), days, st.integers(0, 5), amounts, st.sampled_from(CURRENCIES), st.none() | pick
    ),
    st.tuples(st.just("cancel"), pick),
    st.tuples(st.just("dispute"), pick),
    st.tuples(st.just("resolve"), pick),
    st.tuples(st.just("news"), st.sampled_from(NEWS), st.integers(-100 * 24, 3 * 24), st.booleans()),
    st.tuples(st.just("delete"), pick),
    st.tuples(st.just("day"), st.integers(-3, 40)),
)

ENTRY = "{ entry { id } userErrors { code } }"


class World:
    """What the sequence wrote so far, for later actions to name."""

    def __init__(self, client, pool, account: str, ref: str) -> None:
        self.client, self.pool, self.account, self.ref = client, pool, account, ref
        self.invoices: list[dict] = []  # {"ref", "id", "currency"}
        self.entries: dict[str, list[str]] = {"promise": [], "dispute": [], "news": [], "payment": []}

    async def entry(self, kind: str, mutation: str, variables: dict) -> None:
        payload = next(iter((await _gql(self.client, mutation, variables)).values()))
        if payload["entry"]:
            self.entries[kind].append(payload["entry"]["id"])

    def chosen(self, kind: str, n: int) -> str | None:
        found = self.entries[kind]
        return found[n % len(found)] if found else None


async def _invoice(w: World, n: int, new: bool, due, amount: str, currency: str, status: str) -> None:
    known = w.invoices[n % len(w.invoices)] if w.invoices and not new else None
    ref = known["ref"] if known else uuid.uuid4().hex[:10]
    currency = known["currency"] if known else currency
    balance = "0.00" if status == "PAID" else amount
    item = {
        "externalRef": {"system": "erp", "id": ref},
        "accountRef": {"system": "erp", "id": w.ref},
        "number": f"N-{ref}",
        "issuedOn": (due - timedelta(days=30)).isoformat(),
        "dueOn": due.isoformat(),
        "currency": currency,
        "total": "3000.00",
        "balance": balance,
        "status": status,
    }
    written = await _gql(
        w.client,
        "mutation ($i: [InvoiceUpsertInput!]!) { upsertInvoices(input: $i) { invoices { id } } }",
        {"i": [item]},
    )
    if not known:
        w.invoices.append(
            {"ref": ref, "id": written["upsertInvoices"]["invoices"][0]["id"], "currency": currency}
        )


async def _act(w: World, action: tuple) -> None:
    kind, *args = action
    if kind == "invoice":
        await _invoice(w, *args)
    elif kind == "payment":
        day, amount, currency, n = args
        paid = w.invoices[n % len(w.invoices)] if n is not None and w.invoices else None
        allocations = [{"invoiceId": paid["id"], "amount": "1.00"}] if paid else None
        await w.entry(
            "payment",
            f"mutation ($i: RecordPaymentInput!) {{ recordPayment(input: $i) {ENTRY} }}",
            {
                "i": {
                    "accountId": w.account,
                    "amount": amount,
                    "currency": paid["currency"] if paid else currency,
                    "receivedOn": day.isoformat(),
                    "allocations": allocations,
                }
            },
        )
    elif kind == "promise":
        day, grace, amount, currency, n = args
        named = w.invoices[n % len(w.invoices)] if n is not None and w.invoices else None
        await w.entry(
            "promise",
            f"mutation ($i: RecordPromiseInput!) {{ recordPromise(input: $i) {ENTRY} }}",
            {
                "i": {
                    "accountId": w.account,
                    "amount": amount,
                    "currency": named["currency"] if named else currency,
                    "promisedFor": day.isoformat(),
                    "graceDays": grace,
                    "invoiceIds": [named["id"]] if named else None,
                }
            },
        )
    elif kind == "cancel" and (promise := w.chosen("promise", args[0])):
        await _gql(w.client, f"mutation ($id: ID!) {{ cancelPromise(id: $id) {ENTRY} }}", {"id": promise})
    elif kind == "dispute" and w.invoices:
        contested = w.invoices[args[0] % len(w.invoices)]
        await w.entry(
            "dispute",
            f"mutation ($i: OpenDisputeInput!) {{ openDispute(input: $i) {ENTRY} }}",
            {
                "i": {
                    "accountId": w.account,
                    "invoiceIds": [contested["id"]],
                    "reason": "PRICING",
                    "summary": "contested",
                }
            },
        )
    elif kind == "resolve" and (dispute := w.chosen("dispute", args[0])):
        await _gql(
            w.client,
            f"mutation ($i: ResolveDisputeInput!) {{ resolveDispute(input: $i) {ENTRY} }}",
            {"i": {"id": dispute, "status": "RESOLVED", "resolution": "settled"}},
        )
    elif kind == "news":
        category, hours, restricted = args
        at = datetime.combine(TODAY, time(12), UTC) + timedelta(hours=hours)
        await w.entry(
            "news",
            f"mutation ($i: LogNewsInput!) {{ logNews(input: $i) {ENTRY} }}",
            {
                "i": {
                    "accountId": w.account,
                    "category": category,
                    "summary": "heard",
                    "occurredAt": at.isoformat(),
                    "visibility": "RESTRICTED" if restricted else "ALL_TEAMS",
                }
            },
        )
    elif kind == "delete":
        every = [e for found in w.entries.values() for e in found]
        if every:
            await _gql(
                w.client,
                'mutation ($id: ID!) { deleteEntry(id: $id, reason: "test") { userErrors { code } } }',
                {"id": every[args[0] % len(every)]},
            )
    elif kind == "day":  # the worker's pass, as if the clock read that day
        await receivables_day.run_pass(w.pool, TODAY + timedelta(days=args[0]))


async def _new_account(client, ref: str) -> str:
    created = await _gql(
        client,
        "mutation ($r: String!) { createAccount(input:"
        ' {name: "Summed", externalRefs: [{system: "erp", id: $r}]}) { account { id } } }',
        {"r": ref},
    )
    return created["createAccount"]["account"]["id"]


SUMMARY = """
SELECT account_id, restricted, oldest_days, unpromised_days, share, log_amount, waiting, amounts::text,
       broken, open_promise, news, upper, lower
  FROM receivables_summary ORDER BY account_id, restricted
"""


async def _kept_and_fresh(pool) -> tuple[list, list]:
    async with pool.acquire() as conn:
        kept = [tuple(row) for row in await conn.fetch(SUMMARY)]
        day = await conn.fetchval(receivables_summary.DAY)
        async with conn.transaction():
            await conn.execute("UPDATE receivables_summary_day SET as_of = NULL")
            await receivables_summary.move_day(conn, day)  # everything recomputed from the entries
            fresh = [tuple(row) for row in await conn.fetch(SUMMARY)]
    return kept, fresh


@pytest.mark.timeout(600)
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(invoices=st.lists(INVOICE, min_size=1, max_size=4), actions=st.lists(ACTIONS, max_size=12))
async def test_the_summary_equals_a_recomputation_after_writes_and_clock_moves(own_app, invoices, actions):
    client, pool = own_app
    async with pool.acquire() as conn:
        await receivables_summary.move_day(conn, TODAY)  # the first example fills it; later ones keep it
    ref = uuid.uuid4().hex[:10]
    world = World(client, pool, await _new_account(client, ref), ref)
    for done, action in enumerate([*invoices, *actions], start=1):
        await _act(world, action)
        kept, fresh = await _kept_and_fresh(pool)
        assert kept == fresh, [*invoices, *actions][:done]


async def test_two_writers_of_one_account_leave_the_summary_of_both_writes(own_app):
    """The second writer's refresh waits for the first to commit, so it counts both invoices."""
    client, pool = own_app
    async with pool.acquire() as conn:
        await receivables_summary.move_day(conn, TODAY)
        user_id = await conn.fetchval("SELECT id FROM users WHERE email = 'ar@example.com'")
    ref = uuid.uuid4().hex[:10]
    await _new_account(client, ref)
    actor = Actor(user_id=user_id, team=Team.AR)
    first_wrote, first_may_commit = asyncio.Event(), asyncio.Event()

    def item(n: int) -> InvoiceUpsert:
        due = TODAY - timedelta(days=10 * n)
        return InvoiceUpsert(
            "erp",
            f"{ref}-{n}",
            "erp",
            ref,
            f"T-{n}",
            due,
            due,
            "EUR",
            Decimal(100 * n),
            Decimal(100 * n),
            InvoiceStatus.OPEN,
        )

    async def first() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await invoices.upsert_invoices(conn, actor, [item(1)], action="invoice.upsert")
            first_wrote.set()
            await first_may_commit.wait()

    async def second() -> None:
        await first_wrote.wait()
        async with pool.acquire() as conn, conn.transaction():
            await invoices.upsert_invoices(conn, actor, [item(2)], action="invoice.upsert")

    writers = asyncio.gather(first(), second())
    await asyncio.sleep(0.5)  # the second is now waiting for the first's account lock
    first_may_commit.set()
    await writers
    kept, fresh = await _kept_and_fresh(pool)
    assert kept == fresh
    assert '"overdue": "300.00' in next(row[7] for row in kept if row[1])  # both invoices, 100 + 200
