"""Hub.shared: the subscribers of an account woken together read the rows once between them."""

import asyncio

import pytest

from schema.live import Hub


def hub() -> Hub:
    return Hub("postgresql://unused", pool=None, max_lag=10, max_per_user=10)


async def test_callers_asking_the_same_thing_at_once_share_one_load():
    loads = []
    release = asyncio.Event()

    async def load(cursor: int) -> list[int]:
        loads.append(cursor)
        await release.wait()
        return [cursor + 1]

    shared = hub()
    waiting = [asyncio.ensure_future(shared.shared(("events", 7), load, 7)) for _ in range(10)]
    other = asyncio.ensure_future(shared.shared(("events", 8), load, 8))
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == [[8]] * 10
    assert await other == [9]
    assert loads == [7, 8]
    # once it is done, the next ask loads afresh: nothing is cached beyond the moment
    assert await shared.shared(("events", 7), load, 7) == [8]
    assert loads == [7, 8, 7]


async def test_one_caller_going_away_does_not_cancel_the_load_for_the_others():
    release = asyncio.Event()

    async def load() -> str:
        await release.wait()
        return "rows"

    shared = hub()
    leaving = asyncio.ensure_future(shared.shared("key", load))
    staying = asyncio.ensure_future(shared.shared("key", load))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    assert await staying == "rows"
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_a_failed_load_fails_everyone_waiting_and_is_not_kept():
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        if calls == 1:
            raise ConnectionError("database gone")
        return "rows"

    shared = hub()
    first = await asyncio.gather(*(shared.shared("key", load) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in first)
    assert await shared.shared("key", load) == "rows"
    assert calls == 2
