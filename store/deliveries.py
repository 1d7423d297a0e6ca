"""Outbound messages as the delivery worker sees them: claim, hand over, record, retry, recover.

A claimed message is SENDING with its Message-ID recorded and committed before
it is handed to the mail server, and the claiming connection holds a session
advisory lock on it until its outcome is recorded. A SENDING message whose lock
is free was left by a worker that died after the hand-over began: it is never
handed over again (see jobs/delivery.py).
"""

from datetime import datetime
from uuid import UUID

import asyncpg

# The advisory lock key of a message: one 64-bit hash of its id.
_KEY = "hashtextextended(id::text, 7)"


async def claim(
    conn: asyncpg.Connection, at: datetime, limit: int, message_ids: list[str]
) -> list[asyncpg.Record]:
    """Due SCHEDULED messages, now SENDING under this session's advisory locks; in the caller's transaction.

    `message_ids` are fresh Message-IDs, one per row at most, for rows that have none yet. The
    session locks outlive the commit, so no other worker takes these rows for abandoned.
    """
    rows = await conn.fetch(
        """
        WITH due AS (
            SELECT account_id, id
              FROM outbound_messages
             WHERE status = 'SCHEDULED' AND scheduled_for <= $3 AND next_attempt_at <= now()
             ORDER BY scheduled_for, id
             LIMIT $1
               FOR UPDATE SKIP LOCKED
        ), numbered AS (
            SELECT account_id, id, row_number() OVER () AS n FROM due
        )
        UPDATE outbound_messages m
           SET status = 'SENDING', attempts = m.attempts + 1, updated_at = now(),
               message_id = coalesce(m.message_id, ($2::text[])[due.n])
          FROM numbered due
         WHERE m.account_id = due.account_id AND m.id = due.id
        RETURNING m.*
        """,
        limit,
        message_ids,
        at,
    )
    if rows:
        await conn.execute(
            f"SELECT pg_advisory_lock({_KEY}) FROM unnest($1::uuid[]) AS t(id)", [r["id"] for r in rows]
        )
    return rows


async def release(conn: asyncpg.Connection, message_id: UUID) -> None:
    await conn.execute(f"SELECT pg_advisory_unlock({_KEY}) FROM (SELECT $1::uuid AS id) t", message_id)


async def abandoned(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """SENDING messages whose worker is gone (nobody holds their lock); locked for this transaction."""
    return await conn.fetch(
        f"""
        SELECT * FROM outbound_messages
         WHERE status = 'SENDING' AND id IN (
               SELECT id FROM outbound_messages WHERE status = 'SENDING'
                ORDER BY updated_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           AND pg_try_advisory_xact_lock({_KEY})
        """,
        limit,
    )


async def sent(conn: asyncpg.Connection, row: asyncpg.Record, entry_id: UUID | None, reason: str) -> None:
    await conn.execute(
        "UPDATE outbound_messages SET status = 'SENT', sent_at = coalesce(sent_at, now()), entry_id = $3,"
        " reason = $4, last_error = NULL, updated_at = now() WHERE account_id = $1 AND id = $2",
        row["account_id"],
        row["id"],
        entry_id,
        reason,
    )


async def retry_later(
    conn: asyncpg.Connection, row: asyncpg.Record, error: str, delay_seconds: float
) -> None:
    await conn.execute(
        "UPDATE outbound_messages SET status = 'SCHEDULED', last_error = $3, reason = $4,"
        " next_attempt_at = now() + $5 * interval '1 second', updated_at = now()"
        " WHERE account_id = $1 AND id = $2",
        row["account_id"],
        row["id"],
        error[:2000],
        f"attempt {row['attempts']} failed, retrying: {error[:500]}",
        delay_seconds,
    )


async def failed(conn: asyncpg.Connection, row: asyncpg.Record, error: str) -> None:
    await conn.execute(
        "UPDATE outbound_messages SET status = 'FAILED', last_error = $3, reason = $4, updated_at = now()"
        " WHERE account_id = $1 AND id = $2",
        row["account_id"],
        row["id"],
        error[:2000],
        f"not sent after {row['attempts']} attempt(s): {error[:500]}",
    )
