"""Idempotency keys on creating mutations (journey 7): a retried request never writes twice.

Keys belong to a user. The same key with the same request returns the first
result, also when the copies arrive at the same moment; the same key with a
different request is a CONFLICT; a request refused for bad input leaves the
key free to use once the input is fixed.
"""

import asyncio
import uuid
from uuid import UUID

import asyncpg

from domain.teams import Team
from schema import ids

ERRORS = "userErrors { code message field }"
ENTRY = "entry { id kind summary author { email } ... on PromiseToPay { amount { amount currency } } }"
LOG_NOTE = f"mutation($input: LogNoteInput!) {{ logNote(input: $input) {{ {ENTRY} {ERRORS} }} }}"
LOG_NEWS = f"mutation($input: LogNewsInput!) {{ logNews(input: $input) {{ {ENTRY} {ERRORS} }} }}"
RECORD_PROMISE = (
    f"mutation($input: RecordPromiseInput!) {{ recordPromise(input: $input) {{ {ENTRY} {ERRORS} }} }}"
)
CREATE_FOLLOW_UP = (
    f"mutation($input: CreateFollowUpInput!) {{ createFollowUp(input: $input) {{ {ENTRY} {ERRORS} }} }}"
)
DELETE_ENTRY = 'mutation($id: ID!) { deleteEntry(id: $id, reason: "dup") { deletedId userErrors { code } } }'
CREATE_ACCOUNT = f"""
mutation($input: CreateAccountInput!) {{ createAccount(input: $input) {{ account {{ id }} {ERRORS} }} }}
"""
CREATE_CONTACT = f"""
mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ contact {{ id }} {ERRORS} }} }}
"""


def uid(global_id: str) -> UUID:
    return ids.decode(global_id)[1]


def key() -> str:
    return f"retry-{uuid.uuid4()}"


async def new_account(caller) -> str:
    data = await caller.gql(CREATE_ACCOUNT, {"input": {"name": f"Idempotency {uuid.uuid4().hex[:10]}"}})
    assert data["createAccount"]["userErrors"] == []
    return data["createAccount"]["account"]["id"]


async def new_contact(caller, account_id: str) -> str:
    data = await caller.gql(
        CREATE_CONTACT,
        {"input": {"accountId": account_id, "name": "Eve", "email": f"{uuid.uuid4().hex[:8]}@example.com"}},
    )
    assert data["createContact"]["userErrors"] == []
    return data["createContact"]["contact"]["id"]


async def written(pool, account_id: str) -> dict[str, int]:
    """The account's entries (deleted ones included), audit rows and outbox rows about entries."""
    account = uid(account_id)
    async with pool.acquire() as conn:
        return {
            "entries": await conn.fetchval("SELECT count(*) FROM entries WHERE account_id = $1", account),
            "audit": await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE account_id = $1 AND entity_type = 'entry'", account
            ),
            "outbox": await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE account_id = $1 AND entity_type = 'entry'", account
            ),
        }


async def keys_of(pool, caller) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM idempotency_keys WHERE user_id = $1", caller.user.id)


async def waiting_on_locks(conn, count: int) -> None:
    """Wait until `count` backends of this database wait for a lock (the requests are at the start line)."""
    for _ in range(1000):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {waiting} of {count} requests reached the lock")


def entry_of(payload: dict) -> dict:
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload["entry"] is not None
    return payload["entry"]


async def log_note(caller, **fields) -> dict:
    return (await caller.gql(LOG_NOTE, {"input": fields}))["logNote"]


# ---------------------------------------------------------------- journey 7


