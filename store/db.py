"""The connection pool, the codecs every connection needs, and a per-request query count."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import asyncpg
import orjson

# The database is down, restarting, shutting a connection down or full: a retry may succeed. During a
# restart asyncpg reports the lost connection in several ways: the server's shutdown (57P01-57P03),
# a closed or broken connection, or a protocol state it cannot move on from (InternalClientError).
UNAVAILABLE = (
    OSError,
    TimeoutError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.IdleSessionTimeoutError,
    asyncpg.TooManyConnectionsError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def unavailable(error: BaseException) -> bool:
    """Whether a retry may succeed. asyncpg's DataError (an argument it cannot encode) subclasses
    InterfaceError like a closed connection does, but it is our bug: retrying never helps."""
    return isinstance(error, UNAVAILABLE) and not isinstance(error, asyncpg.DataError)


_query_counter: ContextVar[list[int] | None] = ContextVar("query_counter", default=None)


def _count_query(record: object) -> None:
    counter = _query_counter.get()
    if counter is not None:
        counter[0] += 1


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Count the SQL round trips of the code inside, for the request log and N+1 checks.

    asyncpg reports a finished query through loop.call_soon, so read the count
    after yielding to the event loop once.
    """
    counter = [0]
    token = _query_counter.set(counter)
    try:
        yield counter
    finally:
        _query_counter.reset(token)


async def _init_connection(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name,
            schema="pg_catalog",
            encoder=lambda v: orjson.dumps(v, default=str).decode(),
            decoder=orjson.loads,
        )
    connection.add_query_logger(_count_query)


class _Connection(asyncpg.Connection):
    """A pooled connection given back without asyncpg's reset query.

    That query (unlock advisory locks, CLOSE ALL, UNLISTEN *, RESET ALL) is a round
    trip on every release, two or three per request, and undoes nothing here: pooled
    connections never SET, LISTEN, lock or hold cursors outside a transaction. An open
    transaction is still rolled back on release; LISTEN uses connections of its own.
    """

    def get_reset_query(self) -> str:
        return ""


async def create_pool(
    database_url: str, *, min_size: int, max_size: int, plan_cache_mode: str = "force_custom_plan"
) -> asyncpg.Pool:
    """Queries with optional filters ("$1 IS NULL OR ...") need a plan made for the actual values,
    as a cached generic plan would scan where an index would seek: hence force_custom_plan. The
    second pool (compiled reads, token lookups) takes "auto": each of its statements reads one
    account, one id or one token, and planning it afresh would cost as much as running it.
    """
    return await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        connection_class=_Connection,
        command_timeout=30,
        server_settings={"plan_cache_mode": plan_cache_mode},
    )


async def schema_revision(pool: asyncpg.Pool) -> str | None:
    """The migration the database is at, or None before the first one."""
    exists = await pool.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
    if not exists:
        return None
    return await pool.fetchval("SELECT version_num FROM alembic_version")
