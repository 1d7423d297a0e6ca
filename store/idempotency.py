"""Idempotency keys: the database, not a read-then-write, decides who goes first.

The claim is an INSERT on the (user, key) primary key. A concurrent duplicate
blocks on that key until the first transaction ends, then finds its row (and
returns the first result) or, if the first rolled back, claims the key itself.
"""

from dataclasses import dataclass
from uuid import UUID

import asyncpg


@dataclass(frozen=True, slots=True)
class Prior:
    operation: str
    request_hash: bytes
    result_id: UUID | None


async def claim(
    conn: asyncpg.Connection, user_id: UUID, key: str, operation: str, request_hash: bytes
) -> Prior | None:
    """None if this request now owns the key; else what the first request recorded."""
    claimed = await conn.fetchval(
        "INSERT INTO idempotency_keys (user_id, key, operation, request_hash)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
        user_id,
        key,
        operation,
        request_hash,
    )
    if claimed:
        return None
    row = await conn.fetchrow(
        "SELECT operation, request_hash, result_id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        user_id,
        key,
    )
    return Prior(row["operation"], row["request_hash"], row["result_id"])


async def complete(
    conn: asyncpg.Connection, user_id: UUID, key: str, account_id: UUID, result_id: UUID
) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET account_id = $3, result_id = $4 WHERE user_id = $1 AND key = $2",
        user_id,
        key,
        account_id,
        result_id,
    )
