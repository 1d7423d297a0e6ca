"""One write path: a GraphQL mutation and any other caller of the services leave the same trail.

The demo, the CSV import and wave 2's writers call services/ directly, never
the store: what a mutation writes beside its rows (audit, outbox, timeline
event) and what it masks must be what every other caller gets too.
"""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg

from domain.actors import Actor
from domain.commands.entries import EntryDeletion, EntryEdit, EntryPin, NewEntry, NoteDetail, PromiseDetail
from domain.entries import Visibility
from domain.teams import Team
from schema import ids
from services import entry_changes
from services.entries import new_entry
from services.transaction import retrying

CREATE = "mutation ($n: String!) { createAccount(input: {name: $n}) { account { id } } }"
NOTE = """
mutation ($a: ID!, $s: String!, $b: String) {
  logNote(input: {accountId: $a, summary: $s, body: $b, tags: ["x"], visibility: RESTRICTED}) {
    entry { id } userErrors { message }
  }
}
"""
PROMISE = """
mutation ($a: ID!) {
  recordPromise(input: {accountId: $a, amount: "120.50", currency: "EUR", promisedFor: "2030-01-31"}) {
    entry { id } userErrors { message }
  }
}
"""
EDIT = """
mutation ($id: ID!, $s: String!) {
  editEntry(input: {id: $id, expectedRevision: 1, summary: $s}) { entry { id } userErrors { message } }
}
"""
PIN = "mutation ($id: ID!) { pinEntry(id: $id, pinned: true) { entry { id } userErrors { message } } }"
DELETE = """
mutation ($id: ID!) { deleteEntry(id: $id, reason: "logged twice") { deletedId userErrors { message } } }
"""
CARD = "4111 1111 1111 1111"
MASKED_CARD = "**** **** **** 1111"
IBAN = "DE89 3704 0044 0532 0130 00"


async def trail(pool: asyncpg.Pool, account_id: uuid.UUID) -> dict[str, list]:
    """What the account's entry changes wrote beside their rows, entry ids named by first appearance."""
    async with pool.acquire() as conn:
        audit = await conn.fetch(
            "SELECT actor_id, action, entity_id, before, after FROM audit_log"
            " WHERE account_id = $1 AND entity_type = 'entry' ORDER BY id",
            account_id,
        )
        outbox = await conn.fetch(
            "SELECT entity_id, op FROM outbox WHERE account_id = $1 AND entity_type = 'entry' ORDER BY id",
            account_id,
        )
        events = await conn.fetch(
            "SELECT entry_id, op FROM timeline_events WHERE account_id = $1 ORDER BY seq", account_id
        )
        stored = await conn.fetch(
            "SELECT id, kind, team, summary, body, tags, visibility, revision, pinned, delete_reason,"
            " amount, currency, promised_for, grace_days FROM entries WHERE account_id = $1",
            account_id,
        )
    names: dict[uuid.UUID, str] = {}

    def name(entry_id: uuid.UUID) -> str:
        return names.setdefault(entry_id, f"entry {len(names) + 1}")

    return {
        "audit": [(r["actor_id"], r["action"], name(r["entity_id"]), r["before"], r["after"]) for r in audit],
        "outbox": [(name(r["entity_id"]), r["op"]) for r in outbox],
        "events": [(name(r["entry_id"]), r["op"]) for r in events],
        "entries": sorted((name(r["id"]), *list(r.values())[1:]) for r in stored),
    }


