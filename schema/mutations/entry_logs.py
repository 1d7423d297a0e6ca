"""Logging what was heard: notes, interactions (calls, emails, meetings, letters, texts) and news."""

from datetime import datetime
from typing import Annotated

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
from schema.mutations.descriptions import (
    ACCOUNT_ID,
    BODY,
    IDEMPOTENCY_KEY,
    INVOICE_IDS,
    OCCURRED_AT,
    SUMMARY,
    TAGS,
    VISIBILITY,
)
from schema.mutations.entry_base import answered, created, entry_fields, entry_id
from schema.mutations.payloads import EntryPayload
from schema.types.entries.enums import Direction, EntryKind, InteractionOutcome, NewsCategory, Visibility
from services import follow_ups


@strawberry.input(description="A note for an account's timeline.")
class LogNoteInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    summary: str = strawberry.field(description=SUMMARY)
    body: str | None = strawberry.field(
        default=None,
        description=BODY,
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="The person it concerns (a Contact id of the same account); null for none."
    )
    invoice_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=INVOICE_IDS)
    tags: list[str] | None = strawberry.field(default=None, description=TAGS)
    occurred_at: datetime | None = strawberry.field(
        default=None,
        description=OCCURRED_AT,
    )
    visibility: Visibility | None = strawberry.field(
        default=None,
        description=VISIBILITY,
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Users to name in the entry; each gets an inbox item."
    )


@strawberry.input
class _InteractionFields:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    kind: EntryKind = strawberry.field(description="CALL, EMAIL, MEETING, LETTER or SMS.")
    direction: Direction = strawberry.field(description="Who reached out.")
    summary: str = strawberry.field(description=SUMMARY)
    outcome: InteractionOutcome | None = strawberry.field(default=None, description="How it went.")


@strawberry.input(description="The next step a call schedules, e.g. call back after NO_ANSWER.")
class NextFollowUpInput:
    summary: str = strawberry.field(description="What to do.")
    due_at: datetime = strawberry.field(description="When it is due.")
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="Default: the caller.")


@strawberry.input(description="A call, email, meeting, letter or text message for an account's timeline.")
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


@strawberry.input(description="Customer news for an account's timeline.")
class LogNewsInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    category: NewsCategory = strawberry.field(description="What kind of news.")
    summary: str = strawberry.field(description=SUMMARY)
    body: str | None = strawberry.field(
        default=None,
        description=BODY,
    )
    tags: list[str] | None = strawberry.field(default=None, description=TAGS)
    occurred_at: datetime | None = strawberry.field(
        default=None,
        description=OCCURRED_AT,
    )
    visibility: Visibility | None = strawberry.field(
        default=None,
        description=VISIBILITY,
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Users to name in the entry; each gets an inbox item."
    )


@strawberry.type
class EntryLogMutations:
    @strawberry.mutation(description="Write a note on an account's timeline. SALES, SERVICE, AR, ADMIN.")
    async def log_note(
        self,
        info: strawberry.Info,
        input: Annotated[LogNoteInput, strawberry.argument(description="The note.")],
    ) -> EntryPayload:
        return await created(info, input, NoteDetail)

    @strawberry.mutation(
        description="Record a call, email, meeting, letter or text. SALES, SERVICE, AR, ADMIN."
    )
    async def log_interaction(
        self,
        info: strawberry.Info,
        input: Annotated[LogInteractionInput, strawberry.argument(description="The interaction.")],
    ) -> EntryPayload:
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

    @strawberry.mutation(description="Record news about the customer. SALES, SERVICE, AR, ADMIN.")
    async def log_news(
        self,
        info: strawberry.Info,
        input: Annotated[LogNewsInput, strawberry.argument(description="The news.")],
    ) -> EntryPayload:
        return await created(info, input, lambda: NewsDetail(input.category))
