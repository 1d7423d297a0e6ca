"""The pass that notices promises turning BROKEN and tells the account's owners, once.

A promise's status is derived on read (domain/promises.py), so nothing is
written when a deadline passes; this pass writes the PROMISE_BROKEN inbox items.
Each promise past its deadline is judged once (entries.broken_checked_at):
workers claim promises with FOR UPDATE SKIP LOCKED, so two passes running at
once never judge, nor notify, the same promise twice.
"""

import logging
from datetime import date
from uuid import UUID

import asyncpg

from domain import promises
from domain.entries import Visibility
from domain.inbox import InboxReason, may_read
from store import briefs, inbox, owners, users
from store.facts import payment_facts, promise_fact

BATCH = 200
log = logging.getLogger("rapport.jobs")


async def notice_broken_promises(conn: asyncpg.Connection, today: date) -> int:
    """Judge one batch of promises past their deadline on `today`; how many were judged (0: none left)."""
    async with conn.transaction():
        rows = await conn.fetch(
            """
            SELECT account_id, id, amount, currency, recorded_at, promised_for, grace_days, cancelled_at,
                   visibility, author_id
              FROM entries
             WHERE kind = 'PROMISE_TO_PAY' AND broken_checked_at IS NULL
               AND cancelled_at IS NULL AND deleted_at IS NULL AND promised_for + grace_days < $1
             ORDER BY promised_for, id
             LIMIT $2
               FOR UPDATE SKIP LOCKED
            """,
            today,
            BATCH,
        )
        if not rows:
            return 0
        paid = await briefs.payments(conn, list({row["account_id"] for row in rows}))
        for row in rows:
            facts = payment_facts(paid.get(row["account_id"], []))
            if promises.status(promise_fact(row), facts, today) == promises.PromiseStatus.BROKEN:
                await _tell_owners(conn, row)
        await conn.execute(
            "UPDATE entries SET broken_checked_at = now() WHERE id = ANY($1::uuid[])",
            [row["id"] for row in rows],
        )
        return len(rows)


async def _tell_owners(conn: asyncpg.Connection, row: asyncpg.Record) -> None:
    owner_ids, _ = await owners.watchers(conn, row["account_id"])
    teams = await users.enabled_teams(conn, owner_ids)
    visibility = Visibility(row["visibility"])
    told: dict[UUID, str] = {
        user_id: InboxReason.PROMISE_BROKEN.value
        for user_id, team in teams.items()
        if may_read(team, visibility)
    }
    await inbox.add_items(conn, row["account_id"], row["id"], told)


async def run_pass(pool: asyncpg.Pool, today: date) -> int:
    """Every promise due for judging, batch by batch; how many were judged."""
    judged = 0
    while True:
        async with pool.acquire() as conn:
            count = await notice_broken_promises(conn, today)
        if not count:
            return judged
        judged += count
