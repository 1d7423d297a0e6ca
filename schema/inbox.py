"""The caller's inbox: a page of it, and marking items read (Subscription.inbox: schema/subscription.py)."""

import strawberry

from schema import pagination
from schema.mutations.base import actor, parse_ids, run
from schema.types.common import UserError, page_info
from schema.types.inbox import InboxConnection, InboxEdge, InboxItem
from services import inbox as inbox_service
from store import inbox


@strawberry.type(description="The caller's unread count after marking, or why nothing was marked.")
class MarkInboxReadPayload:
    unread_count: int = strawberry.field(description="Unread items left in the caller's inbox.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was marked; empty on success."
    )


async def inbox_page(
    info: strawberry.Info, first: int | None, after: str | None, unread_only: bool
) -> InboxConnection:
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
        unread = await inbox.unread_count(conn, context.user.id, restricted=context.sees_restricted)
    edges = [
        InboxEdge(cursor=pagination.encode(row["seq"]), node=InboxItem.from_row(row)) for row in rows[:size]
    ]
    return InboxConnection(
        edges=edges, page_info=page_info(edges, has_next=len(rows) > size), unread_count=unread
    )


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
