"""Accounts and preferences over HTTP: create, update, bulk upsert, queries, audit and outbox.

Every test makes its own uniquely named accounts (the database is shared by a
worker's tests) and asserts only on those.
"""

import asyncio
import base64
import uuid
from datetime import datetime

import asyncpg
import orjson
import pytest

from domain.teams import Team
from schema import ids
from schema.errors import InvalidArgument

# An id no row has: fixed, so parametrized test ids are the same in every xdist worker.
NOWHERE = uuid.UUID("00000000-0000-4000-8000-00000000dead")

ACCOUNT_FIELDS = """
    id name status tags timeZone version createdAt updatedAt
    externalRefs { system id }
    owner { id email }
"""

CREATE_ACCOUNT = f"""
mutation ($input: CreateAccountInput!) {{
  createAccount(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

UPDATE_ACCOUNT = f"""
mutation ($input: UpdateAccountInput!) {{
  updateAccount(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

UPSERT_ACCOUNTS = """
mutation ($input: [AccountUpsertInput!]!) {
  upsertAccounts(input: $input) {
    accounts { id name status tags timeZone version externalRefs { system id } }
    created updated unchanged
    userErrors { code message field }
  }
}
"""

ACCOUNT = f"query ($id: ID!) {{ account(id: $id) {{ {ACCOUNT_FIELDS} }} }}"

ACCOUNT_BY_REF = """
query ($ref: ExternalRefInput!) { accountByExternalRef(ref: $ref) { id name version } }
"""

NODE = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Account { name version }
    ... on Contact { name account { id } }
  }
}
"""

ACCOUNTS = """
query ($first: Int, $after: String, $filter: AccountFilter) {
  accounts(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id name status tags owner { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

CREATE_CONTACT = """
mutation ($input: CreateContactInput!) {
  createContact(input: $input) { contact { id name } userErrors { code field } }
}
"""

SET_PREFERENCE = """
mutation ($input: SetPreferenceInput!) {
  setPreference(input: $input) {
    account { id preferences { key value note setAt setBy { id email } } }
    userErrors { code message field }
  }
}
"""

REMOVE_PREFERENCE = """
mutation ($input: RemovePreferenceInput!) {
  removePreference(input: $input) {
    account { id preferences { key value } }
    userErrors { code message field }
  }
}
"""

PREFERENCES = "query ($id: ID!) { account(id: $id) { preferences { key value note setBy { email } } } }"


def unique(prefix: str = "Acme") -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def user_id(caller) -> str:
    return ids.encode("User", caller.user.id)


def raw_id(global_id: str) -> uuid.UUID:
    return ids.decode(global_id)[1]


def problems(payload: dict) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def create_account(caller, **fields) -> dict:
    data = await caller.gql(CREATE_ACCOUNT, {"input": {"name": unique(), **fields}})
    payload = data["createAccount"]
    assert payload["userErrors"] == []
    return payload["account"]


async def count_named(pool: asyncpg.Pool, name: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM accounts WHERE name = $1", name)


async def audit_rows(pool: asyncpg.Pool, account_id: str, action: str | None = None) -> list:
    return await pool.fetch(
        "SELECT * FROM audit_log WHERE account_id = $1 AND ($2::text IS NULL OR action = $2) ORDER BY id",
        raw_id(account_id),
        action,
    )


async def outbox_rows(pool: asyncpg.Pool, account_id: str) -> list:
    return await pool.fetch("SELECT * FROM outbox WHERE account_id = $1 ORDER BY id", raw_id(account_id))


async def last_outbox_id(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("SELECT coalesce(max(id), 0) FROM outbox")


# ---------------------------------------------------------------- createAccount


async def test_create_account_returns_everything_it_was_given(make_caller):
    # given
    caller = await make_caller(Team.SALES)
    owner = await make_caller(Team.AR)
    name = unique("Globex")
    system = unique("erp")
    # when
    data = await caller.gql(
        CREATE_ACCOUNT,
        {
            "input": {
                "name": f"  {name}  ",
                "externalRefs": [{"system": system, "id": "1042"}, {"system": system, "id": "1043"}],
                "ownerId": user_id(owner),
                "tags": ["key-account", "eu"],
                "timeZone": "Europe/Berlin",
                "status": "ON_HOLD",
            }
        },
    )
    # then
    payload = data["createAccount"]
    assert payload["userErrors"] == []
    account = payload["account"]
    assert account["name"] == name
    assert account["externalRefs"] == [{"system": system, "id": "1042"}, {"system": system, "id": "1043"}]
    assert account["owner"] == {"id": user_id(owner), "email": owner.user.email}
    assert account["tags"] == ["key-account", "eu"]
    assert account["timeZone"] == "Europe/Berlin"
    assert account["status"] == "ON_HOLD"
    assert account["version"] == 1
    assert account["createdAt"] == account["updatedAt"]
    # and it reads back the same
    assert (await caller.gql(ACCOUNT, {"id": account["id"]}))["account"] == account


async def test_create_account_defaults(admin):
    account = await create_account(admin)
    assert account["status"] == "ACTIVE"
    assert account["timeZone"] == "UTC"
    assert account["tags"] == []
    assert account["externalRefs"] == []
    assert account["owner"] is None
    assert account["version"] == 1


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "   "}, [("INVALID", ["input", "name"])]),
        ({"name": "x" * 201}, [("INVALID", ["input", "name"])]),
        ({"tags": [f"t{i}" for i in range(21)]}, [("INVALID", ["input", "tags"])]),
        ({"tags": ["ok", " "]}, [("INVALID", ["input", "tags", "1"])]),
        ({"tags": ["ok", "x" * 51]}, [("INVALID", ["input", "tags", "1"])]),
        ({"timeZone": "Mars/Olympus_Mons"}, [("INVALID", ["input", "timeZone"])]),
        ({"timeZone": "europe/berlin"}, [("INVALID", ["input", "timeZone"])]),
        (
            {"externalRefs": [{"system": "erp", "id": "1"}, {"system": " ", "id": "2"}]},
            [("INVALID", ["input", "externalRefs", "1", "system"])],
        ),
        (
            {"name": "", "timeZone": "Nowhere", "tags": [""]},
            [
                ("INVALID", ["input", "name"]),
                ("INVALID", ["input", "tags", "0"]),
                ("INVALID", ["input", "timeZone"]),
            ],
        ),
    ],
)
async def test_create_account_rejects_invalid_input_and_writes_nothing(admin, pool, fields, expected):
    # given
    name = unique("Invalid")
    before = await last_outbox_id(pool)
    # when
    data = await admin.gql(CREATE_ACCOUNT, {"input": {"name": name, **fields}})
    # then
    payload = data["createAccount"]
    assert payload["account"] is None
    assert sorted(problems(payload)) == sorted(expected)
    assert all(e["message"] for e in payload["userErrors"])
    assert await count_named(pool, name) == 0
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE actor_id = $1", admin.user.id) == 0
    assert await last_outbox_id(pool) == before


async def test_create_account_with_an_unknown_owner_is_not_found(admin, pool):
    name = unique()
    missing = ids.encode("User", NOWHERE)
    data = await admin.gql(CREATE_ACCOUNT, {"input": {"name": name, "ownerId": missing}})
    payload = data["createAccount"]
    assert payload["account"] is None
    assert problems(payload) == [("NOT_FOUND", ["input", "ownerId"])]
    assert await count_named(pool, name) == 0


async def test_create_account_with_an_owner_id_of_another_type_is_not_found(admin, pool):
    other = await create_account(admin)
    name = unique()
    data = await admin.gql(CREATE_ACCOUNT, {"input": {"name": name, "ownerId": other["id"]}})
    assert problems(data["createAccount"]) == [("NOT_FOUND", ["input", "ownerId"])]
    assert await count_named(pool, name) == 0


async def test_create_account_with_a_malformed_owner_id_is_invalid(admin, pool):
    name = unique()
    data = await admin.gql(CREATE_ACCOUNT, {"input": {"name": name, "ownerId": "not-an-id"}})
    assert problems(data["createAccount"]) == [("INVALID", ["input", "ownerId"])]
    assert await count_named(pool, name) == 0


async def test_create_account_with_an_external_ref_of_another_account_is_a_conflict(admin, pool):
    # given
    system = unique("erp")
    taken = {"system": system, "id": "7"}
    first = await create_account(admin, externalRefs=[taken])
    name = unique()
    fresh = {"system": system, "id": "8"}
    # when
    data = await admin.gql(CREATE_ACCOUNT, {"input": {"name": name, "externalRefs": [taken, fresh]}})
    # then
    payload = data["createAccount"]
    assert payload["account"] is None
    assert problems(payload) == [("CONFLICT", ["input", "externalRefs", "0"])]
    assert await count_named(pool, name) == 0
    assert (await admin.gql(ACCOUNT_BY_REF, {"ref": fresh}))["accountByExternalRef"] is None
    assert (await admin.gql(ACCOUNT_BY_REF, {"ref": taken}))["accountByExternalRef"]["id"] == first["id"]


async def test_create_account_names_a_repeated_ref_once(admin):
    ref = {"system": unique("erp"), "id": "1"}
    account = await create_account(admin, externalRefs=[ref, ref])
    assert account["externalRefs"] == [ref]


async def test_concurrent_creates_with_the_same_external_ref_give_it_to_exactly_one(admin, pool):
    # given
    ref = {"system": unique("erp"), "id": "race"}
    names = [unique("Racer") for _ in range(4)]
    # when
    results = await asyncio.gather(
        *(admin.gql(CREATE_ACCOUNT, {"input": {"name": n, "externalRefs": [ref]}}) for n in names)
    )
    # then
    payloads = [r["createAccount"] for r in results]
    winners = [p["account"] for p in payloads if p["account"] is not None]
    assert len(winners) == 1
    assert winners[0]["externalRefs"] == [ref]
    losers = [p for p in payloads if p["account"] is None]
    assert [problems(p) for p in losers] == [[("CONFLICT", ["input", "externalRefs", "0"])]] * 3
    assert sum([await count_named(pool, n) for n in names]) == 1
    found = (await admin.gql(ACCOUNT_BY_REF, {"ref": ref}))["accountByExternalRef"]
    assert found["id"] == winners[0]["id"]


@pytest.mark.parametrize("team", [Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN])
async def test_people_teams_may_create_accounts(make_caller, team):
    caller = await make_caller(team)
    account = await create_account(caller)
    assert account["version"] == 1


async def test_integration_may_not_create_an_account(make_caller, pool):
    integration = await make_caller(Team.INTEGRATION)
    name = unique()
    data = await integration.gql(CREATE_ACCOUNT, {"input": {"name": name}})
    payload = data["createAccount"]
    assert payload["account"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    assert await count_named(pool, name) == 0


# ---------------------------------------------------------------- updateAccount


async def test_update_account_changes_the_given_fields_and_bumps_the_version(make_caller):
    # given
    caller = await make_caller(Team.SERVICE)
    owner = await make_caller(Team.AR)
    account = await create_account(caller, tags=["a"], timeZone="Europe/Berlin")
    new_name = unique("Renamed")
    # when
    data = await caller.gql(
        UPDATE_ACCOUNT,
        {
            "input": {
                "id": account["id"],
                "expectedVersion": 1,
                "name": new_name,
                "ownerId": user_id(owner),
                "tags": ["b", "c"],
                "status": "CLOSED",
            }
        },
    )
    # then
    payload = data["updateAccount"]
    assert payload["userErrors"] == []
    updated = payload["account"]
    assert updated["version"] == 2
    assert updated["name"] == new_name
    assert updated["owner"]["id"] == user_id(owner)
    assert updated["tags"] == ["b", "c"]
    assert updated["status"] == "CLOSED"
    assert updated["timeZone"] == "Europe/Berlin"  # not given: kept
    assert updated["createdAt"] == account["createdAt"]
    assert when(updated["updatedAt"]) > when(account["updatedAt"])
    assert (await caller.gql(ACCOUNT, {"id": account["id"]}))["account"] == updated


async def test_update_account_twice_in_a_row(admin):
    account = await create_account(admin)
    for version in (1, 2):
        data = await admin.gql(
            UPDATE_ACCOUNT,
            {"input": {"id": account["id"], "expectedVersion": version, "tags": [str(version)]}},
        )
        assert data["updateAccount"]["userErrors"] == []
    fetched = (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"]
    assert fetched["version"] == 3
    assert fetched["tags"] == ["2"]


async def test_update_account_can_clear_the_tags(admin):
    account = await create_account(admin, tags=["x"])
    data = await admin.gql(UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "tags": []}})
    assert data["updateAccount"]["account"]["tags"] == []


async def test_update_account_with_a_stale_version_is_a_conflict_and_changes_nothing(admin, pool):
    # given
    account = await create_account(admin)
    await admin.gql(UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "tags": ["v2"]}})
    # when
    data = await admin.gql(
        UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "name": unique("Stale")}}
    )
    # then
    payload = data["updateAccount"]
    assert payload["account"] is None
    assert problems(payload) == [("CONFLICT", ["input", "expectedVersion"])]
    assert "version 2" in payload["userErrors"][0]["message"]
    fetched = (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"]
    assert fetched["name"] == account["name"]
    assert fetched["version"] == 2
    assert len(await audit_rows(pool, account["id"], "updateAccount")) == 1


async def test_update_account_with_a_future_version_is_a_conflict(admin):
    account = await create_account(admin)
    data = await admin.gql(UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 5, "tags": []}})
    assert problems(data["updateAccount"]) == [("CONFLICT", ["input", "expectedVersion"])]


