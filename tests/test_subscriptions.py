"""Live timeline over graphql-transport-ws, with a real websocket client and real api processes."""

import asyncio
import json
import signal
import uuid

import httpx
import pytest
import websockets

from domain.teams import Team
from domain.tokens import token_hash
from schema import pagination
from store import users
from tests.conftest import serving

SUBSCRIBE = """
subscription ($account: ID!, $after: String) {
  timeline(accountId: $account, after: $after) { id kind summary visibility eventCursor }
}
"""
CREATE = "mutation ($name: String!) { createAccount(input: {name: $name}) { account { id } } }"
ACCOUNT_WITH_REF = """
mutation ($ref: String!) {
  createAccount(input: {name: "Burst", externalRefs: [{system: "erp", id: $ref}]}) { account { id } }
}
"""
INVOICES = "mutation ($input: [InvoiceUpsertInput!]!) { upsertInvoices(input: $input) { created } }"
NOTE = """
mutation ($account: ID!, $summary: String!, $visibility: Visibility) {
  logNote(input: {accountId: $account, summary: $summary, visibility: $visibility}) { entry { id } }
}
"""


class Live:
    """A minimal graphql-transport-ws client."""

    def __init__(self, socket) -> None:
        self.socket = socket

    @classmethod
    async def open(cls, url: str, token: str | None) -> "Live":
        socket = await websockets.connect(
            url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10
        )
        await socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"} if token else {}}
            )
        )
        return cls(socket)

    async def acked(self) -> None:
        assert json.loads(await asyncio.wait_for(self.socket.recv(), 10))["type"] == "connection_ack"

    async def subscribe(self, account: str, after: str | None = None) -> None:
        await self.socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"account": account, "after": after}},
                }
            )
        )

    async def next(self, within: float = 10) -> dict:
        message = json.loads(await asyncio.wait_for(self.socket.recv(), within))
        assert message["type"] == "next", message
        return message["payload"]["data"]["timeline"]

    async def quiet(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.socket.recv(), seconds)
        except TimeoutError:
            return True
        return False

    async def close_code(self, within: float = 15) -> int:
        """Read until the server closes the connection; its close code."""
        try:
            while True:
                await asyncio.wait_for(self.socket.recv(), within)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code

    async def close(self) -> None:
        await self.socket.close()


@pytest.fixture(scope="module")
def second_server(settings, tmp_path_factory):
    with serving(settings, tmp_path_factory.mktemp("second") / "serve.log") as (url, _):
        yield url


async def _post(url: str, token: str, query: str, variables: dict) -> dict:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _account(url: str, token: str) -> str:
    return (await _post(url, token, CREATE, {"name": f"Live {uuid.uuid4().hex[:8]}"}))["createAccount"][
        "account"
    ]["id"]


async def _note(url: str, token: str, account: str, summary: str, visibility: str = "ALL_TEAMS") -> str:
    data = await _post(url, token, NOTE, {"account": account, "summary": summary, "visibility": visibility})
    return data["logNote"]["entry"]["id"]


async def test_a_note_logged_through_another_api_process_arrives(live_server, second_server, make_caller):
    ar = await make_caller(Team.AR)
    account = await _account(live_server, ar.token)
    live = await Live.open(live_server, ar.token)
    try:
        await live.acked()
        await live.subscribe(account)
        await asyncio.sleep(0.3)  # the subscription starts from "now"
        # when
        note = await _note(second_server, ar.token, account, "Closing the Leeds plant in Q1")
        # then
        entry = await live.next(within=5)
        assert entry["id"] == note
        assert entry["summary"] == "Closing the Leeds plant in Q1"
        assert entry["eventCursor"]
    finally:
        await live.close()


async def test_reconnecting_with_after_replays_exactly_the_missed_events_in_order(
    live_server, second_server, make_caller
):
    ar = await make_caller(Team.AR)
    account = await _account(live_server, ar.token)
    live = await Live.open(live_server, ar.token)
    await live.acked()
    await live.subscribe(account)
    await asyncio.sleep(0.3)
    first = await _note(second_server, ar.token, account, "seen")
    seen = await live.next()
    assert seen["id"] == first
    await live.close()
    # when: three notes while disconnected
    missed = [await _note(second_server, ar.token, account, f"missed {i}") for i in range(3)]
    again = await Live.open(live_server, ar.token)
    try:
        await again.acked()
        await again.subscribe(account, after=seen["eventCursor"])
        replayed = [await again.next() for _ in missed]
        # then
        assert [e["id"] for e in replayed] == missed
        assert await again.quiet(1.0)  # no duplicates follow
        later = await _note(live_server, ar.token, account, "after the replay")
        assert (await again.next())["id"] == later
    finally:
        await again.close()


async def test_a_sales_subscriber_never_receives_a_restricted_entry(live_server, make_caller):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    account = await _account(live_server, ar.token)
    live = await Live.open(live_server, sales.token)
    try:
        await live.acked()
        await live.subscribe(account)
        await asyncio.sleep(0.3)
        await _note(live_server, ar.token, account, "legal review before agency referral", "RESTRICTED")
        shared = await _note(live_server, ar.token, account, "called, promised to pay Friday")
        assert (await live.next())["id"] == shared
    finally:
        await live.close()


async def test_an_unauthenticated_connection_is_refused(live_server, make_caller):
    for token in (None, "rpt_not-a-token"):
        live = await Live.open(live_server, token)
        assert await live.close_code() == 4403