async def test_journey_7_ten_identical_requests_at_once_write_one_note(make_caller, pool):
    # given
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    request = {"accountId": account_id, "summary": "Customer asked for a call back", "idempotencyKey": key()}
    # when
    payloads = await asyncio.gather(*(log_note(caller, **request) for _ in range(10)))
    # then
    entry_ids = {entry_of(p)["id"] for p in payloads}
    assert len(entry_ids) == 1
    assert all(entry_of(p)["summary"] == "Customer asked for a call back" for p in payloads)
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}
    async with pool.acquire() as conn:
        stored = await conn.fetchval("SELECT id FROM entries WHERE account_id = $1", uid(account_id))
        claimed = await conn.fetchrow(
            "SELECT * FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            caller.user.id,
            request["idempotencyKey"],
        )
    assert {uid(i) for i in entry_ids} == {stored}
    assert claimed["result_id"] == stored
    assert claimed["account_id"] == uid(account_id)
    assert claimed["operation"] == "logNote"
    # and a later retry returns the same entry and writes nothing
    again = entry_of(await log_note(caller, **request))
    assert again["id"] in entry_ids
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


async def test_journey_7_all_ten_copies_claim_the_key_at_the_same_moment(make_caller, pool, settings):
    """Inserts into idempotency_keys are held back until all ten copies wait at the claim, then released."""
    caller = await make_caller(Team.AR)
    account_id = await new_account(caller)
    request = {"accountId": account_id, "summary": "Start line", "idempotencyKey": key()}
    holder = await asyncpg.connect(settings.database_url)
    watcher = await asyncpg.connect(settings.database_url)
    try:
        gate = holder.transaction()
        await gate.start()
        await holder.execute("LOCK TABLE idempotency_keys IN SHARE MODE")
        sent = asyncio.gather(*(log_note(caller, **request) for _ in range(10)))
        try:
            await waiting_on_locks(watcher, 10)
        finally:
            await gate.rollback()
        payloads = await sent
    finally:
        await holder.close()
        await watcher.close()
    assert len({entry_of(p)["id"] for p in payloads}) == 1
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}
    assert await keys_of(pool, caller) == 1


async def test_a_storm_repeated_on_fresh_keys_always_writes_once(make_caller, pool):
    caller = await make_caller(Team.AR)
    account_id = await new_account(caller)
    for round_ in range(5):
        request = {"accountId": account_id, "summary": f"round {round_}", "idempotencyKey": key()}
        payloads = await asyncio.gather(*(log_note(caller, **request) for _ in range(6)))
        assert len({entry_of(p)["id"] for p in payloads}) == 1
    assert await written(pool, account_id) == {"entries": 5, "audit": 5, "outbox": 5}


async def test_a_storm_of_two_different_requests_on_one_key(make_caller, pool):
    """Whichever request claims the key first wins; every copy of the other is a CONFLICT."""
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    shared = key()
    summaries = ["version A", "version B"] * 4
    payloads = await asyncio.gather(
        *(log_note(caller, accountId=account_id, summary=s, idempotencyKey=shared) for s in summaries)
    )
    winners = {p["entry"]["summary"] for p in payloads if p["entry"] is not None}
    assert len(winners) == 1
    (winner,) = winners
    for summary, payload in zip(summaries, payloads, strict=True):
        if summary == winner:
            assert payload["userErrors"] == []
        else:
            assert payload["entry"] is None
            assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
                ("CONFLICT", ["input", "idempotencyKey"])
            ]
    assert len({p["entry"]["id"] for p in payloads if p["entry"] is not None}) == 1
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


# ---------------------------------------------------------------- one key, other requests


async def test_the_same_key_with_a_different_summary_is_a_conflict(make_caller, pool):
    # given
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    shared = key()
    first = entry_of(await log_note(caller, accountId=account_id, summary="Original", idempotencyKey=shared))
    # when
    payload = await log_note(caller, accountId=account_id, summary="Something else", idempotencyKey=shared)
    # then
    assert payload["entry"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("CONFLICT", ["input", "idempotencyKey"])
    ]
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}
    # and the original request still replays
    assert (
        entry_of(await log_note(caller, accountId=account_id, summary="Original", idempotencyKey=shared))
        == first
    )


