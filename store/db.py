"""The connection pool, and the codecs every connection needs."""

import asyncpg
import orjson


async def _init_connection(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name,
            schema="pg_catalog",
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
        )


async def create_pool(database_url: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        command_timeout=30,
    )


async def schema_revision(pool: asyncpg.Pool) -> str | None:
    """The migration the database is at, or None before the first one."""
    exists = await pool.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
    if not exists:
        return None
    return await pool.fetchval("SELECT version_num FROM alembic_version")