async def test_a_mutation_and_a_direct_service_call_leave_the_same_trail(make_caller, pool):
    ar = await make_caller(Team.AR)
    actor = Actor(ar.user.id, ar.user.team)
    by_api, by_service = [
        (await ar.gql(CREATE, {"n": f"Write path {side} {uuid.uuid4().hex[:6]}"}))["createAccount"][
            "account"
        ]["id"]
        for side in ("api", "service")
    ]
    summary, body = f"Card {CARD} read out on the call", f"IBAN {IBAN}"
    # when: the same changes, once through GraphQL
    note = (await ar.gql(NOTE, {"a": by_api, "s": summary, "b": body}))["logNote"]["entry"]["id"]
    promise = (await ar.gql(PROMISE, {"a": by_api}))["recordPromise"]["entry"]["id"]
    assert (await ar.gql(EDIT, {"id": note, "s": f"Edited: {CARD}"}))["editEntry"]["userErrors"] == []
    assert (await ar.gql(PIN, {"id": promise}))["pinEntry"]["userErrors"] == []
    assert (await ar.gql(DELETE, {"id": note}))["deleteEntry"]["userErrors"] == []
    # and once through the services, as the demo, the import or a wave-2 writer would
    account_id = ids.decode_as(by_service, "Account")

    async def changes(conn: asyncpg.Connection) -> None:
        note_id = await new_entry(
            conn,
            actor,
            NewEntry(
                account_id,
                NoteDetail(),
                summary=summary,
                body=body,
                tags=("x",),
                visibility=Visibility.RESTRICTED,
            ),
        )
        promised = PromiseDetail(Decimal("120.50"), "EUR", datetime(2030, 1, 31, tzinfo=UTC).date())
        promise_id = await new_entry(conn, actor, NewEntry(account_id, promised))
        await entry_changes.edit_entry(conn, actor, EntryEdit(note_id, 1, summary=f"Edited: {CARD}"))
        await entry_changes.pin_entry(conn, actor, EntryPin(promise_id, True))
        await entry_changes.delete_entry(conn, actor, EntryDeletion(note_id, "logged twice"))

    async with pool.acquire() as conn:
        await retrying(conn, changes)
    # then
    api_trail = await trail(pool, ids.decode_as(by_api, "Account"))
    service_trail = await trail(pool, account_id)
    assert service_trail == api_trail
    assert [action for _, action, *_ in api_trail["audit"]] == [
        "logNote",
        "recordPromise",
        "editEntry",
        "pinEntry",
        "deleteEntry",
    ]
    assert api_trail["events"] == [
        ("entry 1", "upsert"),
        ("entry 2", "upsert"),
        ("entry 1", "upsert"),
        ("entry 2", "upsert"),
        ("entry 1", "delete"),
    ]


async def test_a_direct_service_call_masks_card_numbers_and_ibans(make_caller, pool):
    service = await make_caller(Team.SERVICE)
    actor = Actor(service.user.id, service.user.team)
    account = (await service.gql(CREATE, {"n": f"Masked {uuid.uuid4().hex[:6]}"}))["createAccount"][
        "account"
    ]["id"]
    account_id = ids.decode_as(account, "Account")
    # when
    async with pool.acquire() as conn, conn.transaction():
        entry_id = await new_entry(
            conn,
            actor,
            NewEntry(account_id, NoteDetail(), summary=f"Paid with {CARD}", body=f"Refund to {IBAN}"),
        )
        await entry_changes.delete_entry(conn, actor, EntryDeletion(entry_id, f"had {CARD} in it"))
    # then
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT summary, body, delete_reason FROM entries WHERE id = $1", entry_id)
        audit = await conn.fetch("SELECT after::text FROM audit_log WHERE entity_id = $1", entry_id)
    assert row["summary"] == f"Paid with {MASKED_CARD}"
    assert row["body"] == "Refund to **** **** **** **** **30 00"
    assert row["delete_reason"] == f"had {MASKED_CARD} in it"
    assert not any(CARD in a["after"] or "1111 1111 1111" in a["after"] for a in audit)


async def test_the_demo_writes_its_story_through_the_services(make_caller, pool):
    """A story event with a card number in it is stored masked and audited like logNote's."""
    from api import demo
    from api.demo_story import Customer, Entry

    sales = await make_caller(Team.SALES)
    account_id = ids.decode_as(
        (await sales.gql(CREATE, {"n": "Demo path"}))["createAccount"]["account"]["id"], "Account"
    )
    customer = Customer("path", "Demo path", "UTC", "EUR", (), (), (), ())
    account = demo._Account(customer, account_id, {}, {})
    event = Entry(1, "sam", "NOTE", f"card {CARD} on the call", body=f"IBAN {IBAN}")
    async with pool.acquire() as conn:
        await retrying(
            conn,
            lambda conn: demo._event(conn, account, event, {"sam": sales.user}, datetime.now(UTC).date(), 0),
        )
        stored = await conn.fetchrow(
            "SELECT summary, body, author_id FROM entries WHERE account_id = $1", account_id
        )
        actions = await conn.fetch(
            "SELECT action FROM audit_log WHERE account_id = $1 AND entity_type = 'entry'", account_id
        )
    assert stored["summary"] == f"card {MASKED_CARD} on the call"
    assert "3704" not in stored["body"]
    assert stored["author_id"] == sales.user.id
    assert [row["action"] for row in actions] == ["logNote"]