async def test_concurrent_updates_with_the_same_version_let_exactly_one_win(admin, pool):
    # given
    account = await create_account(admin)
    names = [unique("First"), unique("Second")]
    # when
    results = await asyncio.gather(
        *(
            admin.gql(UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "name": name}})
            for name in names
        )
    )
    # then
    payloads = [r["updateAccount"] for r in results]
    winners = [p["account"] for p in payloads if p["account"] is not None]
    losers = [p for p in payloads if p["account"] is None]
    assert len(winners) == 1
    assert winners[0]["version"] == 2
    assert [problems(p) for p in losers] == [[("CONFLICT", ["input", "expectedVersion"])]]
    fetched = (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"]
    assert fetched["version"] == 2
    assert fetched["name"] == winners[0]["name"]
    assert len(await audit_rows(pool, account["id"], "updateAccount")) == 1


async def test_update_of_an_unknown_account_is_not_found(admin):
    missing = ids.encode("Account", NOWHERE)
    data = await admin.gql(UPDATE_ACCOUNT, {"input": {"id": missing, "expectedVersion": 1, "name": "x"}})
    payload = data["updateAccount"]
    assert payload["account"] is None
    assert problems(payload) == [("NOT_FOUND", ["input", "id"])]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": " "}, [("INVALID", ["input", "name"])]),
        ({"timeZone": "CEST"}, [("INVALID", ["input", "timeZone"])]),
        ({"tags": ["x"] * 21}, [("INVALID", ["input", "tags"])]),
        ({"ownerId": ids.encode("User", NOWHERE)}, [("NOT_FOUND", ["input", "ownerId"])]),
    ],
)
async def test_update_account_rejects_invalid_input_and_changes_nothing(admin, pool, fields, expected):
    account = await create_account(admin)
    data = await admin.gql(UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, **fields}})
    payload = data["updateAccount"]
    assert payload["account"] is None
    assert problems(payload) == expected
    assert (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"] == account
    assert await audit_rows(pool, account["id"], "updateAccount") == []


async def test_integration_may_not_update_an_account(make_caller, admin):
    account = await create_account(admin)
    integration = await make_caller(Team.INTEGRATION)
    data = await integration.gql(
        UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "name": "Taken over"}}
    )
    assert [e["code"] for e in data["updateAccount"]["userErrors"]] == ["FORBIDDEN"]
    assert (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"]["name"] == account["name"]


# ---------------------------------------------------------------- upsertAccounts


async def test_upsert_creates_then_an_identical_resend_changes_nothing(make_caller, pool):
    # given
    integration = await make_caller(Team.INTEGRATION)
    system = unique("erp")
    items = [
        {
            "externalRef": {"system": system, "id": "1"},
            "name": unique(),
            "tags": ["a"],
            "timeZone": "Asia/Tokyo",
        },
        {"externalRef": {"system": system, "id": "2"}, "name": unique(), "status": "ON_HOLD"},
    ]
    # when
    first = (await integration.gql(UPSERT_ACCOUNTS, {"input": items}))["upsertAccounts"]
    # then
    assert first["userErrors"] == []
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    created = first["accounts"]
    assert [a["name"] for a in created] == [items[0]["name"], items[1]["name"]]
    assert [a["externalRefs"] for a in created] == [[items[0]["externalRef"]], [items[1]["externalRef"]]]
    assert created[0]["tags"] == ["a"]
    assert created[0]["timeZone"] == "Asia/Tokyo"
    assert created[1]["status"] == "ON_HOLD"
    assert created[1]["timeZone"] == "UTC"
    assert [a["version"] for a in created] == [1, 1]
    for account in created:
        assert [r["action"] for r in await audit_rows(pool, account["id"])] == ["upsertAccounts"]
    outbox_before = await last_outbox_id(pool)

    # when
    again = (await integration.gql(UPSERT_ACCOUNTS, {"input": items}))["upsertAccounts"]
    # then
    assert again["userErrors"] == []
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert again["accounts"] == created
    for account in created:
        assert len(await audit_rows(pool, account["id"])) == 1
    assert await last_outbox_id(pool) == outbox_before


async def test_upsert_updates_a_changed_account_and_keeps_what_is_not_given(admin, pool):
    # given
    system = unique("erp")
    ref = {"system": system, "id": "1"}
    created = (
        await admin.gql(
            UPSERT_ACCOUNTS,
            {"input": [{"externalRef": ref, "name": unique(), "tags": ["t"], "timeZone": "UTC"}]},
        )
    )["upsertAccounts"]["accounts"][0]
    new_name = unique("Renamed")
    # when
    result = (await admin.gql(UPSERT_ACCOUNTS, {"input": [{"externalRef": ref, "name": new_name}]}))[
        "upsertAccounts"
    ]
    # then
    assert result["userErrors"] == []
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 0)
    updated = result["accounts"][0]
    assert updated["id"] == created["id"]
    assert updated["name"] == new_name
    assert updated["version"] == 2
    assert updated["tags"] == ["t"]
    assert (await admin.gql(ACCOUNT_BY_REF, {"ref": ref}))["accountByExternalRef"] == {
        "id": created["id"],
        "name": new_name,
        "version": 2,
    }
    assert [r["action"] for r in await audit_rows(pool, created["id"])] == ["upsertAccounts"] * 2


