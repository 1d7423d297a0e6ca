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
OWNER = """
mutation ($a: ID!, $u: ID!) {
  setAccountOwner(input: {accountId: $a, team: AR, userId: $u}) { account { id } }
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


async def test_news_from_another_process_reaches_the_owner_within_a_second_and_resumes(
    live_server, other_server, make_caller
):
    """The journey's first step: SALES logs DOWNSIZING news, and Ada, the AR owner, hears of it live."""
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES)
    account = await _account(other_server, sam.token)
    await _post(other_server, sam.token, OWNER, {"a": account, "u": _uid(ada)})
    live = await Live.open(live_server, ada.token)
    try:
        await live.acked()
        await _subscribe(live)
        await asyncio.sleep(0.3)  # the subscription starts from "now"
        # when: Sam logs the news through the other api process
        started = time.monotonic()
        await _post(other_server, sam.token, NEWS, {"a": account, "s": "Closing the Leeds plant", "m": None})
        first = await _next(live, within=5)
        # then
        assert time.monotonic() - started < 1.0
        assert first["reason"] == "FOLLOWED_ACTIVITY"
        assert first["entry"]["summary"] == "Closing the Leeds plant"
    finally:
        await live.close()
    # when: two more items arrive while Ada is away
    await _post(other_server, sam.token, NEWS, {"a": account, "s": "Second", "m": [_uid(ada)]})
    await _post(other_server, sam.token, NEWS, {"a": account, "s": "Third", "m": None})
    live = await Live.open(live_server, ada.token)
    try:
        await live.acked()
        await _subscribe(live, after=first["eventCursor"])
        # then: exactly what she missed, in order, and nothing more
        replayed = [await _next(live, within=5) for _ in range(2)]
        assert [(i["entry"]["summary"], i["reason"]) for i in replayed] == [
            ("Second", "MENTIONED"),
            ("Third", "FOLLOWED_ACTIVITY"),
        ]
        assert await live.quiet(0.5)
    finally:
        await live.close()
