"""The one transaction policy every writer shares: a lost race retries the whole change.

A unique violation, deadlock or serialization failure means a concurrent
writer committed first; rerunning the whole transaction sees the winner's rows
and answers accordingly (an idempotency key already taken, a contact already
there). Anything else, `Rejected` included, rolls back and propagates.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

Result = TypeVar("Result")
RACE_RETRIES = 3
RACES = (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


async def retrying(
    conn: asyncpg.Connection, work: Callable[[asyncpg.Connection], Awaitable[Result]]
) -> Result:
    """`work(conn)` in one transaction on `conn`, run again (up to RACE_RETRIES times) after a lost race."""
    for attempt in range(1, RACE_RETRIES + 1):
        try:
            async with conn.transaction():
                return await work(conn)
        except RACES:
            if attempt == RACE_RETRIES:
                raise
    raise AssertionError("unreachable")
