"""Follow-ups: something to do for an account by a date, for oneself or a colleague."""

from datetime import datetime
from typing import Annotated

import strawberry

from domain.commands.entries import FollowUpDetail, FollowUpSnooze
from schema.mutations.base import parse_id
from schema.mutations.descriptions import ACCOUNT_ID, BODY, IDEMPOTENCY_KEY, SUMMARY
from schema.mutations.entry_base import answered, created, entry_id
from schema.mutations.payloads import EntryPayload
from services import entry_changes


@strawberry.input(description="Something to do for an account by a time.")
class CreateFollowUpInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    summary: str = strawberry.field(description=SUMMARY)
    due_at: datetime = strawberry.field(description="When it should be done by. Without an offset it is UTC.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who should do it (a User id); null names nobody."
    )
    body: str | None = strawberry.field(
        default=None,
        description=BODY,
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whom to contact: the call brief suggests this person first."
    )
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Users to name in the entry; each gets an inbox item."
    )


@strawberry.input(description="A later due time for an open follow-up.")
class SnoozeFollowUpInput:
    id: strawberry.ID = strawberry.field(description="The follow-up.")
    due_at: datetime = strawberry.field(description="The new due time; in the future.")
    reason: str | None = strawberry.field(default=None, description="Why, for the follow-up's history.")


@strawberry.type
class FollowUpMutations:
    @strawberry.mutation(description="Plan something to do for an account. SALES, SERVICE, AR, ADMIN.")
    async def create_follow_up(
        self,
        info: strawberry.Info,
        input: Annotated[CreateFollowUpInput, strawberry.argument(description="The follow-up.")],
    ) -> EntryPayload:
        def detail() -> FollowUpDetail:
            assignee = input.assignee_id
            path = ("input", "assigneeId")
            return FollowUpDetail(
                input.due_at, parse_id(assignee, "User", path, "user") if assignee else None
            )

        return await created(info, input, detail)

    @strawberry.mutation(description="Mark a follow-up done; a second time is a CONFLICT.")
    async def complete_follow_up(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The follow-up (an Entry id).")],
    ) -> EntryPayload:
        return await answered(
            info, lambda conn, actor: entry_changes.complete_follow_up(conn, actor, entry_id(id, ("id",)))
        )

    @strawberry.mutation(
        description="Move an open follow-up to a later time; its history keeps the earlier one."
    )
    async def snooze_follow_up(
        self,
        info: strawberry.Info,
        input: Annotated[
            SnoozeFollowUpInput, strawberry.argument(description="The follow-up and its new time.")
        ],
    ) -> EntryPayload:
        def snooze() -> FollowUpSnooze:
            return FollowUpSnooze(entry_id(input.id, ("input", "id")), input.due_at, input.reason)

        return await answered(info, lambda conn, actor: entry_changes.snooze_follow_up(conn, actor, snooze()))

    @strawberry.mutation(
        description="Give an open follow-up to someone else; they hear of it in their inbox."
    )
    async def reassign_follow_up(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The follow-up.")],
        assignee_id: Annotated[strawberry.ID, strawberry.argument(description="Who takes it.")],
    ) -> EntryPayload:
        return await answered(
            info,
            lambda conn, actor: entry_changes.reassign_follow_up(
                conn, actor, entry_id(id, ("id",)), parse_id(assignee_id, "User", ("assigneeId",), "user")
            ),
        )
