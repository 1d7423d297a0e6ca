"""Follow-ups: something to do for an account by a date, for oneself or a colleague."""

from datetime import datetime

import strawberry

from domain.commands.entries import FollowUpDetail, NewEntry
from schema.mutations.base import parse_id
from schema.mutations.entry_base import answered, entry_fields, entry_id
from schema.mutations.payloads import EntryPayload
from services import entry_changes
from services.entries import new_entry


@strawberry.input
class CreateFollowUpInput:
    account_id: strawberry.ID
    summary: str
    due_at: datetime
    assignee_id: strawberry.ID | None = None
    body: str | None = None
    idempotency_key: str | None = None


@strawberry.type
class FollowUpMutations:
    @strawberry.mutation
    async def create_follow_up(self, info: strawberry.Info, input: CreateFollowUpInput) -> EntryPayload:
        def entry() -> NewEntry:
            assignee = input.assignee_id
            detail = FollowUpDetail(
                due_at=input.due_at,
                assignee_id=parse_id(assignee, "User", ("input", "assigneeId"), "user") if assignee else None,
            )
            return NewEntry(detail=detail, **entry_fields(input))

        return await answered(info, lambda conn, actor: new_entry(conn, actor, entry()))

    @strawberry.mutation
    async def complete_follow_up(self, info: strawberry.Info, id: strawberry.ID) -> EntryPayload:
        return await answered(
            info, lambda conn, actor: entry_changes.complete_follow_up(conn, actor, entry_id(id, ("id",)))
        )
