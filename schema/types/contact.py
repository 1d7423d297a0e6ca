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
from schema.types.enums import described_enum
from schema.types.node import Node
from schema.types.reachability import Reachability
from store.facts import window_rules

if TYPE_CHECKING:
    from schema.types.account import Account


Channel = described_enum(
    contacts.Channel,
    "Channel",
    "A way to reach a person.",
    {
        "PHONE": "A phone call.",
        "EMAIL": "An email.",
        "SMS": "A text message.",
        "LETTER": "A letter by post.",
        "MEETING": "In person or by video.",
        "PORTAL": "The customer's supplier or billing portal.",
    },
)
ContactRole = described_enum(
    contacts.ContactRole,
    "ContactRole",
    "What a person does for the customer, as far as we deal with them.",
    {
        "BILLING": "Receives and queries invoices.",
        "ACCOUNTS_PAYABLE": "Pays invoices: the first person AR calls.",
        "DECISION_MAKER": "Signs contracts and agreements such as payment plans.",
        "TECHNICAL": "Uses or runs what was sold.",
        "OTHER": "Any other role.",
    },
)
Weekday = described_enum(
    windows.Weekday,
    "Weekday",
    "A day of the week, in the contact's own time zone.",
    {
        "MON": "Monday.",
        "TUE": "Tuesday.",
        "WED": "Wednesday.",
        "THU": "Thursday.",
        "FRI": "Friday.",
        "SAT": "Saturday.",
        "SUN": "Sunday.",
    },
)
WindowKind = described_enum(
    windows.WindowKind,
    "WindowKind",
    "Whether a contact window says when to reach a person or when not to.",
    {
        "PREFERRED": "Reach the person only within such windows (when they have any).",
        "BLACKOUT": "Never reach the person within this window, e.g. a vacation; overrides PREFERRED.",
    },
)


@strawberry.type(
    description="When to reach, or not reach, a person, in their local time; "
    "every set field must match for the rule to apply."
)
class ContactWindow:
    kind: WindowKind = strawberry.field(
        description="PREFERRED: reach the person within it; BLACKOUT: never within it."
    )
    days_of_week: list[Weekday] | None = strawberry.field(
        description="The days it covers; null for every day."
    )
    weeks_of_month: list[int] | None = strawberry.field(
        description="The weeks of the month it covers, 1-5 (week n is days 7n-6 to 7n); null for every week."
    )
    start_time: str | None = strawberry.field(
        description='Local wall-clock time "HH:MM" (24 h) in the contact\'s time zone it '
        "starts; null from midnight."
    )
    end_time: str | None = strawberry.field(
        description='Local wall-clock time "HH:MM" (24 h) in the contact\'s time zone it '
        'ends, after startTime ("24:00" ends the day); null to midnight.'
    )
    from_date: date | None = strawberry.field(
        description="The first day it applies (the contact's local date); null since always."
    )
    until_date: date | None = strawberry.field(
        description="The last day it applies, included; null for ever."
    )
    note: str | None = strawberry.field(description='Why, in words, e.g. "vacation"; null without one.')

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


@strawberry.input(
    description="A contact window: when to reach, or not reach, a person in their local "
    "time; every field set must match. At most 20 per contact."
)
class ContactWindowInput:
    kind: WindowKind = strawberry.field(
        description="PREFERRED: reach the person within it; BLACKOUT: never within it."
    )
    days_of_week: list[Weekday] | None = strawberry.field(
        default=None, description="The days it covers; null or empty for every day."
    )
    weeks_of_month: list[int] | None = strawberry.field(
        default=None,
        description="Weeks of the month, each 1-5 (week n is days 7n-6 to 7n); null or empty for every week.",
    )
    start_time: str | None = strawberry.field(
        default=None,
        description='Local wall-clock time "HH:MM" (24 h) in the contact\'s time zone it '
        'starts, e.g. "09:00"; null from midnight.',
    )
    end_time: str | None = strawberry.field(
        default=None,
        description='Local wall-clock time "HH:MM" (24 h) in the contact\'s time zone it '
        'ends, after startTime; "24:00" ends the day; null to midnight.',
    )
    from_date: date | None = strawberry.field(
        default=None, description="The first day it applies; null since always."
    )
    until_date: date | None = strawberry.field(
        default=None, description="The last day it applies, included, not before fromDate; null for ever."
    )
    note: str | None = strawberry.field(default=None, description="Why, in words; at most 1,000 characters.")


@strawberry.type(description="A person at the customer.")
class Contact(Node):
    name: str = strawberry.field(description="Full name, 1-200 characters.")
    title: str | None = strawberry.field(description='Job title, e.g. "AP clerk"; null when unknown.')
    roles: list[ContactRole] = strawberry.field(
        description="What the person does for the customer; empty when unknown."
    )
    email: str | None = strawberry.field(description="Email address; null when unknown.")
    phone: str | None = strawberry.field(description="Phone number as given; null when unknown.")
    preferred_channel: Channel | None = strawberry.field(
        description="How the person likes to be reached; null when they did not say."
    )
    time_zone: str = strawberry.field(description="The contact's own time zone, else the account's.")
    language: str | None = strawberry.field(
        description='BCP 47 language tag, e.g. "de" or "fr-CH"; null when unknown.'
    )
    do_not_contact: bool = strawberry.field(
        description="True: nobody may contact this person; they are never suggested."
    )
    version: int = strawberry.field(
        description="Optimistic concurrency token: send it as expectedVersion to updateContact."
    )
    contact_id: strawberry.Private[UUID]
    account_id: strawberry.Private[UUID]

    @strawberry.field(description="The customer this person works for.")
    async def account(
        self, info: strawberry.Info
    ) -> Annotated["Account", strawberry.lazy("schema.types.account")]:
        from schema.types.account import Account

        return Account.from_row(await info.context.loaders.account.load(self.account_id))

    @strawberry.field(description="Evaluated in the contact's time zone at `at` (default now).")
    async def reachability(
        self,
        info: strawberry.Info,
        at: Annotated[
            datetime | None,
            strawberry.argument(
                description="The instant to judge, within ten years of now; default now. A time "
                "without offset is UTC."
            ),
        ] = None,
    ) -> Reachability:
        rows = await info.context.loaders.windows.load(self.contact_id)
        result = evaluate(window_rules(rows), self.do_not_contact, self.time_zone, moment(at))
        return Reachability.of(result)

    @strawberry.field(description="When to reach, or not reach, the person, in the order they were stated.")
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