async def test_the_same_key_with_any_other_difference_is_a_conflict(make_caller, pool):
    caller = await make_caller(Team.AR)
    account_id = await new_account(caller)
    other_account = await new_account(caller)
    shared = key()
    base = {"accountId": account_id, "summary": "Base", "idempotencyKey": shared}
    entry_of(await log_note(caller, **base))
    variants = [
        {**base, "body": "now with a body"},
        {**base, "tags": ["x"]},
        {**base, "occurredAt": "2026-01-01T00:00:00Z"},
        {**base, "visibility": "RESTRICTED"},
        {**base, "accountId": other_account},
    ]
    for variant in variants:
        payload = await log_note(caller, **variant)
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("CONFLICT", ["input", "idempotencyKey"])
        ], variant
    # another operation with the same key is a conflict too
    news = (
        await caller.gql(
            LOG_NEWS,
            {
                "input": {
                    "accountId": account_id,
                    "category": "OTHER",
                    "summary": "Base",
                    "idempotencyKey": shared,
                }
            },
        )
    )["logNews"]
    assert news["entry"] is None
    assert [(e["code"], e["field"]) for e in news["userErrors"]] == [
        ("CONFLICT", ["input", "idempotencyKey"])
    ]
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}
    assert await written(pool, other_account) == {"entries": 0, "audit": 0, "outbox": 0}


async def test_keys_belong_to_a_user(make_caller, pool):
    # given two users of the same team sending the same request with the same key
    one = await make_caller(Team.SALES)
    two = await make_caller(Team.SALES)
    account_id = await new_account(one)
    request = {"accountId": account_id, "summary": "Same words", "idempotencyKey": key()}
    # when
    first = entry_of(await log_note(one, **request))
    second = entry_of(await log_note(two, **request))
    # then
    assert first["id"] != second["id"]
    assert first["author"]["email"] == one.user.email
    assert second["author"]["email"] == two.user.email
    assert await written(pool, account_id) == {"entries": 2, "audit": 2, "outbox": 2}
    # and each user's retry returns their own entry
    assert entry_of(await log_note(one, **request))["id"] == first["id"]
    assert entry_of(await log_note(two, **request))["id"] == second["id"]
    assert await written(pool, account_id) == {"entries": 2, "audit": 2, "outbox": 2}


async def test_keys_of_different_users_at_once(make_caller, pool):
    callers = [await make_caller(Team.SERVICE) for _ in range(3)]
    account_id = await new_account(callers[0])
    request = {"accountId": account_id, "summary": "Concurrent", "idempotencyKey": key()}
    payloads = await asyncio.gather(*(log_note(c, **request) for c in callers for _ in range(3)))
    by_caller = [{entry_of(p)["id"] for p in payloads[i * 3 : i * 3 + 3]} for i in range(3)]
    assert all(len(found) == 1 for found in by_caller)
    assert len(set.union(*by_caller)) == 3
    assert await written(pool, account_id) == {"entries": 3, "audit": 3, "outbox": 3}


# ---------------------------------------------------------------- refused first attempts


async def test_a_request_refused_for_bad_input_can_be_retried_with_the_key_once_fixed(make_caller, pool):
    # given a first attempt that names a contact of another account (found only after the key is claimed)
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    other_account = await new_account(caller)
    wrong_contact = await new_contact(caller, other_account)
    right_contact = await new_contact(caller, account_id)
    shared = key()
    refused = await log_note(
        caller, accountId=account_id, summary="Talked to Eve", contactId=wrong_contact, idempotencyKey=shared
    )
    assert refused["entry"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("NOT_FOUND", ["input", "contactId"])]
    assert await keys_of(pool, caller) == 0
    # when it is sent again, fixed, with the same key
    fixed = entry_of(
        await log_note(
            caller,
            accountId=account_id,
            summary="Talked to Eve",
            contactId=right_contact,
            idempotencyKey=shared,
        )
    )
    # then
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}
    assert await keys_of(pool, caller) == 1
    assert fixed["summary"] == "Talked to Eve"


async def test_a_request_with_invalid_text_can_be_retried_with_the_key(make_caller, pool):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    shared = key()
    refused = await log_note(caller, accountId=account_id, summary=" ", idempotencyKey=shared)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("INVALID", ["input", "summary"])]
    entry_of(await log_note(caller, accountId=account_id, summary="Now with words", idempotencyKey=shared))
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


