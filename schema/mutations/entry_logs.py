"""Logging what was heard: notes, interactions (calls, emails, meetings, letters, texts) and news."""

from datetime import datetime

import strawberry

from domain.commands.entries import (
    CallFollowThrough,
    InteractionDetail,
    NewEntry,
    NewsDetail,
    NextFollowUp,
    NoteDetail,
)
from domain.entries import EntryKind as EntryKindValue
from schema.mutations.base import parse_id
from schema.mutations.entry_base import answered, created, entry_fields, entry_id
from schema.mutations.payloads import EntryPayload
from schema.types.entries.enums import Direction, EntryKind, InteractionOutcome, NewsCategory, Visibility
from services import follow_ups


@strawberry.input
class LogNoteInput:
    account_id: strawberry.ID
    summary: str
    body: str | None = None
    contact_id: strawberry.ID | None = None
    invoice_ids: list[strawberry.ID] | None = None
    tags: list[str] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Users to name in the entry; each gets an inbox item."
    )


@strawberry.input
class _InteractionFields:
    account_id: strawberry.ID
    kind: EntryKind = strawberry.field(description="CALL, EMAIL, MEETING, LETTER or SMS.")
    direction: Direction
    summary: str
    outcome: InteractionOutcome | None = None


@strawberry.input(description="The next step a call schedules, e.g. call back after NO_ANSWER.")
class NextFollowUpInput:
    summary: str = strawberry.field(description="What to do.")
    due_at: datetime = strawberry.field(description="When it is due.")
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="Default: the caller.")


@strawberry.input
class LogInteractionInput(_InteractionFields, LogNoteInput):
    """A note with a kind, a direction and an outcome.

    Strawberry lists the bases' fields in the order the bases are named, so the
    SDL keeps its order: accountId, kind, direction, summary, outcome, then the
    note's other fields.
    """

    completes_follow_up_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The follow-up this call or email answers: it is marked done in the same transaction.",
    )
    next_follow_up: NextFollowUpInput | None = strawberry.field(
        default=None,
        description="Schedule the next step in the same transaction (e.g. call back after NO_ANSWER).",
    )


@strawberry.input
class LogNewsInput:
    account_id: strawberry.ID
    category: NewsCategory
    summary: str
    body: str | None = None
    tags: list[str] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Users to name in the entry; each gets an inbox item."
    )


@strawberry.type
class EntryLogMutations:
    @strawberry.mutation
    async def log_note(self, info: strawberry.Info, input: LogNoteInput) -> EntryPayload:
        return await created(info, input, NoteDetail)

    @strawberry.mutation
    async def log_interaction(self, info: strawberry.Info, input: LogInteractionInput) -> EntryPayload:
        kind = EntryKindValue(input.kind.value)

        def command() -> tuple[NewEntry, CallFollowThrough]:
            detail = InteractionDetail(kind, input.direction, input.outcome)
            following = input.next_follow_up
            return NewEntry(detail=detail, **entry_fields(input)), CallFollowThrough(
                completes_follow_up_id=entry_id(
                    input.completes_follow_up_id, ("input", "completesFollowUpId")
                )
                if input.completes_follow_up_id
                else None,
                next_follow_up=NextFollowUp(
                    following.summary,
                    following.due_at,
                    parse_id(following.assignee_id, "User", ("input", "nextFollowUp", "assigneeId"), "user")
                    if following.assignee_id
                    else None,
                )
                if following
                else None,
            )

        return await answered(info, lambda conn, actor: follow_ups.log_interaction(conn, actor, *command()))

    @strawberry.mutation
    async def log_news(self, info: strawberry.Info, input: LogNewsInput) -> EntryPayload:
        return await created(info, input, lambda: NewsDetail(input.category))
