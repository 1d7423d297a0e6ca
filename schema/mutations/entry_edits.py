"""Changing what an entry says or how it shows: edit its text, pin it, delete it."""

from typing import Annotated

import asyncpg
import strawberry

from domain.commands.entries import EntryDeletion, EntryEdit, EntryPin
from schema.mutations.base import actor, run
from schema.mutations.entry_base import answered, entry_id, mention_ids
from schema.mutations.payloads import DeletePayload, EntryPayload
from services import entry_changes


@strawberry.input(
    description="New text for an entry; a field left null keeps its value. The old text stays in revisions."
)
class EditEntryInput:
    id: strawberry.ID = strawberry.field(description="The entry (an Entry id).")
    expected_revision: int = strawberry.field(
        description="The revision you read: if the entry changed since, the edit is a "
        "CONFLICT and changes nothing."
    )
    summary: str | None = strawberry.field(default=None, description="A new summary, 1-500 characters.")
    body: str | None = strawberry.field(default=None, description="A new body, up to 50,000 characters.")
    tags: list[str] | None = strawberry.field(default=None, description="The labels, replacing the old ones.")
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Whom the entry names from now on; those newly named get an inbox item, "
        "those left out keep theirs.",
    )


@strawberry.type
class EntryEditMutations:
    @strawberry.mutation(description="Change an entry's text. Its author, or ADMIN.")
    async def edit_entry(
        self,
        info: strawberry.Info,
        input: Annotated[EditEntryInput, strawberry.argument(description="The changes.")],
    ) -> EntryPayload:
        def edit() -> EntryEdit:
            return EntryEdit(
                entry_id=entry_id(input.id, ("input", "id")),
                expected_revision=input.expected_revision,
                summary=input.summary,
                body=input.body,
                tags=tuple(input.tags) if input.tags is not None else None,
                mention_ids=mention_ids(input.mention_ids),
            )

        return await answered(info, lambda conn, actor: entry_changes.edit_entry(conn, actor, edit()))

    @strawberry.mutation(description="Pin or unpin an entry. Anyone who may write entries.")
    async def pin_entry(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The entry (an Entry id).")],
        pinned: Annotated[bool, strawberry.argument(description="True to pin, false to unpin.")],
    ) -> EntryPayload:
        return await answered(
            info,
            lambda conn, actor: entry_changes.pin_entry(conn, actor, EntryPin(entry_id(id, ("id",)), pinned)),
        )

    @strawberry.mutation(
        description="Delete an entry: it disappears from timelines, briefs and search; the "
        "audit log keeps the reason. Its author, or ADMIN."
    )
    async def delete_entry(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The entry (an Entry id).")],
        reason: Annotated[
            str, strawberry.argument(description="Why, in words (required); kept in the audit log.")
        ],
    ) -> DeletePayload:
        async def work(conn: asyncpg.Connection) -> DeletePayload:
            deletion = EntryDeletion(entry_id(id, ("id",)), reason)
            await entry_changes.delete_entry(conn, actor(info), deletion)
            return DeletePayload(deleted_id=id)

        return await run(info, DeletePayload, work)