async def test_upsert_reports_created_updated_and_unchanged_in_one_batch(admin):
    system = unique("erp")
    refs = [{"system": system, "id": str(i)} for i in range(3)]
    names = [unique() for _ in refs]
    await admin.gql(
        UPSERT_ACCOUNTS,
        {"input": [{"externalRef": r, "name": n} for r, n in zip(refs[:2], names, strict=False)]},
    )
    batch = [
        {"externalRef": refs[2], "name": names[2]},  # new
        {"externalRef": refs[1], "name": names[1]},  # same
        {"externalRef": refs[0], "name": names[0], "status": "CLOSED"},  # changed
    ]
    result = (await admin.gql(UPSERT_ACCOUNTS, {"input": batch}))["upsertAccounts"]
    assert result["userErrors"] == []
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    assert [a["externalRefs"][0] for a in result["accounts"]] == [refs[2], refs[1], refs[0]]
    assert [a["status"] for a in result["accounts"]] == ["ACTIVE", "ACTIVE", "CLOSED"]


async def test_upsert_is_all_or_nothing_and_names_every_bad_item(admin, pool):
    # given
    system = unique("erp")
    items = [
        {"externalRef": {"system": system, "id": str(i)}, "name": unique(), "timeZone": "UTC"}
        for i in range(4)
    ]
    items[1]["timeZone"] = "Not/AZone"
    items[3]["name"] = "  "
    outbox_before = await last_outbox_id(pool)
    # when
    result = (await admin.gql(UPSERT_ACCOUNTS, {"input": items}))["upsertAccounts"]
    # then
    assert sorted(problems(result)) == [
        ("INVALID", ["input", "1", "timeZone"]),
        ("INVALID", ["input", "3", "name"]),
    ]
    assert result["accounts"] == []
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 0)
    for item in items:
        assert (await admin.gql(ACCOUNT_BY_REF, {"ref": item["externalRef"]}))["accountByExternalRef"] is None
    assert await pool.fetchval("SELECT count(*) FROM account_refs WHERE system = $1", system) == 0
    assert await last_outbox_id(pool) == outbox_before


