"""What every entry mutation shares: ids decoded into a command, the service run, the answer.

The services (services/entries.py, services/entry_changes.py) do the work;
a mutation only turns its input into a command and the entry id it gets back
into a payload, read as the caller may see it.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
import strawberry

from domain.actors import Actor
from domain.commands.entries import NewEntry
from schema.mutations.base import actor, parse_id, parse_ids, run
from schema.mutations.payloads import EntryPayload
from schema.types.entries.rows import entries_with_invoices
from services.entries import new_entry
from store import entries

WriteEntry = Callable[[asyncpg.Connection, Actor], Awaitable[UUID | None]]


async def entry_payload(
    conn: asyncpg.Connection, info: strawberry.Info, entry_id: UUID | None
) -> EntryPayload:
    rows = await entries.entries_by_ids(conn, [entry_id], restricted=info.context.sees_restricted)
    if entry_id not in rows:
        return EntryPayload(entry=None)
    return EntryPayload(entry=(await entries_with_invoices(conn, [rows[entry_id]]))[0])


async def answered(info: strawberry.Info, write: WriteEntry) -> EntryPayload:
    """Run `write` in the mutation's transaction; answer with the entry it wrote or changed."""

    async def work(conn: asyncpg.Connection) -> EntryPayload:
        return await entry_payload(conn, info, await write(conn, actor(info)))

    return await run(info, EntryPayload, work)


async def created(info: strawberry.Info, data: Any, detail: Callable[[], object]) -> EntryPayload:
    """A new entry from an input and its kind's `detail()`, built in the transaction so a bad id is a
    userError."""
    return await answered(
        info, lambda conn, actor: new_entry(conn, actor, NewEntry(detail=detail(), **entry_fields(data)))
    )


def entry_id(global_id: str, path: tuple[str, ...]) -> UUID:
    return parse_id(global_id, "Entry", path, "entry")


def entry_fields(data: Any) -> dict:
    """The fields of a NewEntry an input has: account, contact, invoices, text, time, visibility, key."""
    contact_id = getattr(data, "contact_id", None)
    tags = getattr(data, "tags", None)
    return {
        "account_id": parse_id(data.account_id, "Account", ("input", "accountId"), "account"),
        "contact_id": parse_id(contact_id, "Contact", ("input", "contactId"), "contact")
        if contact_id
        else None,
        "invoice_ids": tuple(
            parse_ids(getattr(data, "invoice_ids", None), "Invoice", ("input", "invoiceIds"), "invoice")
        ),
        "summary": getattr(data, "summary", None),
        "body": getattr(data, "body", None),
        "tags": tuple(tags) if tags is not None else None,
        "occurred_at": getattr(data, "occurred_at", None),
        "visibility": getattr(data, "visibility", None),
        "idempotency_key": data.idempotency_key,
        "mention_ids": mention_ids(getattr(data, "mention_ids", None)) or (),
    }


def mention_ids(global_ids: list[str] | None) -> tuple[UUID, ...] | None:
    """The users an input names, or None when it names nobody (an edit: leave the mentions as they are)."""
    if global_ids is None:
        return None
    return tuple(parse_ids(global_ids, "User", ("input", "mentionIds"), "user"))
