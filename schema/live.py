"""Live delivery of timelines and inboxes: one LISTEN connection per process, the logs as the truth.

A NOTIFY only says "account X changed" (or "user Y's inbox grew", payload
`inbox:<user id>`): it wakes that stream's subscribers,
who then read the event log from their own cursor. So a dropped notification,
a restart, or a write made through another process loses nothing; the next
wake-up or the periodic poll reads whatever is new. Delivery is pulled: a
subscriber reads its next batch only once the last one was sent, so nothing
piles up in memory for a slow client; one that falls more than max_lag events
behind the head of its stream is cut off, and resumes with its cursor.

A stream is an account's timeline (keyed by the account id, read from
store/events.py) or a user's inbox (keyed by ("inbox", user id), read from
store/inbox.py); both are numbered logs, so one mechanism serves both.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

import asyncpg

from store import events, inbox
from store.changes import NOTIFY_CHANNEL
from store.db import UNAVAILABLE

log = logging.getLogger("rapport.live")

POLL_SECONDS = 5.0  # read anyway this often, in case a notification went missing
T = TypeVar("T")
# Reads a stream's log: (conn, cursor, limit) -> the next records, each with its "seq".
Read = Callable[[asyncpg.Connection, int, int], Awaitable[list[asyncpg.Record]]]


def inbox_key(user_id: UUID) -> tuple[str, UUID]:
    return ("inbox", user_id)


class TooSlow(Exception):
    """The subscriber fell more than max_lag events behind its stream."""


class Closing(Exception):
    """The server is shutting down."""


@dataclass
class _Stream:
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    subscribers: int = 0


async def _first(*waits: Coroutine) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


class Hub:
    """Wakes the subscribers of a stream (an account's timeline, a user's inbox) when its log grows."""

    def __init__(self, database_url: str, pool: asyncpg.Pool, max_lag: int, max_per_user: int) -> None:
        self.database_url = database_url
        self.pool = pool
        self.max_lag = max_lag
        self.max_per_user = max_per_user
        self.streams: dict[Hashable, _Stream] = defaultdict(_Stream)
        self.per_user: dict[UUID, int] = defaultdict(int)
        self.closing = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._keeper: asyncio.Task | None = None
        self._loading: dict[Hashable, asyncio.Future] = {}

    @property
    def subscriptions(self) -> int:
        return sum(s.subscribers for s in self.streams.values())

    async def start(self) -> None:
        self._keeper = asyncio.create_task(self._keep_listening(), name="timeline listener")

    async def stop(self) -> None:
        self.closing.set()
        for stream in self.streams.values():
            stream.changed.set()
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()

    async def _keep_listening(self) -> None:
        """Hold one LISTEN connection, reconnecting after a drop; polling covers the gap."""
        while not self.closing.is_set():
            try:
                lost = asyncio.Event()
                self._listener = await asyncpg.connect(self.database_url)
                self._listener.add_termination_listener(lambda _, lost=lost: lost.set())
                await self._listener.add_listener(NOTIFY_CHANNEL, self._notified)
                self._wake_everyone()  # whatever happened while we were not listening
                await _first(lost.wait(), self.closing.wait())
            except (*UNAVAILABLE, asyncpg.PostgresError) as error:
                log.warning("cannot LISTEN for timeline changes, polling meanwhile: %s", error)
                await asyncio.sleep(1)

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            if payload.startswith(inbox.INBOX_PREFIX):
                self._wake(inbox_key(UUID(payload.removeprefix(inbox.INBOX_PREFIX))))
            else:
                self._wake(UUID(payload))

    def _wake(self, key: Hashable) -> None:
        stream = self.streams.get(key)
        if stream is not None:
            woken, stream.changed = stream.changed, asyncio.Event()
            woken.set()

    def _wake_everyone(self) -> None:
        for key in list(self.streams):
            self._wake(key)

    async def shared(self, key: Hashable, load: Callable[..., Awaitable[T]], *args: object) -> T:
        """One load for all who ask for the same `key` while it runs.

        A notification wakes every subscriber of the account at once, and each would
        read the same events and entries: with 10 subscribers on an account, that was
        10 identical reads per note. The load is shielded, so a subscriber that goes
        away does not cancel it for the others.
        """
        running = self._loading.get(key)
        if running is None:
            running = asyncio.ensure_future(load(*args))
            self._loading[key] = running
            running.add_done_callback(
                lambda done: self._loading.pop(key, None) if self._loading.get(key) is done else None
            )
        return await asyncio.shield(running)

    async def _since(self, read: Read, cursor: int) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return await read(conn, cursor, self.max_lag + 1)

    async def latest(self, account_id: UUID) -> int:
        async with self.pool.acquire() as conn:
            return await events.latest(conn, account_id)

    async def latest_in_inbox(self, user_id: UUID) -> int:
        async with self.pool.acquire() as conn:
            return await inbox.latest(conn, user_id)

    def follow(self, account_id: UUID, after: int) -> AsyncIterator[list[asyncpg.Record]]:
        """The account's timeline events after `after` (see _follow)."""

        async def read(conn: asyncpg.Connection, cursor: int, limit: int) -> list[asyncpg.Record]:
            return await events.since(conn, account_id, cursor, limit)

        return self._follow(account_id, after, read)

    def follow_inbox(self, user_id: UUID, after: int) -> AsyncIterator[list[asyncpg.Record]]:
        """The user's inbox items after `after` (see _follow)."""

        async def read(conn: asyncpg.Connection, cursor: int, limit: int) -> list[asyncpg.Record]:
            return await inbox.since(conn, user_id, cursor, limit)

        return self._follow(inbox_key(user_id), after, read)

    async def _follow(self, key: Hashable, after: int, read: Read) -> AsyncIterator[list[asyncpg.Record]]:
        """Batches of a stream's new records after `after`, in order, as they are committed; forever.

        An empty batch now and then (each poll) lets the subscriber look around,
        e.g. check that its token is still valid.
        """
        stream = self.streams[key]
        stream.subscribers += 1
        try:
            cursor = after
            while not self.closing.is_set():
                waiter = stream.changed  # taken before reading, so no wake-up is lost
                batch = await self.shared(("events", key, cursor), self._since, read, cursor)
                if len(batch) > self.max_lag:
                    raise TooSlow
                if batch:
                    cursor = batch[-1]["seq"]
                    yield batch
                    continue
                try:
                    await asyncio.wait_for(waiter.wait(), POLL_SECONDS)
                except TimeoutError:
                    yield []
            raise Closing
        finally:
            stream.subscribers -= 1
            if stream.subscribers == 0 and self.streams.get(key) is stream:
                del self.streams[key]
