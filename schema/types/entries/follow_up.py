"""A follow-up: something to do for the account by a time, perhaps by a colleague."""

from datetime import datetime
from uuid import UUID

import asyncpg
import strawberry

from schema.types.entries.common import TimelineEntry
from schema.types.user import User


@strawberry.type(description="Something to do for the account by a time, for oneself or a colleague.")
class FollowUp(TimelineEntry):
    due_at: datetime = strawberry.field(description="When it should be done by.")
    done: bool = strawberry.field(description="True once completeFollowUp was called.")
    assignee_id: strawberry.Private[UUID | None]

    @strawberry.field(description="Who should do it; null when nobody was named.")
    async def assignee(self, info: strawberry.Info) -> User | None:
        if self.assignee_id is None:
            return None
        user = await info.context.loaders.user.load(self.assignee_id)
        return User.from_user(user) if user else None

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {"due_at": row["due_at"], "done": row["done"], "assignee_id": row["assignee_id"]}