async def test_upsert_checks_the_external_ref_of_each_item(admin):
    items = [{"externalRef": {"system": "erp", "id": ""}, "name": unique()}]
    result = (await admin.gql(UPSERT_ACCOUNTS, {"input": items}))["upsertAccounts"]
    assert problems(result) == [("INVALID", ["input", "0", "externalRef", "id"])]


async def test_upsert_of_more_than_1000_items_is_refused_whole(make_caller, pool):
    integration = await make_caller(Team.INTEGRATION)
    system = unique("erp")
    items = [{"externalRef": {"system": system, "id": str(i)}, "name": f"Bulk {i}"} for i in range(1001)]
    result = (await integration.gql(UPSERT_ACCOUNTS, {"input": items}))["upsertAccounts"]
    assert problems(result) == [("LIMIT_EXCEEDED", ["input"])]
    assert result["accounts"] == []
    assert await pool.fetchval("SELECT count(*) FROM account_refs WHERE system = $1", system) == 0


async def test_upsert_of_exactly_1000_items_is_accepted(make_caller, pool):
    integration = await make_caller(Team.INTEGRATION)
    system = unique("erp")
    items = [
        {"externalRef": {"system": system, "id": str(i)}, "name": f"Bulk {system} {i}"} for i in range(1000)
    ]
    result = (await integration.gql(UPSERT_ACCOUNTS, {"input": items}))["upsertAccounts"]
    assert result["userErrors"] == []
    assert result["created"] == 1000
    assert await pool.fetchval("SELECT count(*) FROM account_refs WHERE system = $1", system) == 1000


