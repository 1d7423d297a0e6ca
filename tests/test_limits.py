"""GraphQL limits: each refused before execution with an error naming it, and a query just under it runs."""

import asyncio
import json
import time

import pytest
import websockets

from api import settings as settings_module
from api.settings import ConfigError
from tests.conftest import app_client, serving

STRICT = {"Accept": "application/graphql-response+json"}
CREATE = 'mutation { createAccount(input: {name: "Limits"}) { account { id } } }'
# account > timeline > edges > node > account > timeline > ...: every level a field, every 4th a page of 1
CHAIN = ["timeline(first: 1)", "edges", "node", "account"]


def nested(levels: int) -> str:
    """A query whose deepest field is `levels` fields down, starting at account(id: $id)."""
    fields = ["account(id: $id)"] + [CHAIN[i % 4] for i in range(levels - 2)] + ["id"]
    assert fields[-2] in ("account(id: $id)", "node", "account")
    return "query ($id: ID!) { " + " { ".join(fields) + " }" * (levels - 1) + " }"


async def refused(caller, query: str, variables: dict | None = None) -> str:
    """The message of a request error: 400 under graphql-response+json, nothing executed."""
    started = time.monotonic()
    response = await caller.post(query, variables, **STRICT)
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body
    return body["errors"][0]["message"]


async def test_depth_12_runs_and_13_is_refused(admin):
    account = (await admin.gql(CREATE))["createAccount"]["account"]["id"]
    data = await admin.gql(nested(13), {"id": account})
    assert data["account"]["timeline"]["edges"] == []
    # when
    message = await refused(admin, nested(14), {"id": account})
    # then
    assert "exceeds maximum operation depth of 12" in message


async def test_30_aliases_run_and_31_are_refused(admin):
    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(count)) + " }"

    assert len(await admin.gql(aliased(30))) == 30
    assert "31 aliases found. Allowed: 30" in await refused(admin, aliased(31))


async def test_5000_tokens_run_and_5001_are_refused(admin):
    def tokens(count: int) -> str:
        # 22 tokens around the list, one per list item
        statuses = " ".join(["ACTIVE"] * (count - 22))
        return f"{{ accounts(first: 1, filter: {{status: [{statuses}]}}) {{ edges {{ cursor }} }} }}"

    assert "accounts" in await admin.gql(tokens(5000))
    assert "Document contains more than 5000 tokens" in await refused(admin, tokens(5001))


PAGES = "{ accounts(first: %d) { edges { node { timeline(first: 100) { edges { node { id } } } } } } }"


async def test_a_query_that_could_return_more_than_10000_nodes_is_refused(admin):
    message = await refused(admin, PAGES % 100)
    assert "up to 10,100 nodes" in message
    assert "query cost limit of 10,000" in message


async def test_a_query_just_under_the_cost_limit_runs(admin):
    data = await admin.gql(PAGES % 99)  # 99 + 99 * 100 = 9,999
    assert "edges" in data["accounts"]


async def test_the_cost_counts_variables_as_sent(admin):
    query = """
    query ($accounts: Int, $entries: Int = 100) {
      accounts(first: $accounts) { edges { node { timeline(first: $entries) { edges { cursor } } } } }
    }
    """
    assert "up to 10,100 nodes" in await refused(admin, query, {"accounts": 100})
    assert "accounts" in await admin.gql(query, {"accounts": 99})


async def test_the_cost_counts_argument_defaults_and_fragments(admin):
    # invoices defaults to 50: 100 + 100 * 50 + 100 * 50 * 2
    query = """
    { accounts(first: 100) { edges { node { ...Invoices } } } }
    fragment Invoices on Account { invoices { edges { node { timeline(first: 2) { edges { cursor } } } } } }
    """
    assert "up to 15,100 nodes" in await refused(admin, query)


async def test_first_beyond_the_page_cap_counts_as_the_cap(admin):
    message = await refused(admin, PAGES.replace("first: 100", "first: 100000") % 100)
    assert "up to 10,100 nodes" in message


async def test_a_fragment_bomb_is_refused_at_once(admin):
    # 10 levels of 3 spreads each: about 150,000 selections once expanded, from a few hundred tokens
    fragments = "\n".join(
        f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} ...F{i + 1} }}" for i in range(10)
    )
    query = "{ me { ...F0 } }\n" + fragments + "\nfragment F10 on User { id }"
    message = await refused(admin, query)
    assert "selections once its fragments are expanded" in message
    assert "token limit of 5,000" in message


