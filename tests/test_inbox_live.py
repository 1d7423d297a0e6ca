"""Subscription.inbox: new items arrive within a second across api processes, and resume with `after`."""

import asyncio
import json
import time

import pytest

from domain.teams import Team
from tests.conftest import serving
from tests.test_inbox import _uid
from tests.test_subscriptions import Live, _account, _post

SUBSCRIBE = (
    "subscription ($after: String) { inbox(after: $after) { id reason eventCursor entry { summary } } }"
)
NEWS = """
mutation ($a: ID!, $s: String!, $m: [ID!]) {
  logNews(input: {accountId: $a, category: DOWNSIZING, summary: $s, mentionIds: $m}) { entry { id } }
}
"""
SECRET = """
mutation ($a: ID!) {
  logNote(input: {accountId: $a, summary: "Restricted", visibility: RESTRICTED}) { entry { id } }
}
"""
OWNER = """
mutation ($a: ID!, $u: ID!) {
  setAccountOwner(input: {accountId: $a, team: SALES, userId: $u}) { account { id } }
}
"""


@pytest.fixture(scope="module")
def other_server(settings, tmp_path_factory):
    with serving(settings, tmp_path_factory.mktemp("inbox_other") / "serve.log") as (url, _):
        yield url


async def _subscribe(live: Live, after: str | None = None) -> None:
    payload = {"query": SUBSCRIBE, "variables": {"after": after}}
    await live.socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))


async def _next(live: Live, within: float) -> dict:
    message = json.loads(await asyncio.wait_for(live.socket.recv(), within))
    assert message["type"] == "next", message
    return message["payload"]["data"]["inbox"]


async def test_an_item_written_through_another_process_arrives_within_a_second_and_resumes(
    live_server, other_server, make_caller
):
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES)
    account = await _account(other_server, sam.token)
    live = await Live.open(live_server, sam.token)
    try:
        await live.acked()
        await _subscribe(live)
        await asyncio.sleep(0.3)  # the subscription starts from "now"
        # when: Ada mentions Sam through the other process
        started = time.monotonic()
        await _post(other_server, ada.token, NEWS, {"a": account, "s": "First", "m": [_uid(sam)]})
        first = await _next(live, within=5)
        # then
        assert time.monotonic() - started < 1.0
        assert first["reason"] == "MENTIONED"
        assert first["entry"]["summary"] == "First"
    finally:
        await live.close()
    # when: two more items arrive while Sam is away, one about a RESTRICTED note he may not see
    await _post(other_server, ada.token, OWNER, {"a": account, "u": _uid(sam)})
    await _post(other_server, ada.token, SECRET, {"a": account})
    await _post(other_server, ada.token, NEWS, {"a": account, "s": "Second", "m": [_uid(sam)]})
    await _post(other_server, ada.token, NEWS, {"a": account, "s": "Third", "m": None})
    live = await Live.open(live_server, sam.token)
    try:
        await live.acked()
        await _subscribe(live, after=first["eventCursor"])
        # then: exactly what he missed, in order, and nothing RESTRICTED
        replayed = [await _next(live, within=5) for _ in range(2)]
        assert [(i["entry"]["summary"], i["reason"]) for i in replayed] == [
            ("Second", "MENTIONED"),
            ("Third", "FOLLOWED_ACTIVITY"),
        ]
        assert await live.quiet(0.5)
    finally:
        await live.close()
