"""The index worker: drains the outbox into Meilisearch.

Each round claims a batch of outbox rows in a transaction, rebuilds their
documents from Postgres as they are now (a deleted row becomes a delete), sends
them to Meilisearch, waits for the task to succeed, and marks the rows done in
the same transaction. So nothing is lost: a crash or an outage rolls the claim
back and the rows wait. Meilisearch or Postgres unreachable pauses the whole
worker with a short capped backoff (rows untouched, so recovery is quick). Any
other failure belongs to some row of the batch: a document Meilisearch refuses,
or one we cannot build from what Postgres holds. Retrying the whole batch would
fail forever and hold back every row behind it, so the batch is split until the
failing rows stand alone; those are retried with exponential backoff and
reported as failing, never dropped, and the rest is indexed now. NOTIFY on the
timeline channel wakes the worker; a poll covers missed notifications. Rows of
live writes are claimed before bulk ones (store/outbox.py), in small rounds, so
a note never waits behind a feed's or a reindex's backlog.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from uuid import UUID

import asyncpg
from meilisearch_python_sdk import AsyncClient

from search.client import SearchUnavailable, is_outage
from search.documents import BUILDERS, document_id
from search.index import ensure_index, wait
from store import documents, outbox
from store.changes import NOTIFY_CHANNEL, RENAMED_ACCOUNT
from store.db import UNAVAILABLE, unavailable

log = logging.getLogger("rapport.worker")

# Meilisearch's cost per task is mostly fixed on a large index (measured on 1.2M documents:
# 2.0 s for 500 documents, 2.2 s for 5,000), so a backlog drains in big batches.
BATCH_SIZE = 5_000
# A round that carries live rows (store/outbox.py) stays small, so a note does not wait for thousands
# of bulk documents to be built and indexed with it.
LIVE_BATCH_SIZE = 500
POLL_SECONDS = 1.0
PAUSE_CAP_SECONDS = 5.0
ROW_BACKOFF_CAP_SECONDS = 300


async def _apply(conn: asyncpg.Connection, client: AsyncClient, uid: str, rows: list) -> None:
    wanted: dict[str, set[UUID]] = defaultdict(set)
    for row in rows:
        if row["entity_type"] == RENAMED_ACCOUNT:
            wanted["account"].add(row["entity_id"])
            for entity_type, ids in (await documents.account_ids_of(conn, row["entity_id"])).items():
                wanted[entity_type].update(ids)
        elif row["entity_type"] in BUILDERS:
            wanted[row["entity_type"]].add(row["entity_id"])
    upserts, deletes = [], []
    for entity_type, ids in wanted.items():
        live = await documents.rows_by_ids(conn, entity_type, list(ids))
        upserts += [BUILDERS[entity_type](row) for row in live]
        deletes += [document_id(entity_type, i) for i in ids - {row["id"] for row in live}]
    index = client.index(uid)
    if upserts:
        await wait(client, (await index.add_documents(upserts)).task_uid)
    if deletes:
        await wait(client, (await index.delete_documents(deletes)).task_uid)


async def _index(conn: asyncpg.Connection, client: AsyncClient, uid: str, rows: list) -> list[int]:
    """Index `rows`; returns the outbox ids done.

    A batch that fails for any reason but an outage is split in halves until what
    fails stands alone: that row backs off, and the rest of its batch is indexed now
    rather than waiting with it (they would be claimed together again, and fail
    together, forever). Each attempt runs in a savepoint, so a query that fails in
    Postgres leaves the claim usable.
    """
    try:
        async with conn.transaction():
            await _apply(conn, client, uid, rows)
    except Exception as error:
        if is_outage(error):
            raise SearchUnavailable(str(error)) from error
        if unavailable(error):
            raise
        if len(rows) > 1:
            half = len(rows) // 2
            return [
                *await _index(conn, client, uid, rows[:half]),
                *await _index(conn, client, uid, rows[half:]),
            ]
        row = rows[0]
        log.error("cannot index outbox row %d (%s)", row["id"], row["entity_type"], exc_info=error)
        reason = f"{type(error).__name__}: {error}"
        await outbox.retry_later(conn, [row["id"]], reason, ROW_BACKOFF_CAP_SECONDS)
        return []
    return [row["id"] for row in rows]


async def drain_once(pool: asyncpg.Pool, client: AsyncClient, uid: str, batch: int = BATCH_SIZE) -> list[int]:
    """Index one batch; returns the outbox ids done. SearchUnavailable leaves the rows as they were."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await outbox.claim(conn, batch, min(batch, LIVE_BATCH_SIZE))
        if not rows:
            return []
        done = await _index(conn, client, uid, rows)
        await outbox.finish(conn, done)
        return done


class Worker:
    """Runs drain rounds until stopped; several may run against one outbox."""

    def __init__(self, database_url: str, pool: asyncpg.Pool, client: AsyncClient, uid: str) -> None:
        self.database_url = database_url
        self.pool = pool
        self.client = client
        self.uid = uid
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        listener = await self._listen()
        pause = 0.5
        ready = False
        try:
            while not self.stopping.is_set():
                try:
                    if not ready:
                        await ensure_index(self.client, self.uid)
                        ready = True
                    done = await drain_once(self.pool, self.client, self.uid)
                    pause = 0.5
                except Exception as error:
                    if isinstance(error, SearchUnavailable) or is_outage(error):
                        log.warning("meilisearch unavailable, outbox waits %.1f s: %s", pause, error)
                    else:
                        log.exception("index round failed, retrying in %.1f s", pause)
                    await self._sleep(pause)
                    pause = min(pause * 2, PAUSE_CAP_SECONDS)
                    continue
                if not done:
                    await self._idle(POLL_SECONDS)
                    if listener is None or listener.is_closed():
                        listener = await self._listen()
        finally:
            if listener is not None and not listener.is_closed():
                await listener.close()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            connection = await asyncpg.connect(self.database_url)
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self.wake.set())
        except (*UNAVAILABLE, asyncpg.PostgresError) as error:
            log.warning("cannot LISTEN for changes, polling instead: %s", error)
            return None
        return connection

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), seconds)
        self.wake.clear()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