async def test_fragments_nested_deeper_than_the_depth_limit_are_refused(admin):
    fragments = "\n".join(f"fragment F{i} on User {{ ...F{i + 1} }}" for i in range(600))
    query = "{ me { ...F0 } }\n" + fragments + "\nfragment F600 on User { id }"
    assert "nested more than 12 levels deep" in await refused(admin, query)


async def test_unknown_and_cyclic_fragments_are_request_errors(admin):
    assert await refused(admin, "{ me { ...Nope } }") == "Unknown fragment 'Nope'."
    cycle = "{ me { ...A } } fragment A on User { id ...B } fragment B on User { name ...A }"
    assert "Cannot spread fragment 'A' within itself" in await refused(admin, cycle)


async def test_introspection_is_on_in_development(admin):
    data = await admin.gql("{ __schema { queryType { name } } }")
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_without_introspection_it_is_refused_and_graphiql_is_not_served(settings, make_caller):
    caller = await make_caller()
    async with app_client(settings, introspection=False) as (_, client):
        caller.http = client
        message = await refused(caller, "{ __schema { queryType { name } } }")
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        typename = await caller.gql("{ __typename }")
    assert "introspection has been disabled" in message
    assert not page.headers["content-type"].startswith("text/html")
    assert typename == {"__typename": "Query"}


async def test_the_body_limit_is_a_setting(settings, make_caller):
    caller = await make_caller()
    async with app_client(settings, max_body_bytes=4096) as (_, client):
        caller.http = client
        small = await caller.post("{ me { email } }", {"padding": "x" * 3800})
        large = await caller.post("{ me { email } }", {"padding": "x" * 4100})
    assert small.status_code == 200, small.text
    assert large.status_code == 413
    assert large.json()["errors"][0]["message"] == "The request body is larger than the limit of 4 KiB."


async def test_subscriptions_obey_the_same_limits(settings, make_caller, tmp_path):
    caller = await make_caller()
    aliases = " ".join(f"a{i}: id" for i in range(31))
    with serving(settings, tmp_path / "serve.log") as (url, _):
        async with websockets.connect(
            url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10
        ) as socket:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {caller.token}"}}
            await socket.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
            query = f'subscription {{ timeline(accountId: "x") {{ {aliases} }} }}'
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert message["type"] == "error"
    assert message["payload"][0]["message"] == "31 aliases found. Allowed: 30"


def test_defaults_and_production(monkeypatch):
    for name in ("RAPPORT_MAX_DEPTH", "RAPPORT_MAX_ALIASES", "RAPPORT_MAX_TOKENS", "RAPPORT_MAX_COST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("RAPPORT_MAX_BODY_BYTES", raising=False)
    monkeypatch.delenv("RAPPORT_INTROSPECTION", raising=False)
    monkeypatch.setenv("RAPPORT_ENV", "development")
    development = settings_module.load()
    assert (development.max_depth, development.max_aliases, development.max_tokens) == (12, 30, 5000)
    assert (development.max_cost, development.max_body_bytes) == (10_000, 1024 * 1024)
    assert development.introspection is True
    monkeypatch.setenv("RAPPORT_ENV", "production")
    assert settings_module.load().introspection is False
    monkeypatch.setenv("RAPPORT_INTROSPECTION", "true")
    assert settings_module.load().introspection is True


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RAPPORT_MAX_DEPTH", "deep", "RAPPORT_MAX_DEPTH must be a whole number, got 'deep'."),
        ("RAPPORT_MAX_ALIASES", "-1", "RAPPORT_MAX_ALIASES must be between 0 and 1000, got -1."),
        ("RAPPORT_MAX_TOKENS", "10", "RAPPORT_MAX_TOKENS must be between 100 and 100000, got 10."),
        ("RAPPORT_MAX_COST", "0", "RAPPORT_MAX_COST must be between 1 and 10000000, got 0."),
        ("RAPPORT_MAX_BODY_BYTES", "1e9", "RAPPORT_MAX_BODY_BYTES must be a whole number, got '1e9'."),
        ("RAPPORT_INTROSPECTION", "maybe", "RAPPORT_INTROSPECTION must be true or false, got 'maybe'."),
    ],
)
def test_a_bad_limit_setting_is_one_sentence(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        settings_module.load()
    assert str(raised.value) == message
