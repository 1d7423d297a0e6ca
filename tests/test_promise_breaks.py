"""PROMISE_BROKEN: written by the time-driven pass when a promise turns BROKEN, once even with two workers."""

import asyncio
from datetime import date

import asyncpg

from domain.teams import Team
from jobs.promise_breaks import notice_broken_promises, run_pass
from schema import ids
from tests.test_inbox import OWNER, _account, _inbox, _uid

PROMISE = """
mutation ($a: ID!, $amount: Decimal!, $on: Date!) {
  recordPromise(input: {accountId: $a, amount: $amount, currency: "EUR", promisedFor: $on, graceDays: 0}) {
    entry { id } userErrors { code }
  }
}
"""


async def test_a_broken_promise_reaches_the_owners_once_with_two_workers(make_caller, settings, pool):
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES)
    account = await _account(ada)
    await ada.gql(OWNER, {"input": {"accountId": account, "team": "AR", "userId": _uid(ada)}})
    await ada.gql(OWNER, {"input": {"accountId": account, "team": "SALES", "userId": _uid(sam)}})
    broken = (await ada.gql(PROMISE, {"a": account, "amount": "100", "on": "2026-01-10"}))["recordPromise"]
    later = (await ada.gql(PROMISE, {"a": account, "amount": "50", "on": "2026-03-01"}))["recordPromise"]
    # when: two workers run the pass at once, on a day after the first deadline only
    conns = [await asyncpg.connect(settings.database_url) for _ in range(2)]
    try:
        await asyncio.gather(*(notice_broken_promises(c, date(2026, 2, 1)) for c in conns))
        await asyncio.gather(*(notice_broken_promises(c, date(2026, 2, 1)) for c in conns))
    finally:
        for conn in conns:
            await conn.close()
    # then: the owners hear of the broken one once (Ada wrote it, but the news is the customer's)
    for owner in (ada, sam):
        reasons = [(e["node"]["entry"]["id"], e["node"]["reason"]) for e in (await _inbox(owner))["edges"]]
        assert reasons.count((broken["entry"]["id"], "PROMISE_BROKEN")) == 1
        assert (later["entry"]["id"], "PROMISE_BROKEN") not in reasons
    # and a later pass judges the second one, but never the first again
    await run_pass(pool, date(2026, 4, 1))
    reasons = [(e["node"]["entry"]["id"], e["node"]["reason"]) for e in (await _inbox(sam))["edges"]]
    assert reasons.count((broken["entry"]["id"], "PROMISE_BROKEN")) == 1
    assert reasons.count((later["entry"]["id"], "PROMISE_BROKEN")) == 1
    async with pool.acquire() as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM inbox_items WHERE account_id = $1 AND reason = 'PROMISE_BROKEN'",
            ids.decode(account)[1],
        )
    assert count == 4
