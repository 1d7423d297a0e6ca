"""Open follow-ups assigned to a person, due by a time: the rows of a worklist."""

from datetime import datetime
from uuid import UUID

import asyncpg

from store.entries import ENTRY_SELECT

WORKLIST_MAX = 500  # a day's calls; the order is judged in Python, so the whole day is read at once


async def due_follow_ups(
    conn: asyncpg.Connection, assignee_id: UUID, due_by: datetime, *, restricted: bool
) -> list[asyncpg.Record]:
    """Soonest due first (the worklist's own order is decided by reachability afterwards)."""
    return await conn.fetch(
        f"""
        {ENTRY_SELECT}
         WHERE e.assignee_id = $1 AND e.kind = 'FOLLOW_UP' AND NOT e.done AND e.deleted_at IS NULL
           AND e.due_at <= $2 AND ($3 OR e.visibility = 'ALL_TEAMS')
         ORDER BY e.due_at, e.id
         LIMIT $4
        """,
        assignee_id,
        due_by,
        restricted,
        WORKLIST_MAX,
    )
