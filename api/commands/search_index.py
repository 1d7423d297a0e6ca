"""`rapport worker`, `rapport reindex` and `rapport search status`: Meilisearch in step with Postgres."""

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import click

from api.commands.connections import check_meili, check_ready, stack
from api.settings import Settings


@contextlib.asynccontextmanager
async def _search_parts(settings: Settings) -> AsyncIterator[tuple]:
    """A pool, a Meilisearch client and the index name, for the search commands."""
    from search.client import create_client
    from search.index import index_name
    from store.db import create_pool

    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    client = create_client(
        settings.meili_url, settings.meili_master_key, max(settings.meili_timeout_seconds, 30)
    )
    try:
        yield pool, client, index_name(settings.meili_index_prefix)
    finally:
        await client.aclose()
        await pool.close()


@click.command()
def worker() -> None:
    """Drain the outbox into Meilisearch, notice broken promises, plan dunning, deliver messages; until
    SIGTERM or Ctrl-C."""

    from jobs.mail import Mailer
    from jobs.runner import JobRunner
    from search.worker import Worker

    async def run(settings: Settings) -> None:
        await check_ready(settings)
        async with _search_parts(settings) as (pool, client, uid):
            index_worker = Worker(settings.database_url, pool, client, uid)
            mailer = Mailer.from_url(settings.smtp_url, settings.mail_from) if settings.smtp_url else None
            jobs = JobRunner(pool, mailer, settings.public_url)
            loop = asyncio.get_running_loop()

            def stop() -> None:
                index_worker.stop()
                jobs.stop()

            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop)
            click.echo(f"indexing into {uid}; Ctrl-C stops")
            await asyncio.gather(index_worker.run(), jobs.run())

    with stack() as settings:
        asyncio.run(run(settings))


@click.command()
def reindex() -> None:
    """Rebuild the search index from Postgres and swap it in; searches keep working."""
    from search.reindex import reindex as rebuild
    from store.documents import count_rows

    async def run(settings: Settings) -> int:
        check_meili(settings)
        async with _search_parts(settings) as (pool, client, uid):
            async with pool.acquire() as conn:
                expected = sum((await count_rows(conn)).values())
            with click.progressbar(length=expected, label="indexing", show_pos=True, show_eta=True) as bar:
                return await rebuild(pool, client, uid, bar.update)

    with stack() as settings:
        total = asyncio.run(run(settings))
    click.echo(f"indexed {total} documents and swapped the new index in")


@click.group(name="search")
def search_group() -> None:
    """The search index."""


@search_group.command(name="status")
def search_status() -> None:
    """Outbox depth and age, failing rows, and index counts beside Postgres counts."""
    from search.reindex import document_counts
    from store.documents import count_rows
    from store.outbox import status

    async def run(settings: Settings) -> None:
        async with _search_parts(settings) as (pool, client, uid):
            async with pool.acquire() as conn:
                queue = await status(conn)
                rows = await count_rows(conn)
            try:
                indexed = await document_counts(client, uid)
            except Exception as error:
                indexed = None
                click.echo(f"meilisearch: unavailable ({type(error).__name__})")
        age = (datetime.now(UTC) - queue.oldest_pending_at).total_seconds() if queue.oldest_pending_at else 0
        click.echo(f"outbox: {queue.pending} pending, oldest {age:.1f} s, {queue.failing} failing")
        if queue.last_error:
            click.echo(f"last error: {queue.last_error}")
        click.echo(f"{'type':<10}{'postgres':>12}{'index':>12}")
        for entity_type, count in rows.items():
            in_index = "?" if indexed is None else indexed.get(entity_type, 0)
            click.echo(f"{entity_type:<10}{count:>12}{in_index:>12}")

    with stack() as settings:
        asyncio.run(run(settings))
