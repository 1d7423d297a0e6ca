"""Delivery: send each due message once, even with several workers and a crash mid-send.

How a double send is prevented: a worker claims due messages with FOR UPDATE
SKIP LOCKED (no two workers take the same row), marks them SENDING, records a
Message-ID for each and takes a session advisory lock on each, and COMMITS
that before handing anything to the mail server. Then it sends, and records the
outcome (SENT plus the timeline entry, or a retry, or FAILED) in a second
transaction, and lets the lock go. If the worker dies between the hand-over
and that record, its connection closes and the lock is freed; another worker
finds a SENDING message whose lock it can take, and records it as SENT
without sending it again: the hand-over may have happened, and sending twice
is the worse mistake. (The price: a worker that dies after recording the
Message-ID but before the server took the message leaves one unsent message
marked SENT; its reason says the delivery was not confirmed, and the
Message-ID lets the mail server's log settle it.)
"""

import logging
from datetime import UTC, datetime

import asyncpg

from jobs.mail import Mailer, PermanentFailure, describe
from services.delivery import record_sent
from store import deliveries

log = logging.getLogger("rapport.delivery")

BATCH = 20
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


async def recover(conn: asyncpg.Connection) -> int:
    """Record as sent every SENDING message its worker abandoned; returns how many."""
    async with conn.transaction():
        rows = await deliveries.abandoned(conn, BATCH)
        for row in rows:
            await record_sent(
                conn,
                row,
                f"the worker stopped while handing it to the mail server (Message-ID {row['message_id']});"
                " recorded as sent and not sent again, so that it never goes twice.",
            )
    return len(rows)


async def deliver_due(pool: asyncpg.Pool, mailer: Mailer, at: datetime | None = None) -> int:
    """One round: recover abandoned sends, then claim, send and record due messages. Returns how many went."""
    async with pool.acquire() as conn:
        await recover(conn)
        async with conn.transaction():
            rows = await deliveries.claim(
                conn, at or datetime.now(UTC), BATCH, [mailer.new_message_id() for _ in range(BATCH)]
            )
        done = 0
        for row in rows:
            try:
                await _deliver(conn, mailer, row)
                done += 1
            finally:
                await deliveries.release(conn, row["id"])
        return done


async def _deliver(conn: asyncpg.Connection, mailer: Mailer, row: asyncpg.Record) -> None:
    try:
        await mailer.send(row["to_address"], row["subject"], row["body"], row["message_id"])
    except PermanentFailure as refused:
        async with conn.transaction():
            await deliveries.failed(conn, row, str(refused))
        log.warning("message %s refused by the mail server", row["id"])
        return
    except Exception as error:  # every other failure (refused, unreachable, timed out) is worth a retry
        reason = describe(error)
        async with conn.transaction():
            if row["attempts"] >= MAX_ATTEMPTS:
                await deliveries.failed(conn, row, reason)
            else:
                delay = min(BACKOFF_SECONDS * 2 ** (row["attempts"] - 1), BACKOFF_CAP_SECONDS)
                await deliveries.retry_later(conn, row, reason, delay)
        log.warning("message %s not sent (attempt %d): %s", row["id"], row["attempts"], type(error).__name__)
        return
    async with conn.transaction():
        await record_sent(conn, row, f"sent to the mail server as {row['message_id']}.")
