"""Logging what was heard: notes, interactions (calls, emails, meetings, letters, texts) and news."""

from datetime import datetime

import strawberry

from domain.commands.entries import InteractionDetail, NewEntry, NewsDetail, NoteDetail
from domain.entries import EntryKind as EntryKindValue
from schema.mutations.entry_base import answered, entry_fields
from schema.mutations.payloads import EntryPayload
from schema.types.entries.enums import Direction, EntryKind, InteractionOutcome, NewsCategory, Visibility
from services.entries import new_entry


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


@strawberry.input
class LogInteractionInput:
    account_id: strawberry.ID
    kind: EntryKind = strawberry.field(description="CALL, EMAIL, MEETING, LETTER or SMS.")
    direction: Direction
    summary: str
    outcome: InteractionOutcome | None = None
    body: str | None = None
    contact_id: strawberry.ID | None = None
    invoice_ids: list[strawberry.ID] | None = None
    tags: list[str] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None


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


@strawberry.type
class EntryLogMutations:
    @strawberry.mutation
    async def log_note(self, info: strawberry.Info, input: LogNoteInput) -> EntryPayload:
        return await answered(
            info,
            lambda conn, actor: new_entry(conn, actor, NewEntry(detail=NoteDetail(), **entry_fields(input))),
        )

    @strawberry.mutation
    async def log_interaction(self, info: strawberry.Info, input: LogInteractionInput) -> EntryPayload:
        detail = InteractionDetail(
            kind=EntryKindValue(input.kind.value), direction=input.direction, outcome=input.outcome
        )
        return await answered(
            info, lambda conn, actor: new_entry(conn, actor, NewEntry(detail=detail, **entry_fields(input)))
        )

    @strawberry.mutation
    async def log_news(self, info: strawberry.Info, input: LogNewsInput) -> EntryPayload:
        detail = NewsDetail(category=input.category)
        return await answered(
            info, lambda conn, actor: new_entry(conn, actor, NewEntry(detail=detail, **entry_fields(input)))
        )
