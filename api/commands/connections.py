"""How a command reaches its settings, Postgres and Meilisearch.

A configuration problem raises ConfigError, which the command line turns into
one sentence and exit status 2 instead of a traceback.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import asyncpg

from api import logs
from api import migrate as migrations
from api import settings as settings_module
from api.devstack import DevStack, meili_health, terminate_gracefully
from api.settings import ConfigError, Settings

CONNECT_TIMEOUT_SECONDS = 5.0


@contextlib.contextmanager
def stack(*, borrow: bool = True) -> Iterator[Settings]:
    with terminate_gracefully(), DevStack(borrow=borrow):
        yield load_settings()


def load_settings() -> Settings:
    settings = settings_module.load()
    logs.configure(json_lines=settings.log_json)
    return settings


@contextlib.asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    try:
        conn = await asyncpg.connect(settings.database_url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        raise ConfigError(
            f"DATABASE_URL does not lead to a Postgres that accepts us ({type(error).__name__}: "
            f"{error}); expected a reachable server and an existing database."
        ) from None
    try:
        yield conn
    finally:
        await conn.close()


def check_meili(settings: Settings) -> None:
    if not meili_health(settings.meili_url, timeout=CONNECT_TIMEOUT_SECONDS):
        raise ConfigError(
            f"MEILI_URL {settings.meili_url} does not answer /health; expected a running Meilisearch."
        )


async def check_schema(settings: Settings) -> None:
    async with connect(settings) as conn:
        exists = await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
        revision = await conn.fetchval("SELECT version_num FROM alembic_version") if exists else None
    if revision != migrations.head_revision():
        raise ConfigError(
            f"the database schema is at {revision or 'nothing'}, expected "
            f"{migrations.head_revision()}: run `rapport migrate` first."
        )


async def check_ready(settings: Settings) -> None:
    await check_schema(settings)
    check_meili(settings)


@contextlib.asynccontextmanager
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A small pool with the codecs the store functions expect, at the latest migration."""
    from store.db import create_pool

    await check_schema(settings)
    connections = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        yield connections
    finally:
        await connections.close()


def migrate_database(settings: Settings) -> None:
    """Upgrade after a quick connect, so that a bad DATABASE_URL is one sentence, not Alembic's traceback."""

    async def reachable() -> None:
        async with connect(settings):
            pass

    asyncio.run(reachable())
    migrations.upgrade(settings.database_url)