async def test_a_promise_refused_for_its_amount_can_be_retried_with_the_key(make_caller, pool):
    ar = await make_caller(Team.AR)
    account_id = await new_account(ar)
    shared = key()
    request = {
        "accountId": account_id,
        "currency": "EUR",
        "promisedFor": "2026-12-04",
        "idempotencyKey": shared,
    }
    refused = (await ar.gql(RECORD_PROMISE, {"input": {**request, "amount": "0"}}))["recordPromise"]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("INVALID", ["input", "amount"])]
    fixed = entry_of(
        (await ar.gql(RECORD_PROMISE, {"input": {**request, "amount": "1200.00"}}))["recordPromise"]
    )
    assert fixed["amount"] == {"amount": "1200.00", "currency": "EUR"}
    again = entry_of(
        (await ar.gql(RECORD_PROMISE, {"input": {**request, "amount": "1200.00"}}))["recordPromise"]
    )
    assert again["id"] == fixed["id"]
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


async def test_a_forbidden_request_does_not_use_up_the_key(make_caller, pool):
    sales = await make_caller(Team.SALES)
    account_id = await new_account(sales)
    shared = key()
    refused = (
        await sales.gql(
            RECORD_PROMISE,
            {
                "input": {
                    "accountId": account_id,
                    "amount": "5",
                    "currency": "EUR",
                    "promisedFor": "2026-12-04",
                    "idempotencyKey": shared,
                }
            },
        )
    )["recordPromise"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    entry_of(await log_note(sales, accountId=account_id, summary="a note instead", idempotencyKey=shared))
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


# ---------------------------------------------------------------- other creating mutations


async def test_recordpromise_race_records_one_promise(make_caller, pool):
    # given
    ar = await make_caller(Team.AR)
    account_id = await new_account(ar)
    request = {
        "accountId": account_id,
        "amount": "1200.00",
        "currency": "EUR",
        "promisedFor": "2026-12-04",
        "idempotencyKey": key(),
    }
    # when
    responses = await asyncio.gather(*(ar.gql(RECORD_PROMISE, {"input": request}) for _ in range(8)))
    # then
    entries = [entry_of(r["recordPromise"]) for r in responses]
    assert len({e["id"] for e in entries}) == 1
    assert all(e["kind"] == "PROMISE_TO_PAY" for e in entries)
    assert all(e["amount"] == {"amount": "1200.00", "currency": "EUR"} for e in entries)
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


async def test_follow_up_race_creates_one_follow_up(make_caller, pool):
    caller = await make_caller(Team.SERVICE)
    account_id = await new_account(caller)
    request = {
        "accountId": account_id,
        "summary": "Call back",
        "dueAt": "2026-12-01T09:00:00Z",
        "idempotencyKey": key(),
    }
    responses = await asyncio.gather(*(caller.gql(CREATE_FOLLOW_UP, {"input": request}) for _ in range(5)))
    assert len({entry_of(r["createFollowUp"])["id"] for r in responses}) == 1
    assert await written(pool, account_id) == {"entries": 1, "audit": 1, "outbox": 1}


async def test_without_a_key_every_request_writes(make_caller, pool):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    payloads = await asyncio.gather(
        *(log_note(caller, accountId=account_id, summary="no key") for _ in range(4))
    )
    assert len({entry_of(p)["id"] for p in payloads}) == 4
    assert await written(pool, account_id) == {"entries": 4, "audit": 4, "outbox": 4}


async def test_a_retry_after_the_entry_was_deleted_writes_nothing_new(make_caller, pool):
    caller = await make_caller(Team.SALES)
    account_id = await new_account(caller)
    request = {"accountId": account_id, "summary": "to be deleted", "idempotencyKey": key()}
    first = entry_of(await log_note(caller, **request))
    assert (await caller.gql(DELETE_ENTRY, {"id": first["id"]}))["deleteEntry"]["userErrors"] == []
    before = await written(pool, account_id)
    again = await log_note(caller, **request)
    assert again["entry"] is None
    assert await written(pool, account_id) == before
    assert before["entries"] == 1
