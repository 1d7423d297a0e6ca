"""Preference: how a customer likes to be dealt with ("invoice_delivery": "portal")."""

from datetime import datetime
from uuid import UUID

import asyncpg
import strawberry

from schema.types.user import User


@strawberry.type
class Preference:
    key: str
    value: str
    note: str | None
    set_at: datetime
    set_by_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def set_by(self, info: strawberry.Info) -> User | None:
        if self.set_by_id is None:
            return None
        user = await info.context.loaders.user.load(self.set_by_id)
        return User.from_user(user) if user else None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Preference":
        return cls(
            key=row["key"],
            value=row["value"],
            note=row["note"],
            set_at=row["set_at"],
            set_by_id=row["set_by"],
        )
