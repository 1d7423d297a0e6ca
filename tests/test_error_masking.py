"""A real failure in a real request, over HTTP and over the websocket: the client learns nothing of it.

The failure is Postgres's own: the API runs with lock_timeout set in its
DATABASE_URL while the test holds a lock on the accounts table, so reading an
account fails with an error the code does not expect. Nothing is mocked.
"""

import asyncio
import contextlib
import json
import logging
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import websockets

from tests.conftest import app_client, serving

CREATE = 'mutation { createAccount(input: {name: "Masking"}) { account { id } } }'
# What the Postgres error, its SQL or a traceback would bring along
LEAKS = ("lock", "LockNotAvailable", "SELECT", "FROM", "Traceback", 'File "', ".py", "asyncpg", "postgres")


def with_lock_timeout(url: str) -> str:
    """asyncpg passes unknown DSN parameters to the server as settings."""
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, "lock_timeout=200"]))
    return urlunsplit(parts._replace(query=query))


@contextlib.asynccontextmanager
async def accounts_locked(pool):
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        yield


def assert_nothing_leaks(text: str) -> None:
    for leak in LEAKS:
        assert leak.lower() not in text.lower(), leak


async def test_an_unexpected_error_over_http_is_masked_with_the_request_id(
    settings, make_caller, pool, caplog
):
    caller = await make_caller()
    caplog.set_level(logging.ERROR, logger="rapport.errors")
    locking = with_lock_timeout(settings.database_url)
    async with app_client(settings, database_url=locking) as (_, client), accounts_locked(pool):
        # when
        response = await client.post(
            "/graphql",
            json={"query": "{ accounts(first: 1) { edges { cursor } } }"},
            headers={"Authorization": f"Bearer {caller.token}"},
        )
    # then
    request_id = response.headers["x-request-id"]
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert_nothing_leaks(response.text)
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None


async def test_an_unexpected_error_in_a_subscription_is_masked(settings, admin, pool, tmp_path):
    account = (await admin.gql(CREATE))["createAccount"]["account"]["id"]
    log = tmp_path / "serve.log"
    with serving(replace(settings, database_url=with_lock_timeout(settings.database_url)), log) as (url, _):
        async with websockets.connect(
            url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10
        ) as socket:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {admin.token}"}}
            await socket.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
            query = f'subscription {{ timeline(accountId: "{account}") {{ id }} }}'
            async with accounts_locked(pool):
                # when
                await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
                message = await asyncio.wait_for(socket.recv(), 10)
    # then
    payload = json.loads(message)["payload"]
    errors = payload if isinstance(payload, list) else payload["errors"]
    assert errors[0]["message"] == "Internal server error."
    assert errors[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert_nothing_leaks(message)
    assert errors[0]["extensions"]["requestId"] in log.read_text()
    assert "LockNotAvailableError" in log.read_text()
