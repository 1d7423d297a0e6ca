"""Contacts and their contact windows over HTTP: create, update with a version check, validation.

Every test makes its own uniquely named account (the database is shared by a
worker's tests) and asserts only on its data.
"""

import asyncio
import uuid

import asyncpg
import pytest

from domain.teams import Team
from schema import ids

# An id no row has: fixed, so parametrized test ids are the same in every xdist worker.
NOWHERE = uuid.UUID("00000000-0000-4000-8000-00000000dead")

WINDOW_FIELDS = "kind daysOfWeek weeksOfMonth startTime endTime fromDate untilDate note"
CONTACT_FIELDS = f"""
    id name title roles email phone preferredChannel timeZone language doNotContact version
    account {{ id }}
    windows {{ {WINDOW_FIELDS} }}
"""

CREATE_ACCOUNT = """
mutation ($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id timeZone } userErrors { code field } }
}
"""

UPDATE_ACCOUNT = """
mutation ($input: UpdateAccountInput!) {
  updateAccount(input: $input) { account { id timeZone version } userErrors { code field } }
}
"""

CREATE_CONTACT = f"""
mutation ($input: CreateContactInput!) {{
  createContact(input: $input) {{
    contact {{ {CONTACT_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

UPDATE_CONTACT = f"""
mutation ($input: UpdateContactInput!) {{
  updateContact(input: $input) {{
    contact {{ {CONTACT_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

CONTACT = f"query ($id: ID!) {{ node(id: $id) {{ ... on Contact {{ {CONTACT_FIELDS} }} }} }}"

ACCOUNT_CONTACTS = """
query ($id: ID!) { account(id: $id) { contacts { id name version } } }
"""

BLACKOUT = {"kind": "BLACKOUT", "weeksOfMonth": [3], "note": "vacation, third week of the month"}
PREFERRED = {"kind": "PREFERRED", "daysOfWeek": ["MON", "WED"], "startTime": "09:00", "endTime": "12:00"}
NO_WINDOW_FIELDS = {
    "daysOfWeek": None,
    "weeksOfMonth": None,
    "startTime": None,
    "endTime": None,
    "fromDate": None,
    "untilDate": None,
    "note": None,
}


def full(window: dict) -> dict:
    """A window as the API returns it: every unset field null."""
    return {**NO_WINDOW_FIELDS, **window}


def problems(payload: dict) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def raw_id(global_id: str) -> uuid.UUID:
    return ids.decode(global_id)[1]


async def new_account(caller, time_zone: str = "Europe/Berlin") -> dict:
    name = f"Contacts {uuid.uuid4().hex[:12]}"
    data = await caller.gql(CREATE_ACCOUNT, {"input": {"name": name, "timeZone": time_zone}})
    assert data["createAccount"]["userErrors"] == []
    return data["createAccount"]["account"]


async def create_contact(caller, account: dict, **fields) -> dict:
    data = await caller.gql(CREATE_CONTACT, {"input": {"accountId": account["id"], "name": "Ada", **fields}})
    payload = data["createContact"]
    assert payload["userErrors"] == []
    return payload["contact"]


async def update_contact(caller, contact: dict, version: int, **fields) -> dict:
    data = await caller.gql(
        UPDATE_CONTACT, {"input": {"id": contact["id"], "expectedVersion": version, **fields}}
    )
    return data["updateContact"]


async def fetch(caller, contact: dict) -> dict:
    return (await caller.gql(CONTACT, {"id": contact["id"]}))["node"]


async def contact_count(pool: asyncpg.Pool, account: dict) -> int:
    return await pool.fetchval("SELECT count(*) FROM contacts WHERE account_id = $1", raw_id(account["id"]))


# ---------------------------------------------------------------- createContact


async def test_create_contact_with_everything(make_caller, pool):
    # given
    caller = await make_caller(Team.SERVICE)
    account = await new_account(caller)
    # when
    data = await caller.gql(
        CREATE_CONTACT,
        {
            "input": {
                "accountId": account["id"],
                "name": "  Ada Lovelace  ",
                "title": "Head of Finance",
                "roles": ["BILLING", "DECISION_MAKER"],
                "email": "ada@example.com",
                "phone": "+44 20 7946 0000",
                "preferredChannel": "EMAIL",
                "timeZone": "Europe/London",
                "language": "en-GB",
                "doNotContact": False,
                "windows": [BLACKOUT, PREFERRED],
            }
        },
    )
    # then
    payload = data["createContact"]
    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["name"] == "Ada Lovelace"
    assert contact["title"] == "Head of Finance"
    assert contact["roles"] == ["BILLING", "DECISION_MAKER"]
    assert contact["email"] == "ada@example.com"
    assert contact["phone"] == "+44 20 7946 0000"
    assert contact["preferredChannel"] == "EMAIL"
    assert contact["timeZone"] == "Europe/London"
    assert contact["language"] == "en-GB"
    assert contact["doNotContact"] is False
    assert contact["version"] == 1
    assert contact["account"] == {"id": account["id"]}
    assert contact["windows"] == [full(BLACKOUT), full(PREFERRED)]
    assert await fetch(caller, contact) == contact
    # audited and queued for the index in the same request
    audit = await pool.fetch("SELECT * FROM audit_log WHERE entity_id = $1", raw_id(contact["id"]))
    assert [(r["action"], r["actor_id"], r["entity_type"]) for r in audit] == [
        ("createContact", caller.user.id, "contact")
    ]
    outbox = await pool.fetch("SELECT * FROM outbox WHERE entity_id = $1", raw_id(contact["id"]))
    assert [(r["entity_type"], r["account_id"]) for r in outbox] == [("contact", raw_id(account["id"]))]


async def test_create_contact_defaults(admin):
    account = await new_account(admin)
    contact = await create_contact(admin, account)
    assert contact["roles"] == []
    assert contact["doNotContact"] is False
    assert contact["windows"] == []
    for field in ("title", "email", "phone", "preferredChannel", "language"):
        assert contact[field] is None


async def test_a_window_with_dates_round_trips(admin):
    account = await new_account(admin)
    window = {
        "kind": "BLACKOUT",
        "daysOfWeek": ["SAT", "SUN"],
        "weeksOfMonth": [1, 5],
        "startTime": "00:00",
        "endTime": "23:59",
        "fromDate": "2026-12-20",
        "untilDate": "2027-01-06",
        "note": "holidays",
    }
    one_day = {"kind": "PREFERRED", "fromDate": "2026-11-23", "untilDate": "2026-11-23"}
    contact = await create_contact(admin, account, windows=[window, one_day])
    assert contact["windows"] == [window, full(one_day)]


async def test_the_time_zone_falls_back_to_the_accounts(admin):
    # given
    account = await new_account(admin, time_zone="America/Chicago")
    own = await create_contact(admin, account, name="Own", timeZone="Asia/Tokyo")
    inherited = await create_contact(admin, account, name="Inherited")
    # then
    assert own["timeZone"] == "Asia/Tokyo"
    assert inherited["timeZone"] == "America/Chicago"
    # and the fallback follows the account
    moved = await admin.gql(
        UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "timeZone": "Pacific/Auckland"}}
    )
    assert moved["updateAccount"]["userErrors"] == []
    assert (await fetch(admin, inherited))["timeZone"] == "Pacific/Auckland"
    assert (await fetch(admin, own))["timeZone"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "  "}, [("INVALID", ["input", "name"])]),
        ({"email": "not-an-email"}, [("INVALID", ["input", "email"])]),
        ({"email": "ada@example"}, [("INVALID", ["input", "email"])]),
        ({"email": "ada@@example.com"}, [("INVALID", ["input", "email"])]),
        ({"timeZone": "Europe/Atlantis"}, [("INVALID", ["input", "timeZone"])]),
        ({"language": "english please"}, [("INVALID", ["input", "language"])]),
        ({"phone": "1" * 51}, [("INVALID", ["input", "phone"])]),
        (
            {"windows": [{"kind": "PREFERRED", "startTime": "25:00", "endTime": "26:00"}]},
            [
                ("INVALID", ["input", "windows", "0", "startTime"]),
                ("INVALID", ["input", "windows", "0", "endTime"]),
            ],
        ),
        (
            {"windows": [PREFERRED, {"kind": "PREFERRED", "startTime": "9:00"}]},
            [("INVALID", ["input", "windows", "1", "startTime"])],
        ),
        (
            {"windows": [{"kind": "PREFERRED", "startTime": "09:00", "endTime": "24:30"}]},
            [("INVALID", ["input", "windows", "0", "endTime"])],
        ),
        (
            {"windows": [{"kind": "BLACKOUT", "weeksOfMonth": [3, 6]}]},
            [("INVALID", ["input", "windows", "0", "weeksOfMonth", "1"])],
        ),
        (
            {"windows": [{"kind": "BLACKOUT", "weeksOfMonth": [0]}]},
            [("INVALID", ["input", "windows", "0", "weeksOfMonth", "0"])],
        ),
        (
            {"windows": [{"kind": "BLACKOUT", "fromDate": "2026-12-02", "untilDate": "2026-12-01"}]},
            [("INVALID", ["input", "windows", "0", "untilDate"])],
        ),
        (
            {"windows": [{"kind": "PREFERRED", "startTime": "14:00", "endTime": "09:00"}]},
            [("INVALID", ["input", "windows", "0", "endTime"])],
        ),
        (
            {"windows": [{"kind": "PREFERRED", "startTime": "09:00", "endTime": "09:00"}]},
            [("INVALID", ["input", "windows", "0", "endTime"])],
        ),
        (
            {"windows": [{"kind": "BLACKOUT", "note": "n" * 1001}]},
            [("INVALID", ["input", "windows", "0", "note"])],
        ),
        ({"windows": [BLACKOUT] * 21}, [("INVALID", ["input", "windows"])]),
    ],
)
async def test_create_contact_rejects_invalid_input_and_writes_nothing(admin, pool, fields, expected):
    # given
    account = await new_account(admin)
    # when
    data = await admin.gql(CREATE_CONTACT, {"input": {"accountId": account["id"], "name": "Ada", **fields}})
    # then
    payload = data["createContact"]
    assert payload["contact"] is None
    assert problems(payload) == expected
    assert all(e["message"] for e in payload["userErrors"])
    assert await contact_count(pool, account) == 0


async def test_a_test_domain_email_is_rejected(admin, pool):
    account = await new_account(admin)
    data = await admin.gql(
        CREATE_CONTACT, {"input": {"accountId": account["id"], "name": "Ada", "email": "ada@example.test"}}
    )
    assert problems(data["createContact"]) == [("INVALID", ["input", "email"])]
    assert await contact_count(pool, account) == 0


async def test_every_bad_window_is_reported_at_once(admin, pool):
    # given: problems in the name, in window 0 and in window 2
    account = await new_account(admin)
    windows = [
        {"kind": "PREFERRED", "startTime": "25:00"},
        PREFERRED,
        {"kind": "PREFERRED", "startTime": "14:00", "endTime": "09:00"},
    ]
    # when
    data = await admin.gql(
        CREATE_CONTACT, {"input": {"accountId": account["id"], "name": "", "windows": windows}}
    )
    # then
    assert problems(data["createContact"]) == [
        ("INVALID", ["input", "name"]),
        ("INVALID", ["input", "windows", "0", "startTime"]),
        ("INVALID", ["input", "windows", "2", "endTime"]),
    ]
    assert await contact_count(pool, account) == 0


@pytest.mark.parametrize(
    "account_id", [ids.encode("Account", NOWHERE), ids.encode("User", NOWHERE)], ids=["unknown", "a-user"]
)
async def test_create_contact_on_an_unknown_account_is_not_found(admin, account_id):
    data = await admin.gql(CREATE_CONTACT, {"input": {"accountId": account_id, "name": "Ada"}})
    payload = data["createContact"]
    assert payload["contact"] is None
    assert problems(payload) == [("NOT_FOUND", ["input", "accountId"])]


async def test_integration_may_not_create_or_update_contacts(make_caller, admin, pool):
    account = await new_account(admin)
    contact = await create_contact(admin, account)
    integration = await make_caller(Team.INTEGRATION)
    created = await integration.gql(CREATE_CONTACT, {"input": {"accountId": account["id"], "name": "Bot"}})
    assert [e["code"] for e in created["createContact"]["userErrors"]] == ["FORBIDDEN"]
    updated = await update_contact(integration, contact, 1, name="Bot")
    assert [e["code"] for e in updated["userErrors"]] == ["FORBIDDEN"]
    assert await contact_count(pool, account) == 1
    assert (await fetch(admin, contact))["name"] == "Ada"


# ---------------------------------------------------------------- updateContact


async def test_update_contact_changes_given_fields_and_bumps_the_version(admin):
    # given
    account = await new_account(admin)
    contact = await create_contact(
        admin, account, title="CFO", roles=["BILLING"], email="ada@example.com", windows=[BLACKOUT]
    )
    # when
    payload = await update_contact(
        admin,
        contact,
        1,
        name="Ada King",
        roles=["ACCOUNTS_PAYABLE", "TECHNICAL"],
        preferredChannel="PHONE",
        doNotContact=True,
        timeZone="Europe/Paris",
    )
    # then
    assert payload["userErrors"] == []
    updated = payload["contact"]
    assert updated["version"] == 2
    assert updated["name"] == "Ada King"
    assert updated["roles"] == ["ACCOUNTS_PAYABLE", "TECHNICAL"]
    assert updated["preferredChannel"] == "PHONE"
    assert updated["doNotContact"] is True
    assert updated["timeZone"] == "Europe/Paris"
    # not given: kept
    assert updated["title"] == "CFO"
    assert updated["email"] == "ada@example.com"
    assert updated["windows"] == [full(BLACKOUT)]
    assert await fetch(admin, contact) == updated


async def test_update_contact_replaces_windows_when_given_and_keeps_them_when_omitted(admin):
    # given
    account = await new_account(admin)
    contact = await create_contact(admin, account, windows=[BLACKOUT])
    # when: a new list replaces the stored one
    replaced = await update_contact(admin, contact, 1, windows=[PREFERRED])
    # then
    assert replaced["userErrors"] == []
    assert replaced["contact"]["windows"] == [full(PREFERRED)]
    # when: no list keeps it
    kept = await update_contact(admin, contact, 2, name="Ada K")
    assert kept["contact"]["windows"] == [full(PREFERRED)]
    # when: an empty list clears it
    cleared = await update_contact(admin, contact, 3, windows=[])
    assert cleared["contact"]["windows"] == []
    assert (await fetch(admin, contact))["windows"] == []
    assert (await fetch(admin, contact))["version"] == 4


async def test_update_contact_can_clear_the_roles(admin):
    account = await new_account(admin)
    contact = await create_contact(admin, account, roles=["BILLING"])
    payload = await update_contact(admin, contact, 1, roles=[])
    assert payload["contact"]["roles"] == []


async def test_update_contact_with_a_stale_version_is_a_conflict_and_changes_nothing(admin, pool):
    # given
    account = await new_account(admin)
    contact = await create_contact(admin, account, windows=[BLACKOUT])
    assert (await update_contact(admin, contact, 1, title="v2"))["userErrors"] == []
    before = await fetch(admin, contact)
    # when
    payload = await update_contact(admin, contact, 1, name="Stale", windows=[PREFERRED])
    # then
    assert payload["contact"] is None
    assert problems(payload) == [("CONFLICT", ["input", "expectedVersion"])]
    assert await fetch(admin, contact) == before
    assert before["windows"] == [full(BLACKOUT)]
    audit = await pool.fetch(
        "SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id", raw_id(contact["id"])
    )
    assert [r["action"] for r in audit] == ["createContact", "updateContact"]


async def test_concurrent_contact_updates_with_the_same_version_let_exactly_one_win(admin):
    # given
    account = await new_account(admin)
    contact = await create_contact(admin, account, windows=[BLACKOUT])
    changes = [
        {"name": "Winner A", "windows": [PREFERRED]},
        {"name": "Winner B", "windows": [BLACKOUT, PREFERRED]},
    ]
    # when
    payloads = await asyncio.gather(*(update_contact(admin, contact, 1, **change) for change in changes))
    # then
    winners = [p["contact"] for p in payloads if p["contact"] is not None]
    losers = [p for p in payloads if p["contact"] is None]
    assert len(winners) == 1
    assert [problems(p) for p in losers] == [[("CONFLICT", ["input", "expectedVersion"])]]
    stored = await fetch(admin, contact)
    assert stored["version"] == 2
    assert stored == winners[0]
    # the winner's windows, whole: never a mix of both requests
    assert stored["windows"] == [
        full(w) for w in changes[["Winner A", "Winner B"].index(stored["name"])]["windows"]
    ]


@pytest.mark.parametrize(
    "contact_id",
    [ids.encode("Contact", NOWHERE), ids.encode("Account", NOWHERE)],
    ids=["unknown", "an-account"],
)
async def test_update_of_an_unknown_contact_is_not_found(admin, contact_id):
    payload = await update_contact(admin, {"id": contact_id}, 1, name="Nobody")
    assert payload["contact"] is None
    assert problems(payload) == [("NOT_FOUND", ["input", "id"])]


async def test_update_contact_with_a_malformed_id_is_invalid(admin):
    payload = await update_contact(admin, {"id": "garbage!"}, 1, name="Nobody")
    assert problems(payload) == [("INVALID", ["input", "id"])]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": ""}, [("INVALID", ["input", "name"])]),
        ({"email": "nope"}, [("INVALID", ["input", "email"])]),
        (
            {"windows": [BLACKOUT, {"kind": "PREFERRED", "startTime": "10:00", "endTime": "08:00"}]},
            [("INVALID", ["input", "windows", "1", "endTime"])],
        ),
        (
            {"windows": [{"kind": "BLACKOUT", "weeksOfMonth": [6]}]},
            [("INVALID", ["input", "windows", "0", "weeksOfMonth", "0"])],
        ),
    ],
)
async def test_update_contact_rejects_invalid_input_and_changes_nothing(admin, fields, expected):
    account = await new_account(admin)
    contact = await create_contact(admin, account, windows=[PREFERRED])
    payload = await update_contact(admin, contact, 1, **fields)
    assert payload["contact"] is None
    assert problems(payload) == expected
    assert await fetch(admin, contact) == contact


