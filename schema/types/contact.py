"""Contact: a person at a customer, with roles, channel and contact windows."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry

from domain import contacts, windows
from domain.windows import reachability as evaluate
from schema import ids
from schema.moments import moment
from schema.types.node import Node
from schema.types.reachability import Reachability
from store.facts import window_rules

if TYPE_CHECKING:
    from schema.types.account import Account


Channel = strawberry.enum(contacts.Channel, name="Channel")
ContactRole = strawberry.enum(contacts.ContactRole, name="ContactRole")
Weekday = strawberry.enum(windows.Weekday, name="Weekday")
WindowKind = strawberry.enum(windows.WindowKind, name="WindowKind")


@strawberry.type(
    description="When to reach, or not reach, a person, in their local time; "
    "every set field must match for the rule to apply."
)
class ContactWindow:
    kind: WindowKind
    days_of_week: list[Weekday] | None
    weeks_of_month: list[int] | None
    start_time: str | None
    end_time: str | None
    from_date: date | None
    until_date: date | None
    note: str | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "ContactWindow":
        return cls(
            kind=WindowKind(row["kind"]),
            days_of_week=[Weekday(d) for d in row["days_of_week"]] if row["days_of_week"] else None,
            weeks_of_month=list(row["weeks_of_month"]) if row["weeks_of_month"] else None,
            start_time=row["start_time"].strftime("%H:%M") if row["start_time"] else None,
            end_time=row["end_time"].strftime("%H:%M") if row["end_time"] else None,
            from_date=row["from_date"],
            until_date=row["until_date"],
            note=row["note"],
        )


@strawberry.input
class ContactWindowInput:
    kind: WindowKind
    days_of_week: list[Weekday] | None = None
    weeks_of_month: list[int] | None = None
    start_time: str | None = None
    end_time: str | None = None
    from_date: date | None = None
    until_date: date | None = None
    note: str | None = None


@strawberry.type(description="A person at the customer.")
class Contact(Node):
    name: str
    title: str | None
    roles: list[ContactRole]
    email: str | None
    phone: str | None
    preferred_channel: Channel | None
    time_zone: str = strawberry.field(description="The contact's own time zone, else the account's.")
    language: str | None
    do_not_contact: bool
    version: int
    contact_id: strawberry.Private[UUID]
    account_id: strawberry.Private[UUID]

    @strawberry.field
    async def account(
        self, info: strawberry.Info
    ) -> Annotated["Account", strawberry.lazy("schema.types.account")]:
        from schema.types.account import Account

        return Account.from_row(await info.context.loaders.account.load(self.account_id))

    @strawberry.field(description="Evaluated in the contact's time zone at `at` (default now).")
    async def reachability(self, info: strawberry.Info, at: datetime | None = None) -> Reachability:
        rows = await info.context.loaders.windows.load(self.contact_id)
        result = evaluate(window_rules(rows), self.do_not_contact, self.time_zone, moment(at))
        return Reachability.of(result)

    @strawberry.field
    async def windows(self, info: strawberry.Info) -> list[ContactWindow]:
        return [
            ContactWindow.from_row(row) for row in await info.context.loaders.windows.load(self.contact_id)
        ]

    @classmethod
    def from_row(cls, row: asyncpg.Record, prefix: str = "") -> "Contact":
        return cls(
            id=strawberry.ID(ids.encode("Contact", row[f"{prefix}id"])),
            name=row[f"{prefix}name"],
            title=row[f"{prefix}title"],
            roles=[ContactRole(r) for r in row[f"{prefix}roles"]],
            email=row[f"{prefix}email"],
            phone=row[f"{prefix}phone"],
            preferred_channel=Channel(row[f"{prefix}preferred_channel"])
            if row[f"{prefix}preferred_channel"]
            else None,
            time_zone=row[f"{prefix}effective_time_zone"],
            language=row[f"{prefix}language"],
            do_not_contact=row[f"{prefix}do_not_contact"],
            version=row[f"{prefix}version"],
            contact_id=row[f"{prefix}id"],
            account_id=row[f"{prefix}account_id"],
        )
