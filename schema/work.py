"""Queries of one's own work: the inbox, the worklist (schema/worklist.py) and the people picker."""

from datetime import datetime
from typing import Annotated

import strawberry

from schema.inbox import MarkInboxReadPayload, inbox_page, mark_read
from schema.pagination import page_size
from schema.types.inbox import InboxConnection
from schema.types.user import Team, User
from schema.types.worklist import WorklistConnection
from schema.worklist import worklist_page
from store import users

USERS_MAX = 100


@strawberry.type
class WorkQueries:
    @strawberry.field(description="The caller's inbox, newest first.")
    async def inbox(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 100.")] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the page before.")
        ] = None,
        unread_only: Annotated[
            bool | None, strawberry.argument(description="Only items not yet read.")
        ] = False,
    ) -> InboxConnection:
        return await inbox_page(info, first, after, bool(unread_only))

    @strawberry.field(
        description="Open follow-ups assigned to the caller (or to `assigneeId`) due by `dueBy` "
        "(default: end of the caller's today, UTC), overdue first, then reachable now, then due time."
    )
    async def worklist(
        self,
        info: strawberry.Info,
        due_by: Annotated[
            datetime | None, strawberry.argument(description="Due at or before this time.")
        ] = None,
        assignee_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Whose worklist; default the caller's.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 100.")] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the page before.")
        ] = None,
        at: Annotated[
            datetime | None,
            strawberry.argument(
                description="The moment overdue and reachability are judged at; default now."
            ),
        ] = None,
    ) -> WorklistConnection:
        return await worklist_page(info, due_by, assignee_id, first, after, at)

    @strawberry.field(description="People to mention or assign, by name or email prefix.")
    async def users(
        self,
        info: strawberry.Info,
        query: Annotated[
            str | None, strawberry.argument(description="The start of a name, a word of it, or an email.")
        ] = None,
        team: Annotated[Team | None, strawberry.argument(description="Only people in this team.")] = None,
        first: Annotated[int | None, strawberry.argument(description="At most this many, up to 100.")] = 20,
    ) -> list[User]:
        size = page_size(first, default=20)
        async with info.context.pool.acquire() as conn:
            found = await users.find_users(conn, query, team, size)
        return [User.from_user(user) for user in found]


@strawberry.type
class InboxMutations:
    @strawberry.mutation(description="Given ids, or every item when all is true.")
    async def mark_inbox_read(
        self,
        info: strawberry.Info,
        ids: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="Items to mark read.")
        ] = None,
        all: Annotated[bool | None, strawberry.argument(description="Mark every item read.")] = False,
    ) -> MarkInboxReadPayload:
        return await mark_read(info, ids, bool(all))
