"""The caller's inbox: a page of it, and marking items read (Subscription.inbox: schema/subscription.py)."""

import asyncpg
import strawberry

from schema import pagination
from schema.context import Context
from schema.mutations.base import actor, parse_ids, run
from schema.types.common import UserError, page_info
from schema.types.entries.rows import entry_from_row
from schema.types.inbox import InboxConnection, InboxEdge, InboxItem
from services import inbox as inbox_service
from store import entries, inbox


@strawberry.type(description="The caller's unread count after marking, or why nothing was marked.")
class MarkInboxReadPayload:
    unread_count: int = strawberry.field(description="Unread items left in the caller's inbox.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was marked; empty on success."
    )


async def inbox_page(
    info: strawberry.Info, first: int | None, after: str | None, unread_only: bool
) -> InboxConnection:
    """Each item comes with its entry, author and account from the page's own statement: resolved
    one by one through loaders, they cost more than the rest of the page."""
    size = pagination.page_size(first, default=50)
    key = pagination.decode(after, int)
    context = info.context
    async with context.pool.acquire() as conn:
        rows = await inbox.page(
            conn,
            context.user.id,
            restricted=context.sees_restricted,
            unread_only=unread_only,
            before=key[0] if key else None,
            limit=size + 1,
        )
        linked = await entries.invoices_of_entries(conn, [row["id"] for row in rows[:size]])
        unread = await inbox.unread_count(conn, context.user.id, restricted=context.sees_restricted)
    edges = []
    for row in rows[:size]:
        entry = entry_from_row(row, linked.get(row["id"], []))
        item = InboxItem.from_row(row, entry, entry.account, prefix="item_")
        edges.append(InboxEdge(cursor=pagination.encode(row["item_seq"]), node=item))
    return InboxConnection(
        edges=edges, page_info=page_info(edges, has_next=len(rows) > size), unread_count=unread
    )


async def items_of_rows(context: Context, rows: list[asyncpg.Record]) -> list[InboxItem | None]:
    """Inbox items for stored item rows, their entries as the caller may see them now (through the
    request's loaders); None where the entry is deleted or hidden from the caller."""
    loaders = context.loaders
    found = await loaders.entry.load_many([row["entry_id"] for row in rows])
    linked = await loaders.entry_invoices.load_many([row["entry_id"] for row in rows])
    items: list[InboxItem | None] = []
    for row, entry_row, invoices in zip(rows, found, linked, strict=True):
        entry = entry_from_row(entry_row, invoices) if entry_row is not None else None
        items.append(InboxItem.from_row(row, entry, entry.account) if entry is not None else None)
    return items


async def mark_read(info: strawberry.Info, global_ids: list[str] | None, all: bool) -> MarkInboxReadPayload:
    async def work(conn) -> MarkInboxReadPayload:
        item_ids = (
            parse_ids(global_ids, "InboxItem", ("ids",), "inbox item") if global_ids is not None else None
        )
        return MarkInboxReadPayload(
            unread_count=await inbox_service.mark_read(conn, actor(info), item_ids, all)
        )

    def refused(user_errors: list[UserError]) -> MarkInboxReadPayload:
        return MarkInboxReadPayload(unread_count=0, user_errors=user_errors)

    answer = await run(info, refused, work)
    if answer.user_errors:  # nothing changed: the count is what it was
        async with info.context.pool.acquire() as conn:
            answer.unread_count = await inbox.unread_count(
                conn, info.context.user.id, restricted=info.context.sees_restricted
            )
    return answer
