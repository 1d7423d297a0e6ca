"""Preference: how a customer likes to be dealt with ("invoice_delivery": "portal")."""

from datetime import datetime
from uuid import UUID

import asyncpg
import strawberry

from schema.types.user import User


@strawberry.type(
    description="How a customer likes to be dealt with, as a key and a value, e.g. "
    '"invoice_delivery": "portal".'
)
class Preference:
    key: str = strawberry.field(
        description='What it is about, e.g. "invoice_delivery"; one value per key and account.'
    )
    value: str = strawberry.field(description='The customer\'s wish, e.g. "portal".')
    note: str | None = strawberry.field(description="Context in words; null without one.")
    set_at: datetime = strawberry.field(description="When it was last set.")
    set_by_id: strawberry.Private[UUID | None]

    @strawberry.field(description="Who set it; null when the service did.")
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