async def test_update_contact_audits_and_queues_the_change(admin, pool):
    account = await new_account(admin)
    contact = await create_contact(admin, account)
    await update_contact(admin, contact, 1, title="CTO")
    audit = await pool.fetch(
        "SELECT * FROM audit_log WHERE entity_id = $1 AND action = 'updateContact'", raw_id(contact["id"])
    )
    assert [(r["actor_id"], r["before"], r["after"]) for r in audit] == [
        (admin.user.id, {"version": 1}, {"version": 2})
    ]
    outbox = await pool.fetchval("SELECT count(*) FROM outbox WHERE entity_id = $1", raw_id(contact["id"]))
    assert outbox == 2


# ---------------------------------------------------------------- Account.contacts


async def test_account_contacts_lists_its_contacts_by_name(admin):
    # given
    account = await new_account(admin)
    other = await new_account(admin)
    names = ["charlie", "Alice", "bob"]
    created = {name: await create_contact(admin, account, name=name) for name in names}
    await create_contact(admin, other, name="Someone else")
    # when
    contacts = (await admin.gql(ACCOUNT_CONTACTS, {"id": account["id"]}))["account"]["contacts"]
    # then
    assert [c["name"] for c in contacts] == ["Alice", "bob", "charlie"]
    assert [c["id"] for c in contacts] == [created[n]["id"] for n in ("Alice", "bob", "charlie")]


