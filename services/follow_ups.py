"""A call or email that closes the loop: it completes the follow-up it answers and schedules the next,
in the transaction that logs it, so the worklist never shows one without the other."""

from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.commands.entries import CallFollowThrough, FollowUpDetail, NewEntry
from domain.validation import Problem, Rejected
from services.entries import new_entry
from services.entry_changes import complete_follow_up

COMPLETES = ("input", "completesFollowUpId")
NEXT = ("input", "nextFollowUp")


async def log_interaction(
    conn: asyncpg.Connection, actor: Actor, entry: NewEntry, follow_through: CallFollowThrough
) -> UUID | None:
    async def then(entry_id: UUID) -> None:
        if follow_through.completes_follow_up_id is not None:
            await complete_follow_up(
                conn, actor, follow_through.completes_follow_up_id, COMPLETES, account_id=entry.account_id
            )
        following = follow_through.next_follow_up
        if following is not None:
            detail = FollowUpDetail(following.due_at, following.assignee_id or actor.user_id)
            next_entry = NewEntry(
                account_id=entry.account_id,
                detail=detail,
                summary=following.summary,
                contact_id=entry.contact_id,
                visibility=entry.visibility,
            )
            try:
                await new_entry(conn, actor, next_entry)
            except Rejected as rejected:
                raise Rejected(*(_under_next(p) for p in rejected.problems)) from None

    return await new_entry(conn, actor, entry, then)


def _under_next(problem: Problem) -> Problem:
    """A problem of the next follow-up, at its place in the call's input."""
    inner = problem.field[1:] if problem.field[:1] == ("input",) else problem.field
    return Problem((*NEXT, *inner), problem.message, problem.code)
