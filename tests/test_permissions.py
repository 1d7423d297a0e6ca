"""Who may write what: every mutation of the contract x every team, as the table in docs/design.md says.

Allowed: the mutation succeeds. Not allowed: a FORBIDDEN userError and not a row written anywhere.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from graphql import build_schema

from domain.teams import Team
from schema import ids

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "schema.graphql"

ERRORS = "userErrors { code message field }"

CREATE_ACCOUNT = f"""
mutation($input: CreateAccountInput!) {{ createAccount(input: $input) {{ account {{ id }} {ERRORS} }} }}
"""
UPDATE_ACCOUNT = f"""
mutation($input: UpdateAccountInput!) {{ updateAccount(input: $input) {{ account {{ id }} {ERRORS} }} }}
"""
UPSERT_ACCOUNTS = f"""
mutation($input: [AccountUpsertInput!]!) {{ upsertAccounts(input: $input) {{ created {ERRORS} }} }}
"""
CREATE_CONTACT = f"""
mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ contact {{ id }} {ERRORS} }} }}
"""
UPDATE_CONTACT = f"""
mutation($input: UpdateContactInput!) {{ updateContact(input: $input) {{ contact {{ id }} {ERRORS} }} }}
"""
SET_PREFERENCE = f"""
mutation($input: SetPreferenceInput!) {{ setPreference(input: $input) {{ account {{ id }} {ERRORS} }} }}
"""
REMOVE_PREFERENCE = f"""
mutation($input: RemovePreferenceInput!) {{
  removePreference(input: $input) {{ account {{ id }} {ERRORS} }}
}}
"""
LOG_NOTE = f"""
mutation($input: LogNoteInput!) {{ logNote(input: $input) {{ entry {{ id visibility }} {ERRORS} }} }}
"""
LOG_INTERACTION = f"""
mutation($input: LogInteractionInput!) {{
  logInteraction(input: $input) {{ entry {{ id visibility }} {ERRORS} }}
}}
"""
LOG_NEWS = f"""
mutation($input: LogNewsInput!) {{ logNews(input: $input) {{ entry {{ id visibility }} {ERRORS} }} }}
"""
RECORD_PROMISE = f"""
mutation($input: RecordPromiseInput!) {{ recordPromise(input: $input) {{ entry {{ id }} {ERRORS} }} }}
"""
CANCEL_PROMISE = f"""
mutation($id: ID!) {{ cancelPromise(id: $id) {{ entry {{ id }} {ERRORS} }} }}
"""
OPEN_DISPUTE = f"""
mutation($input: OpenDisputeInput!) {{ openDispute(input: $input) {{ entry {{ id }} {ERRORS} }} }}
"""
RESOLVE_DISPUTE = f"""
mutation($input: ResolveDisputeInput!) {{ resolveDispute(input: $input) {{ entry {{ id }} {ERRORS} }} }}
"""
CREATE_PAYMENT_PLAN = f"""
mutation($input: CreatePaymentPlanInput!) {{
  createPaymentPlan(input: $input) {{ entry {{ id }} {ERRORS} }}
}}
"""
CREATE_FOLLOW_UP = f"""
mutation($input: CreateFollowUpInput!) {{ createFollowUp(input: $input) {{ entry {{ id }} {ERRORS} }} }}
"""
COMPLETE_FOLLOW_UP = f"""
mutation($id: ID!) {{ completeFollowUp(id: $id) {{ entry {{ id }} {ERRORS} }} }}
"""
EDIT_ENTRY = f"""
mutation($input: EditEntryInput!) {{ editEntry(input: $input) {{ entry {{ id revision }} {ERRORS} }} }}
"""
PIN_ENTRY = f"""
mutation($id: ID!, $pinned: Boolean!) {{ pinEntry(id: $id, pinned: $pinned) {{ entry {{ id }} {ERRORS} }} }}
"""
DELETE_ENTRY = f"""
mutation($id: ID!, $reason: String!) {{ deleteEntry(id: $id, reason: $reason) {{ deletedId {ERRORS} }} }}
"""
UPSERT_INVOICES = f"""
mutation($input: [InvoiceUpsertInput!]!) {{
  upsertInvoices(input: $input) {{ invoices {{ id }} {ERRORS} }}
}}
"""
RECORD_PAYMENT = f"""
mutation($input: RecordPaymentInput!) {{ recordPayment(input: $input) {{ entry {{ id }} {ERRORS} }} }}
"""

VERSIONS = """
query Versions($id: ID!) { account(id: $id) { version contacts { id version } } }
"""

PEOPLE = frozenset({Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN})
EVERYONE = PEOPLE | {Team.INTEGRATION}
FINANCE = frozenset({Team.AR, Team.ADMIN})


def uid() -> str:
    return uuid.uuid4().hex[:12]


def ok(data: dict, name: str) -> dict:
    payload = data[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


@dataclass
class World:
    """One account and, on demand, the things a mutation acts on; written by others than the caller."""

    admin: object
    ar: object
    author: object  # a SALES user: "someone else" for edit and delete
    account_id: str = ""
    account_ref: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    async def setup(self) -> "World":
        self.account_ref = {"system": "erp", "id": uid()}
        data = await self.admin.gql(
            CREATE_ACCOUNT, {"input": {"name": f"Permissions {uid()}", "externalRefs": [self.account_ref]}}
        )
        self.account_id = ok(data, "createAccount")["account"]["id"]
        return self

    async def _once(self, name: str, make: Callable[[], Awaitable[str]]) -> str:
        if name not in self.cache:
            self.cache[name] = await make()
        return self.cache[name]

    async def contact(self) -> str:
        async def make() -> str:
            data = await self.admin.gql(
                CREATE_CONTACT,
                {"input": {"accountId": self.account_id, "name": "Pat Payer", "email": "pat@example.com"}},
            )
            return ok(data, "createContact")["contact"]["id"]

        return await self._once("contact", make)

    async def preference(self) -> str:
        async def make() -> str:
            key = f"tone-{uid()}"
            data = await self.admin.gql(
                SET_PREFERENCE, {"input": {"accountId": self.account_id, "key": key, "value": "formal"}}
            )
            ok(data, "setPreference")
            return key

        return await self._once("preference", make)

    async def invoice(self) -> str:
        async def make() -> str:
            item = invoice_item(self.account_ref)
            return ok(await self.ar.gql(UPSERT_INVOICES, {"input": [item]}), "upsertInvoices")["invoices"][0][
                "id"
            ]

        return await self._once("invoice", make)

    async def promise(self) -> str:
        async def make() -> str:
            data = await self.ar.gql(
                RECORD_PROMISE,
                {
                    "input": {
                        "accountId": self.account_id,
                        "amount": "100.00",
                        "currency": "EUR",
                        "promisedFor": "2026-12-04",
                    }
                },
            )
            return ok(data, "recordPromise")["entry"]["id"]

        return await self._once("promise", make)

    async def dispute(self) -> str:
        async def make() -> str:
            data = await self.ar.gql(
                OPEN_DISPUTE,
                {
                    "input": {
                        "accountId": self.account_id,
                        "invoiceIds": [await self.invoice()],
                        "reason": "PRICING",
                        "summary": "Disputes the unit price",
                    }
                },
            )
            return ok(data, "openDispute")["entry"]["id"]

        return await self._once("dispute", make)

    async def follow_up(self) -> str:
        async def make() -> str:
            data = await self.admin.gql(
                CREATE_FOLLOW_UP,
                {
                    "input": {
                        "accountId": self.account_id,
                        "summary": "Call back about the remittance",
                        "dueAt": "2026-12-01T09:00:00Z",
                    }
                },
            )
            return ok(data, "createFollowUp")["entry"]["id"]

        return await self._once("follow_up", make)

    async def others_note(self) -> str:
        async def make() -> str:
            data = await self.author.gql(
                LOG_NOTE, {"input": {"accountId": self.account_id, "summary": "Someone else's note"}}
            )
            return ok(data, "logNote")["entry"]["id"]

        return await self._once("others_note", make)

    async def own_entry(self, caller) -> str:
        """An entry the caller wrote: a note, or for INTEGRATION (which logs no notes) a payment."""
        if caller.user.team == Team.INTEGRATION:
            data = await caller.gql(
                RECORD_PAYMENT,
                {
                    "input": {
                        "accountId": self.account_id,
                        "amount": "5.00",
                        "currency": "EUR",
                        "receivedOn": "2026-02-01",
                    }
                },
            )
            return ok(data, "recordPayment")["entry"]["id"]
        data = await caller.gql(LOG_NOTE, {"input": {"accountId": self.account_id, "summary": "My own note"}})
        return ok(data, "logNote")["entry"]["id"]

    async def versions(self) -> dict:
        return (await self.admin.gql(VERSIONS, {"id": self.account_id}))["account"]


def invoice_item(account_ref: dict) -> dict:
    return {
        "externalRef": {"system": "erp", "id": uid()},
        "accountRef": account_ref,
        "number": f"INV-{uid()}",
        "issuedOn": "2026-01-01",
        "dueOn": "2026-01-31",
        "currency": "EUR",
        "total": "500.00",
        "balance": "500.00",
        "status": "OPEN",
    }


Request = tuple[str, dict]
Build = Callable[[World, object], Awaitable[Request]]


async def _create_account(w: World, caller) -> Request:
    return CREATE_ACCOUNT, {
        "input": {"name": f"New {uid()}", "externalRefs": [{"system": "crm", "id": uid()}]}
    }


async def _update_account(w: World, caller) -> Request:
    version = (await w.versions())["version"]
    return UPDATE_ACCOUNT, {"input": {"id": w.account_id, "expectedVersion": version, "tags": ["vip"]}}


async def _upsert_accounts(w: World, caller) -> Request:
    return UPSERT_ACCOUNTS, {
        "input": [{"externalRef": {"system": "erp", "id": uid()}, "name": f"ERP {uid()}"}]
    }


async def _create_contact(w: World, caller) -> Request:
    return CREATE_CONTACT, {"input": {"accountId": w.account_id, "name": "Alex", "email": "alex@example.com"}}


async def _update_contact(w: World, caller) -> Request:
    contact_id = await w.contact()
    version = next(c["version"] for c in (await w.versions())["contacts"] if c["id"] == contact_id)
    return UPDATE_CONTACT, {"input": {"id": contact_id, "expectedVersion": version, "title": "CFO"}}


async def _set_preference(w: World, caller) -> Request:
    return SET_PREFERENCE, {"input": {"accountId": w.account_id, "key": "invoice_delivery", "value": "email"}}


async def _remove_preference(w: World, caller) -> Request:
    return REMOVE_PREFERENCE, {"input": {"accountId": w.account_id, "key": await w.preference()}}


async def _log_note(w: World, caller) -> Request:
    return LOG_NOTE, {"input": {"accountId": w.account_id, "summary": "Met at the trade fair"}}


async def _log_interaction(w: World, caller) -> Request:
    return LOG_INTERACTION, {
        "input": {"accountId": w.account_id, "kind": "CALL", "direction": "OUTBOUND", "summary": "Called AP"}
    }


async def _log_news(w: World, caller) -> Request:
    return LOG_NEWS, {"input": {"accountId": w.account_id, "category": "EXPANSION", "summary": "New plant"}}


async def _record_promise(w: World, caller) -> Request:
    return RECORD_PROMISE, {
        "input": {
            "accountId": w.account_id,
            "amount": "50.00",
            "currency": "EUR",
            "promisedFor": "2026-12-11",
        }
    }


async def _cancel_promise(w: World, caller) -> Request:
    return CANCEL_PROMISE, {"id": await w.promise()}


async def _open_dispute(w: World, caller) -> Request:
    return OPEN_DISPUTE, {
        "input": {
            "accountId": w.account_id,
            "invoiceIds": [await w.invoice()],
            "reason": "QUANTITY",
            "summary": "Only 9 of 10 pallets arrived",
        }
    }


async def _resolve_dispute(w: World, caller) -> Request:
    return RESOLVE_DISPUTE, {
        "input": {"id": await w.dispute(), "status": "RESOLVED", "resolution": "Credit note issued"}
    }


async def _create_payment_plan(w: World, caller) -> Request:
    return CREATE_PAYMENT_PLAN, {
        "input": {
            "accountId": w.account_id,
            "currency": "EUR",
            "installments": [
                {"dueOn": "2026-12-01", "amount": "250.00"},
                {"dueOn": "2027-01-01", "amount": "250.00"},
            ],
        }
    }


async def _create_follow_up(w: World, caller) -> Request:
    return CREATE_FOLLOW_UP, {
        "input": {"accountId": w.account_id, "summary": "Chase the PO", "dueAt": "2026-12-02T10:00:00Z"}
    }


async def _complete_follow_up(w: World, caller) -> Request:
    return COMPLETE_FOLLOW_UP, {"id": await w.follow_up()}


async def _edit_own(w: World, caller) -> Request:
    return EDIT_ENTRY, {
        "input": {"id": await w.own_entry(caller), "expectedRevision": 1, "summary": "Edited"}
    }


async def _edit_others(w: World, caller) -> Request:
    return EDIT_ENTRY, {"input": {"id": await w.others_note(), "expectedRevision": 1, "summary": "Edited"}}


async def _pin(w: World, caller) -> Request:
    return PIN_ENTRY, {"id": await w.others_note(), "pinned": True}


async def _delete_own(w: World, caller) -> Request:
    return DELETE_ENTRY, {"id": await w.own_entry(caller), "reason": "logged on the wrong account"}


async def _delete_others(w: World, caller) -> Request:
    return DELETE_ENTRY, {"id": await w.others_note(), "reason": "logged on the wrong account"}


async def _upsert_invoices(w: World, caller) -> Request:
    return UPSERT_INVOICES, {"input": [invoice_item(w.account_ref)]}


async def _record_payment(w: World, caller) -> Request:
    return RECORD_PAYMENT, {
        "input": {
            "accountId": w.account_id,
            "amount": "100.00",
            "currency": "EUR",
            "receivedOn": "2026-02-01",
            "allocations": [{"invoiceId": await w.invoice(), "amount": "100.00"}],
        }
    }


# docs/design.md, "Security": mutation (and, for edit and delete, whose entry) -> teams that may.
MATRIX: dict[str, tuple[frozenset[Team], Build]] = {
    "createAccount": (PEOPLE, _create_account),
    "updateAccount": (PEOPLE, _update_account),
    "upsertAccounts": (EVERYONE, _upsert_accounts),
    "createContact": (PEOPLE, _create_contact),
    "updateContact": (PEOPLE, _update_contact),
    "setPreference": (PEOPLE, _set_preference),
    "removePreference": (PEOPLE, _remove_preference),
    "logNote": (PEOPLE, _log_note),
    "logInteraction": (PEOPLE, _log_interaction),
    "logNews": (PEOPLE, _log_news),
    "recordPromise": (FINANCE, _record_promise),
    "cancelPromise": (FINANCE, _cancel_promise),
    "openDispute": (FINANCE | {Team.SERVICE}, _open_dispute),
    "resolveDispute": (FINANCE | {Team.SERVICE}, _resolve_dispute),
    "createPaymentPlan": (FINANCE, _create_payment_plan),
    "createFollowUp": (PEOPLE, _create_follow_up),
    "completeFollowUp": (PEOPLE, _complete_follow_up),
    "editEntry:own": (PEOPLE, _edit_own),
    "editEntry:someone else's": (frozenset({Team.ADMIN}), _edit_others),
    "pinEntry": (PEOPLE, _pin),
    "deleteEntry:own": (PEOPLE, _delete_own),
    "deleteEntry:someone else's": (frozenset({Team.ADMIN}), _delete_others),
    "upsertInvoices": (FINANCE | {Team.INTEGRATION}, _upsert_invoices),
    "recordPayment": (FINANCE | {Team.INTEGRATION}, _record_payment),
}

# Tables a write may touch; the outbox's delivery columns change when the worker runs.
_ACCOUNT_TABLES = (
    "account_refs",
    "contacts",
    "contact_windows",
    "preferences",
    "invoices",
    "entries",
    "entry_revisions",
    "entry_invoices",
    "payments",
    "payment_allocations",
    "audit_log",
)
_COUNTED = ("accounts", "account_refs", "audit_log", "outbox", "entries", "invoices", "idempotency_keys")


def uuid_of(global_id: str) -> uuid.UUID:
    return ids.decode(global_id)[1]


async def snapshot(pool, account_id: str) -> dict:
    """Every row on the account, and row counts of the tables a write to any account would grow."""
    account = uuid_of(account_id)
    async with pool.acquire() as conn:
        state = {
            "account": await conn.fetchval("SELECT to_jsonb(a)::text FROM accounts a WHERE id = $1", account),
            "outbox": sorted(
                await conn.fetchval(
                    "SELECT coalesce(array_agg((to_jsonb(o) - 'done_at' - 'attempts' - 'next_attempt_at'"
                    " - 'last_error')::text), '{}') FROM outbox o WHERE account_id = $1",
                    account,
                )
            ),
        }
        for table in _ACCOUNT_TABLES:
            rows = await conn.fetchval(
                f"SELECT coalesce(array_agg(to_jsonb(t)::text), '{{}}') FROM {table} t"  # noqa: S608
                " WHERE account_id = $1",
                account,
            )
            state[table] = sorted(rows)
        for table in _COUNTED:
            state[f"count {table}"] = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
    return state


@pytest.fixture(scope="module")
async def users(make_caller) -> dict:
    return {
        "admin": await make_caller(Team.ADMIN, name="World admin"),
        "ar": await make_caller(Team.AR, name="World AR"),
        "author": await make_caller(Team.SALES, name="Someone else"),
    }


def test_the_matrix_covers_every_mutation_of_the_contract():
    contract = build_schema(CONTRACT.read_text())
    assert {case.split(":")[0] for case in MATRIX} == set(contract.mutation_type.fields)


@pytest.mark.parametrize("team", list(Team), ids=lambda t: t.value)
@pytest.mark.parametrize("case", list(MATRIX))
async def test_team_may_or_may_not_write(make_caller, pool, users, case, team):
    # given
    allowed_teams, build = MATRIX[case]
    mutation = case.split(":")[0]
    caller = await make_caller(team)
    world = await World(users["admin"], users["ar"], users["author"]).setup()
    document, variables = await build(world, caller)
    before = await snapshot(pool, world.account_id)
    # when
    data = await caller.gql(document, variables)
    # then
    payload = data[mutation]
    after = await snapshot(pool, world.account_id)
    if team in allowed_teams:
        assert payload["userErrors"] == [], payload["userErrors"]
        assert after != before, "an allowed write left no trace"
    else:
        codes = [e["code"] for e in payload["userErrors"]]
        assert codes == ["FORBIDDEN"], payload["userErrors"]
        assert payload["userErrors"][0]["message"]
        assert all(value in (None, [], 0) for key, value in payload.items() if key != "userErrors")
        assert after == before


RESTRICTABLE = {"logNote": _log_note, "logInteraction": _log_interaction, "logNews": _log_news}


@pytest.mark.parametrize("team", list(Team), ids=lambda t: t.value)
@pytest.mark.parametrize("mutation", list(RESTRICTABLE))
async def test_only_ar_and_admin_may_restrict_an_entry(make_caller, pool, users, mutation, team):
    # given
    caller = await make_caller(team)
    world = await World(users["admin"], users["ar"], users["author"]).setup()
    document, variables = await RESTRICTABLE[mutation](world, caller)
    variables["input"]["visibility"] = "RESTRICTED"
    before = await snapshot(pool, world.account_id)
    # when
    payload = (await caller.gql(document, variables))[mutation]
    # then
    if team in FINANCE:
        assert payload["userErrors"] == []
        assert payload["entry"]["visibility"] == "RESTRICTED"
        return
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    if team != Team.INTEGRATION:  # INTEGRATION may not log anything at all
        assert payload["userErrors"][0]["field"] == ["input", "visibility"]
    assert payload["entry"] is None
    assert await snapshot(pool, world.account_id) == before


@pytest.mark.parametrize("team", [Team.SALES, Team.SERVICE, Team.AR], ids=lambda t: t.value)
async def test_people_edit_their_own_entries_but_not_each_others(make_caller, users, team):
    # given: two people of the same team
    me, colleague = await make_caller(team), await make_caller(team)
    world = await World(users["admin"], users["ar"], users["author"]).setup()
    mine, theirs = await world.own_entry(me), await world.own_entry(colleague)
    # when
    edit_mine = await me.gql(EDIT_ENTRY, {"input": {"id": mine, "expectedRevision": 1, "summary": "v2"}})
    edit_theirs = await me.gql(EDIT_ENTRY, {"input": {"id": theirs, "expectedRevision": 1, "summary": "v2"}})
    # then
    assert edit_mine["editEntry"]["userErrors"] == []
    assert edit_mine["editEntry"]["entry"]["revision"] == 2
    assert [e["code"] for e in edit_theirs["editEntry"]["userErrors"]] == ["FORBIDDEN"]
    assert edit_theirs["editEntry"]["entry"] is None


async def test_admin_edits_and_deletes_anyones_entry(users, admin):
    world = await World(users["admin"], users["ar"], users["author"]).setup()
    theirs = await world.others_note()
    edited = await admin.gql(EDIT_ENTRY, {"input": {"id": theirs, "expectedRevision": 1, "summary": "fixed"}})
    assert edited["editEntry"]["userErrors"] == []
    assert edited["editEntry"]["entry"]["revision"] == 2
    deleted = await admin.gql(DELETE_ENTRY, {"id": theirs, "reason": "duplicate"})
    assert deleted["deleteEntry"]["userErrors"] == []
    assert deleted["deleteEntry"]["deletedId"] == theirs