async def test_account_contacts_shows_the_latest_version(admin):
    account = await new_account(admin)
    contact = await create_contact(admin, account, name="Before")
    await update_contact(admin, contact, 1, name="After")
    contacts = (await admin.gql(ACCOUNT_CONTACTS, {"id": account["id"]}))["account"]["contacts"]
    assert contacts == [{"id": contact["id"], "name": "After", "version": 2}]


async def test_an_account_without_contacts_lists_none(admin):
    account = await new_account(admin)
    assert (await admin.gql(ACCOUNT_CONTACTS, {"id": account["id"]}))["account"]["contacts"] == []


async def test_a_window_may_end_at_24_00_and_an_end_at_midnight_is_refused(make_caller):
    caller = await make_caller()
    account = (
        await caller.gql('mutation { createAccount(input: {name: "Late hours"}) { account { id } } }')
    )["createAccount"]["account"]["id"]
    query = """
    mutation ($input: CreateContactInput!) {
      createContact(input: $input) { contact { windows { startTime endTime } } userErrors { code field } }
    }
    """
    late = await caller.gql(
        query,
        {
            "input": {
                "accountId": account,
                "name": "Night owl",
                "windows": [{"kind": "PREFERRED", "startTime": "18:00", "endTime": "24:00"}],
            }
        },
    )
    assert late["createContact"]["userErrors"] == []
    assert late["createContact"]["contact"]["windows"] == [{"startTime": "18:00", "endTime": None}]
    empty = await caller.gql(
        query,
        {
            "input": {
                "accountId": account,
                "name": "Nobody",
                "windows": [{"kind": "PREFERRED", "endTime": "00:00"}],
            }
        },
    )
    assert empty["createContact"]["userErrors"] == [
        {"code": "INVALID", "field": ["input", "windows", "0", "endTime"]}
    ]
