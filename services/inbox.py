"""Marking inbox items read: one's own only, all or nothing."""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.validation import Problem, Rejected
from store import changes, inbox


async def mark_read(
    conn: asyncpg.Connection, actor: Actor, item_ids: Sequence[UUID] | None, all: bool
) -> int:
    """Mark the given items (or every one, with `all`) read; the unread count after."""
    if (item_ids is None) == (not all) or (item_ids is not None and all):
        raise Rejected(Problem(("ids",), "give ids, or all: true."))
    if item_ids is not None:
        holders = await inbox.owners_of_items(conn, list(item_ids))
        problems = [
            Problem(("ids", str(i)), "no inbox item of yours with this id.", "NOT_FOUND")
            for i, item_id in enumerate(item_ids)
            if holders.get(item_id) != actor.user_id
        ]
        if problems:
            raise Rejected(*problems)
    marked = await inbox.mark_read(conn, actor.user_id, None if all else list(item_ids or []))
    if marked:
        await changes.audit(
            conn,
            actor_id=actor.user_id,
            action="markInboxRead",
            entity_type="inbox",
            entity_id=None,
            account_id=None,
            after={"marked": marked},
        )
    return await inbox.unread_count(conn, actor.user_id, restricted=actor.sees_restricted)
