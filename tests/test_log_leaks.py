"""Nothing a client sends reaches the log: card numbers, IBANs, tokens, free text, in any kind of request.

A real `rapport serve` in production mode, in both log formats, gets each kind of
request with the secrets in it (POST, GET, websocket, a parse error, a
validation error, a variable that does not coerce, resolver errors, a server
error whose Postgres message quotes the row, a 413, a bad token, bad JSON), and
its whole output, uvicorn's access log included, is searched for them. The
server error is Postgres's own: a trigger refuses notes carrying a marker and
quotes their summary in its message.
"""

import asyncio
import contextlib
import json
import uuid
from urllib.parse import urlencode

import httpx
import pytest
import websockets

from tests.conftest import serving

CARD = "4111 1111 1111 1111"
IBAN = "GB82 WEST 1234 5698 7654 32"
FREE_TEXT = "the CFO whispered the merger codename Bluefinch"
STOLEN_TOKEN = "rpt_Stolen9fQx2LmZtW7vKc4hJdNs8aPbYeRu"
SECRET = f"card {CARD}, iban {IBAN}, token {STOLEN_TOKEN}: {FREE_TEXT}"
# What must appear in no log line, in any spelling the request used
NEEDLES = (
    CARD,
    CARD.replace(" ", ""),
    IBAN,
    IBAN.replace(" ", ""),
    STOLEN_TOKEN,
    "Bluefinch",
    "CFO whispered",
)
JSON = "application/json"
CREATE = "mutation ($n: String!) { createAccount(input: {name: $n}) { account { id } } }"
NOTE = (
    "mutation Note($a: ID!, $s: String!) "
    "{ logNote(input: {accountId: $a, summary: $s}) { entry { id } userErrors { code } } }"
)


def literal(text: str) -> str:
    return json.dumps(text)