async def test_a_bad_subscription_gets_the_same_error_codes_as_http(live_server, make_caller):
    ar = await make_caller(Team.AR)
    live = await Live.open(live_server, ar.token)
    await live.acked()

    async def send(operation: str, query: str, variables: dict) -> None:
        payload = {"query": query, "variables": variables}
        await live.socket.send(json.dumps({"id": operation, "type": "subscribe", "payload": payload}))

    try:
        for operation, query, variables, code in (
            ("valid", "subscription { timeline(accountId: 1) { nope } }", {}, "GRAPHQL_VALIDATION_FAILED"),
            ("input", SUBSCRIBE, {"account": ["not", "an", "id"]}, "BAD_USER_INPUT"),
        ):
            await send(operation, query, variables)
            message = json.loads(await asyncio.wait_for(live.socket.recv(), 10))
            assert (message["id"], message["type"]) == (operation, "error"), message
            assert message["payload"][0]["extensions"]["code"] == code, message
        # a document that does not parse closes the connection, as graphql-transport-ws says
        await send("parse", "subscription { timeline(", {})
        assert await live.close_code() == 4400
    finally:
        await live.close()


async def test_a_revoked_token_ends_the_subscription(live_server, make_caller, pool):
    ar = await make_caller(Team.AR)
    account = await _account(live_server, ar.token)
    live = await Live.open(live_server, ar.token)
    await live.acked()
    await live.subscribe(account)
    await asyncio.sleep(0.3)
    # when
    async with pool.acquire() as conn:
        await users.revoke_token(conn, digest=token_hash(ar.token))
    # then: the next look around (a poll or an event) ends it
    assert await live.close_code(within=15) == 4401


async def test_a_subscriber_that_falls_too_far_behind_is_cut_off(settings, tmp_path, make_caller):
    ar = await make_caller(Team.AR)
    ref = uuid.uuid4().hex
    with serving(settings, tmp_path / "serve.log", RAPPORT_SUBSCRIPTION_MAX_LAG="5") as (url, _):
        account = (await _post(url, ar.token, ACCOUNT_WITH_REF, {"ref": ref}))["createAccount"]["account"][
            "id"
        ]
        live = await Live.open(url, ar.token)
        await live.acked()
        await live.subscribe(account)
        await asyncio.sleep(0.3)
        # when: one ERP push lands twelve status entries at once, more than it may lag behind
        await _post(
            url,
            ar.token,
            INVOICES,
            {
                "input": [
                    {
                        "externalRef": {"system": "erp", "id": f"{ref}-{i}"},
                        "accountRef": {"system": "erp", "id": ref},
                        "number": f"B-{i}",
                        "issuedOn": "2026-01-01",
                        "dueOn": "2026-02-01",
                        "currency": "EUR",
                        "total": "10.00",
                        "balance": "10.00",
                        "status": "OPEN",
                    }
                    for i in range(12)
                ]
            },
        )
        # then
        assert await live.close_code() == 4008


async def test_subscribers_get_a_proper_close_when_the_server_stops(settings, tmp_path, make_caller):
    ar = await make_caller(Team.AR)
    with serving(settings, tmp_path / "serve.log") as (url, process):
        account = await _account(url, ar.token)
        live = await Live.open(url, ar.token)
        await live.acked()
        await live.subscribe(account)
        await asyncio.sleep(0.3)
        # when
        process.send_signal(signal.SIGTERM)
        # then
        assert await live.close_code(within=20) in (1001, 1012)
        assert await asyncio.to_thread(process.wait, 20) == 0


async def test_subscriptions_are_capped_per_connection_and_per_user(settings, tmp_path, make_caller):
    ar = await make_caller(Team.AR)
    limits = {"RAPPORT_SUBSCRIPTIONS_PER_CONNECTION": "2", "RAPPORT_SUBSCRIPTIONS_PER_USER": "3"}
    with serving(settings, tmp_path / "serve.log", **limits) as (url, _):
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ar.token}"}) as http:
            created = await http.post("/graphql", json={"query": CREATE, "variables": {"name": "Capped"}})
            account = created.json()["data"]["createAccount"]["account"]["id"]

            # From a cursor, so a note logged before the subscription has started still arrives.
            async def subscribe(live: Live, operation: str, after: str = pagination.encode(0)) -> None:
                payload = {"query": SUBSCRIBE, "variables": {"account": account, "after": after}}
                await live.socket.send(json.dumps({"id": operation, "type": "subscribe", "payload": payload}))

            async def received(live: Live) -> dict:
                return json.loads(await asyncio.wait_for(live.socket.recv(), 10))

            first = await Live.open(url, ar.token)
            await first.acked()
            for operation in ("a", "b", "c"):
                await subscribe(first, operation)
            # the third on one connection is refused at once
            refused = await received(first)
            assert (refused["id"], refused["type"]) == ("c", "error")
            # the two others are live
            await http.post(
                "/graphql", json={"query": NOTE, "variables": {"account": account, "summary": "one"}}
            )
            delivered = [await received(first) for _ in range(2)]
            assert sorted(message["id"] for message in delivered) == ["a", "b"]
            # when: the same user opens a second connection
            second = await Live.open(url, ar.token)
            await second.acked()
            await subscribe(second, "d", after=delivered[0]["payload"]["data"]["timeline"]["eventCursor"])
            await http.post(
                "/graphql", json={"query": NOTE, "variables": {"account": account, "summary": "two"}}
            )
            assert (await received(second))["id"] == "d"
            await subscribe(second, "e")
            # then: the user's fourth is refused with a clear error
            over = await received(second)
            assert over["id"] == "e"
            errors = over["payload"] if over["type"] == "error" else over["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
            assert "At most 3 live subscriptions per user" in errors[0]["message"]
            await first.close()
            await second.close()
