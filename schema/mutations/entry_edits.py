"""Changing what an entry says or how it shows: edit its text, pin it, delete it."""

import asyncpg
import strawberry

from domain.commands.entries import EntryDeletion, EntryEdit, EntryPin
from schema.mutations.base import actor, run
from schema.mutations.entry_base import answered, entry_id, mention_ids
from schema.mutations.payloads import DeletePayload, EntryPayload
from services import entry_changes


@strawberry.input
class EditEntryInput:
    id: strawberry.ID
    expected_revision: int
    summary: str | None = None
    body: str | None = None
    tags: list[str] | None = None
    mention_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Whom the entry names from now on; those newly named get an inbox item, "
        "those left out keep theirs.",
    )


@strawberry.type
class EntryEditMutations:
    @strawberry.mutation
    async def edit_entry(self, info: strawberry.Info, input: EditEntryInput) -> EntryPayload:
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

    @strawberry.mutation
    async def pin_entry(self, info: strawberry.Info, id: strawberry.ID, pinned: bool) -> EntryPayload:
        return await answered(
            info,
            lambda conn, actor: entry_changes.pin_entry(conn, actor, EntryPin(entry_id(id, ("id",)), pinned)),
        )

    @strawberry.mutation
    async def delete_entry(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> DeletePayload:
        async def work(conn: asyncpg.Connection) -> DeletePayload:
            deletion = EntryDeletion(entry_id(id, ("id",)), reason)
            await entry_changes.delete_entry(conn, actor(info), deletion)
            return DeletePayload(deleted_id=id)

        return await run(info, DeletePayload, work)
