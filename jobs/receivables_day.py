"""The pass that moves the receivables summary to a new day, once the UTC date turns.

What changes with the calendar alone (an invoice falling due, a promise
breaking, a lookback running out) reaches no write path; this pass recomputes
every account's ranking facts for the new day. Until it has, the queue for the
new day ranks from the entries (slower, never stale).
"""

from datetime import date

import asyncpg

from store import receivables_summary


async def run_pass(pool: asyncpg.Pool, today: date) -> bool:
    """Move the summary to `today` if it holds another day; whether it moved."""
    async with pool.acquire() as conn:
        return await receivables_summary.move_day(conn, today)
