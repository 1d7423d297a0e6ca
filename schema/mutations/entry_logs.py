"""Logging what was heard: notes, interactions (calls, emails, meetings, letters, texts) and news."""

from datetime import datetime

import strawberry

from domain.commands.entries import InteractionDetail, NewsDetail, NoteDetail
from domain.entries import EntryKind as EntryKindValue
from schema.mutations.entry_base import created
from schema.mutations.payloads import EntryPayload
from schema.types.entries.enums import Direction, EntryKind, InteractionOutcome, NewsCategory, Visibility


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


@strawberry.input
class LogInteractionInput(_InteractionFields, LogNoteInput):
    """A note with a kind, a direction and an outcome.

    Strawberry lists the bases' fields in the order the bases are named, so the
    SDL keeps its order: accountId, kind, direction, summary, outcome, then the
    note's other fields.
    """


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
        return await created(info, input, lambda: InteractionDetail(kind, input.direction, input.outcome))

    @strawberry.mutation
    async def log_news(self, info: strawberry.Info, input: LogNewsInput) -> EntryPayload:
        return await created(info, input, lambda: NewsDetail(input.category))