@contextlib.asynccontextmanager
async def notes_refused(pool, marker: str):
    """A trigger that fails inserting a note whose summary has `marker`, quoting the summary."""
    name = f"refuse_{uuid.uuid4().hex[:8]}"
    async with pool.acquire() as conn:
        await conn.execute(
            f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.summary LIKE '%{marker}%' THEN
                RAISE EXCEPTION 'refused: %', NEW.summary USING DETAIL = NEW.summary;
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION {name}();
            """
        )
    try:
        yield
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP TRIGGER {name} ON entries; DROP FUNCTION {name}();")


async def every_kind_of_request(url: str, token: str, account: str, marker: str) -> dict[str, str]:
    """Sends the secrets every way; returns the request ids of the client errors and the server error."""
    auth = {"Authorization": f"Bearer {token}"}
    ids: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=url, headers=auth) as client:

        async def post(name: str, body: dict | bytes) -> httpx.Response:
            if isinstance(body, bytes):
                response = await client.post("/graphql", content=body, headers={"Content-Type": JSON})
            else:
                response = await client.post("/graphql", json=body)
            ids[name] = response.headers.get("x-request-id", "")
            return response

        async def refused(name: str, body: dict | bytes) -> list:
            return (await post(name, body)).json()["errors"]

        # a write that works, secrets in the variables
        ok = await post("ok", {"query": NOTE, "variables": {"a": account, "s": SECRET}})
        assert ok.json()["data"]["logNote"]["entry"]["id"]
        # a validation error: the secrets are literals in a document with an unknown field
        note = f"accountId: {literal(account)}, summary: {literal(SECRET)}"
        assert await refused("validation", {"query": f"mutation {{ logNote(input: {{{note}}}) {{ nope }} }}"})
        # a parse error: the document ends inside the secret
        assert await refused("parse", {"query": f"mutation {{ logNote(input: {{summary: {literal(SECRET)}"})
        # a variable that does not coerce: graphql-core quotes its value
        coerce = "query ($n: Int) { accounts(first: $n) { edges { cursor } } }"
        assert await refused("coercion", {"query": coerce, "variables": {"n": SECRET}})
        # resolver errors: a bad id and a bad cursor
        assert await refused("bad_id", {"query": f"{{ node(id: {literal(SECRET)}) {{ id }} }}"})
        cursor = f"{{ accounts(after: {literal(SECRET)}) {{ edges {{ cursor }} }} }}"
        assert await refused("bad_cursor", {"query": cursor})
        # a server error: Postgres refuses the row and quotes it
        failing = await refused(
            "server", {"query": NOTE, "variables": {"a": account, "s": f"{marker} {SECRET}"}}
        )
        assert failing[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        # GET: the query string carries the document and the variables
        both = (
            "query ($n: String) { accounts(filter: {nameContains: $n}) { edges { cursor } } "
            f"other: accounts(filter: {{nameContains: {literal(SECRET)}}}) {{ edges {{ cursor }} }} }}"
        )
        get = await client.get("/graphql", params={"query": both, "variables": json.dumps({"n": SECRET})})
        assert get.status_code == 200, get.text
        get_error = await client.get("/graphql", params={"query": f"{{ nope(x: {literal(SECRET)}) }}"})
        assert get_error.json()["errors"]
        # 413: the body is over RAPPORT_MAX_BODY_BYTES
        big = json.dumps({"query": NOTE, "variables": {"a": account, "s": SECRET * 100}}).encode()
        assert (await post("too_large", big)).status_code == 413
        # a body that is not JSON
        assert await refused("bad_json", SECRET.encode())
        # a token that is not ours
        stranger = await client.post(
            "/graphql",
            json={"query": "{ me { email } }"},
            headers={"Authorization": f"Bearer {STOLEN_TOKEN}"},
        )
        assert stranger.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    ws_url = url.replace("http", "ws") + "/graphql"
    # a websocket whose URL carries a token, subscribing with the secrets as literals and as variables
    async with websockets.connect(
        f"{ws_url}?{urlencode({'token': STOLEN_TOKEN, 'note': SECRET})}",
        subprotocols=["graphql-transport-ws"],
        open_timeout=10,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": auth}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        bad = f"subscription {{ timeline(accountId: {literal(SECRET)}) {{ id nope }} }}"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": bad}}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "error"
        by_variable = {
            "query": "subscription ($a: ID!) { timeline(accountId: $a) { id } }",
            "variables": {"a": SECRET},
        }
        await socket.send(json.dumps({"id": "2", "type": "subscribe", "payload": by_variable}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] in ("error", "next")
    # a websocket with a token that is not ours
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {STOLEN_TOKEN}"}}
        await socket.send(json.dumps(init))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 10)
    return ids


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_no_secret_reaches_any_log_line(settings, admin, pool, tmp_path, log_format):
    account = (await admin.gql(CREATE, {"n": f"Leak check {uuid.uuid4().hex[:6]}"}))["createAccount"][
        "account"
    ]["id"]
    marker = f"fault{uuid.uuid4().hex[:8]}"
    log = tmp_path / "serve.log"
    env = {"RAPPORT_ENV": "production", "RAPPORT_LOG_FORMAT": log_format, "RAPPORT_MAX_BODY_BYTES": "4096"}
    async with notes_refused(pool, marker):
        with serving(settings, log, **env) as (url, process):
            ids = await every_kind_of_request(url, admin.token, account, marker)
            process.terminate()
            process.wait(20)
    text = log.read_text()
    lines = text.splitlines()
    # then: the server did log the requests, uvicorn's access lines included
    assert any('"GET /graphql' in line for line in lines), text
    assert sum(ids["ok"] in line for line in lines) >= 1
    # and none of the secrets is in any line
    for needle in (*NEEDLES, admin.token):
        assert needle not in text, f"{needle!r} is in the log:\n{text}"
    # and only the server's failure is an error, logged with its request id and the type of what failed
    errors = [
        line for line in lines if (" ERROR " in line if log_format == "text" else '"level":"error"' in line)
    ]
    assert len(errors) == 1, text
    assert ids["server"] in errors[0]
    assert "RaiseError" in text
    # and a client's mistake is one line without a traceback
    for name in ("validation", "parse", "coercion", "bad_id", "bad_cursor"):
        client_lines = [line for line in lines if ids[name] in line and "client error" in line]
        assert len(client_lines) == 1, (name, text)
        assert "Traceback" not in client_lines[0]
    if log_format == "json":
        assert all(json.loads(line) for line in lines)
