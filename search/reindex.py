"""Rebuild the index from Postgres into a fresh index, then swap it in.

Searches keep hitting the live index until the swap, which Meilisearch does
atomically. Changes made while the copy runs are not lost: every entity the
outbox saw after the copy began is queued again once the swap is done, so the
worker brings the new index up to date.
"""

import time
from collections.abc import Callable

import asyncpg
from meilisearch_python_sdk import AsyncClient

from search.documents import BUILDERS
from search.index import ensure_index, wait
from store import documents, outbox

BATCH_SIZE = 10_000


async def reindex(
    pool: asyncpg.Pool, client: AsyncClient, uid: str, progress: Callable[[int], None] = lambda n: None
) -> int:
    """Build `uid` anew; returns the number of documents indexed. `progress` gets batch sizes."""
    fresh = f"{uid}_{int(time.time() * 1000)}"
    await ensure_index(client, uid)
    await ensure_index(client, fresh)
    async with pool.acquire() as conn:
        mark = await outbox.last_id(conn)
    total = 0
    tasks = []
    index = client.index(fresh)
    async with pool.acquire() as conn:
        for entity_type, build in BUILDERS.items():
            async for rows in documents.all_rows(conn, entity_type, BATCH_SIZE):
                tasks.append((await index.add_documents([build(row) for row in rows])).task_uid)
                total += len(rows)
                progress(len(rows))
    for task in tasks:
        await wait(client, task, timeout_ms=600_000)
    await wait(client, (await client.swap_indexes([(uid, fresh)])).task_uid)
    await wait(client, (await client.index(fresh).delete()).task_uid)
    async with pool.acquire() as conn:
        await outbox.requeue_since(conn, mark)
    return total


async def document_counts(client: AsyncClient, uid: str) -> dict[str, int]:
    """Documents in the live index, by type."""
    result = await client.index(uid).search("", limit=0, facets=["type"])
    return {t.lower(): n for t, n in (result.facet_distribution or {}).get("type", {}).items()}