async def test_upsert_of_an_empty_list_is_invalid(admin):
    result = (await admin.gql(UPSERT_ACCOUNTS, {"input": []}))["upsertAccounts"]
    assert problems(result) == [("INVALID", ["input"])]


async def test_upsert_applies_items_for_two_refs_of_one_account_in_order(admin):
    # given: one account known under two refs
    system = unique("erp")
    refs = [{"system": system, "id": "a"}, {"system": system, "id": "b"}]
    account = await create_account(admin, externalRefs=refs)
    last = unique("Last")
    # when
    batch = [{"externalRef": refs[0], "name": unique("First")}, {"externalRef": refs[1], "name": last}]
    result = (await admin.gql(UPSERT_ACCOUNTS, {"input": batch}))["upsertAccounts"]
    # then
    assert result["userErrors"] == []
    assert result["updated"] == 2
    assert [a["id"] for a in result["accounts"]] == [account["id"]] * 2
    fetched = (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"]
    assert fetched["name"] == last
    assert fetched["version"] == 3


async def test_concurrent_upserts_of_a_new_ref_create_one_account(make_caller, pool):
    # given
    integration = await make_caller(Team.INTEGRATION)
    ref = {"system": unique("erp"), "id": "race"}
    name = unique("Upsert race")
    # when
    results = await asyncio.gather(
        *(integration.gql(UPSERT_ACCOUNTS, {"input": [{"externalRef": ref, "name": name}]}) for _ in range(3))
    )
    # then
    payloads = [r["upsertAccounts"] for r in results]
    assert all(p["userErrors"] == [] for p in payloads)
    assert sorted(p["created"] for p in payloads) == [0, 0, 1]
    assert sorted(p["unchanged"] for p in payloads) == [0, 1, 1]
    assert len({p["accounts"][0]["id"] for p in payloads}) == 1
    assert await count_named(pool, name) == 1


async def test_integration_may_upsert_but_not_create(make_caller, pool):
    integration = await make_caller(Team.INTEGRATION)
    name = unique()
    refused = (await integration.gql(CREATE_ACCOUNT, {"input": {"name": name}}))["createAccount"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert await count_named(pool, name) == 0
    ref = {"system": unique("erp"), "id": "1"}
    upserted = (await integration.gql(UPSERT_ACCOUNTS, {"input": [{"externalRef": ref, "name": name}]}))[
        "upsertAccounts"
    ]
    assert upserted["userErrors"] == []
    assert upserted["created"] == 1
    assert await count_named(pool, name) == 1
    audit = await audit_rows(pool, upserted["accounts"][0]["id"])
    assert [(r["action"], r["actor_id"]) for r in audit] == [("upsertAccounts", integration.user.id)]


# ---------------------------------------------------------------- queries


async def test_account_and_node_resolve_an_account(admin):
    account = await create_account(admin)
    assert (await admin.gql(ACCOUNT, {"id": account["id"]}))["account"]["name"] == account["name"]
    node = (await admin.gql(NODE, {"id": account["id"]}))["node"]
    assert node == {"__typename": "Account", "id": account["id"], "name": account["name"], "version": 1}


async def test_node_resolves_a_contact(admin):
    account = await create_account(admin)
    contact = (
        await admin.gql(CREATE_CONTACT, {"input": {"accountId": account["id"], "name": "Grace Hopper"}})
    )["createContact"]["contact"]
    node = (await admin.gql(NODE, {"id": contact["id"]}))["node"]
    assert node == {
        "__typename": "Contact",
        "id": contact["id"],
        "name": "Grace Hopper",
        "account": {"id": account["id"]},
    }


async def test_account_and_node_of_an_unknown_id_are_null(admin):
    missing = ids.encode("Account", NOWHERE)
    assert (await admin.gql(ACCOUNT, {"id": missing}))["account"] is None
    assert (await admin.gql(NODE, {"id": missing}))["node"] is None


@pytest.mark.parametrize("query", [ACCOUNT, NODE])
async def test_a_malformed_id_is_an_invalid_argument(admin, query):
    body = (await admin.post(query, {"id": "%%%not-an-id"})).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID"


async def test_the_id_of_another_type_is_refused_with_its_article(admin):
    contact = ids.encode("Contact", NOWHERE)
    body = (await admin.post(ACCOUNT, {"id": contact})).json()
    assert body["errors"][0]["message"] == f"{contact!r} is not the id of an Account."
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    with pytest.raises(InvalidArgument, match="is not the id of a Contact"):
        ids.decode_as(ids.encode("Invoice", NOWHERE), "Contact")
    with pytest.raises(InvalidArgument, match="is not the id of a User"):
        ids.decode_as(contact, "User")


async def test_account_by_external_ref(admin):
    system = unique("erp")
    account = await create_account(admin, externalRefs=[{"system": system, "id": "42"}])
    found = (await admin.gql(ACCOUNT_BY_REF, {"ref": {"system": system, "id": "42"}}))["accountByExternalRef"]
    assert found == {"id": account["id"], "name": account["name"], "version": 1}
    for ref in ({"system": system, "id": "43"}, {"system": unique("other"), "id": "42"}):
        assert (await admin.gql(ACCOUNT_BY_REF, {"ref": ref}))["accountByExternalRef"] is None


async def list_all(caller, filter_: dict, first: int = 100) -> list[dict]:
    """Every edge's node under the filter, page by page."""
    nodes: list[dict] = []
    after = None
    for _ in range(50):
        page = (await caller.gql(ACCOUNTS, {"first": first, "after": after, "filter": filter_}))["accounts"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pagination did not end")


async def test_accounts_filter_by_status_tags_owner_and_name(make_caller):
    # given
    caller = await make_caller(Team.SALES)
    owner = await make_caller(Team.AR)
    marker = uuid.uuid4().hex[:12]
    tag = f"tag-{marker}"
    active = await create_account(caller, name=f"Filter {marker} active", tags=[tag, "x"])
    held = await create_account(
        caller, name=f"Filter {marker} held", status="ON_HOLD", ownerId=user_id(owner)
    )
    closed = await create_account(caller, name=f"Filter {marker} closed", status="CLOSED", tags=[tag])

    async def names(filter_: dict) -> set[str]:
        return {node["name"] for node in await list_all(caller, filter_)}

    # then
    scope = {"nameContains": marker}
    assert await names(scope) == {active["name"], held["name"], closed["name"]}
    assert await names({**scope, "nameContains": marker.upper()}) == await names(scope)
    assert await names({**scope, "status": ["ON_HOLD"]}) == {held["name"]}
    assert await names({**scope, "status": ["ACTIVE", "CLOSED"]}) == {active["name"], closed["name"]}
    assert await names({"tags": [tag]}) == {active["name"], closed["name"]}
    assert await names({"tags": [tag], "status": ["CLOSED"]}) == {closed["name"]}
    assert await names({"ownerId": user_id(owner)}) == {held["name"]}
    assert await names({**scope, "nameContains": f"{marker} clo"}) == {closed["name"]}
    assert await names({"nameContains": f"nothing-{marker}"}) == set()


@pytest.mark.parametrize("count", [4, 5])
async def test_accounts_keyset_pages_have_no_duplicates_and_no_gaps(admin, count):
    # given: names that differ in case only sort together, ties broken by id
    marker = uuid.uuid4().hex[:12]
    words = ["alpha", "Bravo", "charlie", "CHARLIE", "delta"][:count]
    created = [await create_account(admin, name=f"Page {marker} {word}") for word in words]
    filter_ = {"nameContains": marker}
    # when
    pages = []
    after = None
    while True:
        page = (await admin.gql(ACCOUNTS, {"first": 2, "after": after, "filter": filter_}))["accounts"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(pages) <= count
        after = page["pageInfo"]["endCursor"]
    # then
    assert [len(p["edges"]) for p in pages] == ([2, 2] if count == 4 else [2, 2, 1])
    seen = [edge["node"]["id"] for page in pages for edge in page["edges"]]
    assert len(seen) == len(set(seen)) == count
    assert set(seen) == {a["id"] for a in created}
    expected = sorted(created, key=lambda a: (a["name"].lower(), raw_id(a["id"])))
    assert seen == [a["id"] for a in expected]
    for page in pages:
        assert page["pageInfo"]["hasPreviousPage"] is False
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    # one big page agrees with the small ones
    assert [n["id"] for n in await list_all(admin, filter_)] == seen


async def test_accounts_past_the_last_page_is_empty(admin):
    marker = uuid.uuid4().hex[:12]
    await create_account(admin, name=f"Last {marker}")
    page = (await admin.gql(ACCOUNTS, {"first": 1, "filter": {"nameContains": marker}}))["accounts"]
    assert page["pageInfo"]["hasNextPage"] is False
    after = page["pageInfo"]["endCursor"]
    rest = (await admin.gql(ACCOUNTS, {"first": 1, "after": after, "filter": {"nameContains": marker}}))[
        "accounts"
    ]
    assert rest["edges"] == []
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


def b64(value: object) -> str:
    raw = value if isinstance(value, bytes) else orjson.dumps(value)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "!!!!",
        b64(["only-one-part"]),
        b64(["name", "not-a-uuid"]),
        b64(["name", str(NOWHERE), "extra"]),
        b64({"name": "x"}),
        b64(b"\xff\xfe not json"),
        b64(["nul\u0000byte", str(NOWHERE)]),
    ],
    ids=[
        "garbage",
        "empty",
        "not-base64",
        "one-part",
        "bad-uuid",
        "three-parts",
        "object",
        "not-json",
        "nul",
    ],
)
async def test_a_tampered_cursor_is_an_invalid_argument(admin, cursor):
    response = await admin.post(ACCOUNTS, {"first": 2, "after": cursor})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID"]
    assert body["errors"][0]["path"] == ["accounts"]


async def test_an_owner_filter_with_a_malformed_id_is_an_invalid_argument(admin):
    body = (await admin.post(ACCOUNTS, {"filter": {"ownerId": "nope"}})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID"]


@pytest.mark.parametrize(
    ("needle", "matches"),
    [
        ("50%", ["50% off"]),
        ("a_b", ["a_b"]),
        ("c\\d", ["c\\d"]),
        ("%", ["%pct"]),
        ("_", ["_us"]),
    ],
)
async def test_name_contains_matches_wildcards_literally(admin, needle, matches):
    marker = uuid.uuid4().hex[:12]
    for suffix in ["50% off", "50x off", "a_b", "axb", "c\\d", "cd", "%pct", "_us"]:
        await create_account(admin, name=f"Lit {marker} {suffix}")
    found = await list_all(admin, {"nameContains": f"{marker} {needle}"})
    assert sorted(n["name"] for n in found) == sorted(f"Lit {marker} {m}" for m in matches)


async def test_accounts_first_is_capped_and_must_not_be_negative(admin):
    page = (await admin.gql(ACCOUNTS, {"first": 1000}))["accounts"]
    assert len(page["edges"]) <= 100
    body = (await admin.post(ACCOUNTS, {"first": -1})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID"]


# ---------------------------------------------------------------- preferences


async def test_set_preference_creates_then_overwrites(make_caller):
    # given
    first, second = await make_caller(Team.SALES), await make_caller(Team.AR)
    account = await create_account(first)
    # when
    data = await first.gql(
        SET_PREFERENCE,
        {
            "input": {
                "accountId": account["id"],
                "key": "invoice_delivery",
                "value": "portal",
                "note": "asked",
            }
        },
    )
    # then
    payload = data["setPreference"]
    assert payload["userErrors"] == []
    [pref] = payload["account"]["preferences"]
    assert (pref["key"], pref["value"], pref["note"]) == ("invoice_delivery", "portal", "asked")
    assert pref["setBy"] == {"id": user_id(first), "email": first.user.email}
    assert pref["setAt"]

    # when someone else overwrites it
    data = await second.gql(
        SET_PREFERENCE, {"input": {"accountId": account["id"], "key": "invoice_delivery", "value": "email"}}
    )
    # then
    [pref2] = data["setPreference"]["account"]["preferences"]
    assert (pref2["key"], pref2["value"], pref2["note"]) == ("invoice_delivery", "email", None)
    assert pref2["setBy"]["email"] == second.user.email
    assert when(pref2["setAt"]) >= when(pref["setAt"])
    fetched = (await first.gql(PREFERENCES, {"id": account["id"]}))["account"]["preferences"]
    assert fetched == [
        {"key": "invoice_delivery", "value": "email", "note": None, "setBy": {"email": second.user.email}}
    ]


async def test_preferences_are_one_per_key_in_key_order(admin):
    account = await create_account(admin)
    for key, value in [("tone", "formal"), ("payment_method", "sepa"), (" invoice_delivery ", "mail")]:
        data = await admin.gql(
            SET_PREFERENCE, {"input": {"accountId": account["id"], "key": key, "value": value}}
        )
        assert data["setPreference"]["userErrors"] == []
    fetched = (await admin.gql(PREFERENCES, {"id": account["id"]}))["account"]["preferences"]
    assert [(p["key"], p["value"]) for p in fetched] == [
        ("invoice_delivery", "mail"),
        ("payment_method", "sepa"),
        ("tone", "formal"),
    ]


async def test_remove_preference(admin, pool):
    # given
    account = await create_account(admin)
    for key in ("tone", "channel"):
        await admin.gql(SET_PREFERENCE, {"input": {"accountId": account["id"], "key": key, "value": "v"}})
    # when
    data = await admin.gql(REMOVE_PREFERENCE, {"input": {"accountId": account["id"], "key": "tone"}})
    # then
    payload = data["removePreference"]
    assert payload["userErrors"] == []
    assert payload["account"]["preferences"] == [{"key": "channel", "value": "v"}]
    actions = [r["action"] for r in await audit_rows(pool, account["id"])]
    assert actions == ["createAccount", "setPreference", "setPreference", "removePreference"]


async def test_removing_a_missing_preference_is_not_found(admin, pool):
    account = await create_account(admin)
    await admin.gql(SET_PREFERENCE, {"input": {"accountId": account["id"], "key": "tone", "value": "v"}})
    data = await admin.gql(REMOVE_PREFERENCE, {"input": {"accountId": account["id"], "key": "never_set"}})
    payload = data["removePreference"]
    assert payload["account"] is None
    assert problems(payload) == [("NOT_FOUND", ["input", "key"])]
    assert len(await audit_rows(pool, account["id"], "removePreference")) == 0
    fetched = (await admin.gql(PREFERENCES, {"id": account["id"]}))["account"]["preferences"]
    assert [p["key"] for p in fetched] == ["tone"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"key": "  "}, [("INVALID", ["input", "key"])]),
        ({"key": "k" * 101}, [("INVALID", ["input", "key"])]),
        ({"value": ""}, [("INVALID", ["input", "value"])]),
        ({"key": "", "value": ""}, [("INVALID", ["input", "key"]), ("INVALID", ["input", "value"])]),
    ],
)
async def test_set_preference_rejects_invalid_input(admin, pool, fields, expected):
    account = await create_account(admin)
    data = await admin.gql(
        SET_PREFERENCE, {"input": {"accountId": account["id"], "key": "tone", "value": "v", **fields}}
    )
    payload = data["setPreference"]
    assert payload["account"] is None
    assert problems(payload) == expected
    assert (
        await pool.fetchval("SELECT count(*) FROM preferences WHERE account_id = $1", raw_id(account["id"]))
        == 0
    )


@pytest.mark.parametrize("mutation", [SET_PREFERENCE, REMOVE_PREFERENCE])
async def test_preferences_of_an_unknown_account_are_not_found(admin, mutation):
    missing = ids.encode("Account", NOWHERE)
    fields = {"value": "v"} if mutation is SET_PREFERENCE else {}
    data = await admin.gql(mutation, {"input": {"accountId": missing, "key": "tone", **fields}})
    [payload] = data.values()
    assert problems(payload) == [("NOT_FOUND", ["input", "accountId"])]


async def test_integration_may_not_set_preferences(make_caller, admin, pool):
    account = await create_account(admin)
    integration = await make_caller(Team.INTEGRATION)
    data = await integration.gql(
        SET_PREFERENCE, {"input": {"accountId": account["id"], "key": "k", "value": "v"}}
    )
    assert [e["code"] for e in data["setPreference"]["userErrors"]] == ["FORBIDDEN"]
    assert (
        await pool.fetchval("SELECT count(*) FROM preferences WHERE account_id = $1", raw_id(account["id"]))
        == 0
    )


# ---------------------------------------------------------------- audit and outbox


async def test_create_account_writes_one_audit_and_one_outbox_row_in_its_transaction(make_caller, pool):
    # given
    caller = await make_caller(Team.SALES)
    # when
    account = await create_account(caller, tags=["audited"])
    # then
    [audit] = await audit_rows(pool, account["id"])
    assert audit["action"] == "createAccount"
    assert audit["actor_id"] == caller.user.id
    assert audit["entity_type"] == "account"
    assert audit["entity_id"] == raw_id(account["id"])
    assert audit["before"] is None
    assert audit["after"]["name"] == account["name"]
    assert audit["after"]["tags"] == ["audited"]
    [outbox] = await outbox_rows(pool, account["id"])
    assert (outbox["entity_type"], outbox["entity_id"], outbox["op"]) == (
        "account",
        raw_id(account["id"]),
        "upsert",
    )
    # one transaction: the same transaction id wrote the account and its audit row, and now() agrees
    same = await pool.fetchrow(
        "SELECT a.xmin::text = l.xmin::text AS same_xid,"
        " a.created_at = l.at AND l.at = o.created_at AS same_now"
        " FROM accounts a, audit_log l, outbox o WHERE a.id = $1 AND l.id = $2 AND o.id = $3",
        raw_id(account["id"]),
        audit["id"],
        outbox["id"],
    )
    assert same["same_xid"]
    assert same["same_now"]


async def test_a_rejected_create_account_writes_no_audit_and_no_outbox_row(make_caller, pool):
    # given
    caller = await make_caller(Team.SALES)
    taken = {"system": unique("erp"), "id": "1"}
    await create_account(await make_caller(Team.ADMIN), externalRefs=[taken])
    outbox_before = await last_outbox_id(pool)
    # when: rejected late, after the account row was inserted
    data = await caller.gql(CREATE_ACCOUNT, {"input": {"name": unique(), "externalRefs": [taken]}})
    # then
    assert problems(data["createAccount"]) == [("CONFLICT", ["input", "externalRefs", "0"])]
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE actor_id = $1", caller.user.id) == 0
    assert await last_outbox_id(pool) == outbox_before


async def test_update_account_audits_before_and_after(admin, pool):
    account = await create_account(admin)
    await admin.gql(
        UPDATE_ACCOUNT, {"input": {"id": account["id"], "expectedVersion": 1, "status": "CLOSED"}}
    )
    [audit] = await audit_rows(pool, account["id"], "updateAccount")
    assert audit["actor_id"] == admin.user.id
    assert (audit["before"]["status"], audit["before"]["version"]) == ("ACTIVE", 1)
    assert (audit["after"]["status"], audit["after"]["version"]) == ("CLOSED", 2)
    assert len(await outbox_rows(pool, account["id"])) == 2
