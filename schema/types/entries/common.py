"""What every entry has: the TimelineEntry interface and its earlier versions.

Entries are built from the joined timeline row (author, contact and account in
the same row) with plain fields, so a page resolves without further queries
but one for the invoices of the whole page.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry

from schema.types.entries.enums import EntryKind, Visibility
from schema.types.node import Node
from schema.types.user import Team, User

if TYPE_CHECKING:
    from schema.types.account import Account
    from schema.types.contact import Contact
    from schema.types.invoice import Invoice

AccountRef = Annotated["Account", strawberry.lazy("schema.types.account")]
ContactRef = Annotated["Contact", strawberry.lazy("schema.types.contact")]
InvoiceRef = Annotated["Invoice", strawberry.lazy("schema.types.invoice")]


@strawberry.type(description="An earlier version of an entry's text.")
class EntryRevision:
    revision: int = strawberry.field(description="Which version this was: 1 is the original text.")
    summary: str = strawberry.field(description="The summary as it was.")
    body: str | None = strawberry.field(description="The body as it was; null if it had none.")
    tags: list[str] = strawberry.field(description="The tags as they were.")
    edited_by: User | None = strawberry.field(
        description="Who wrote this version: its editor, or the author of the original; null: the service."
    )
    edited_at: datetime = strawberry.field(description="When this version was written.")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "EntryRevision":
        return cls(
            revision=row["revision"],
            summary=row["summary"],
            body=row["body"],
            tags=list(row["tags"]),
            edited_by=User.from_row(row, "editor_") if row["editor_id"] else None,
            edited_at=row["edited_at"],
        )


@strawberry.interface(description="Something that happened with a customer, on its timeline.")
class TimelineEntry(Node):
    account: AccountRef = strawberry.field(description="The account whose timeline it is on.")
    kind: EntryKind = strawberry.field(description="What it records; decides its type.")
    occurred_at: datetime = strawberry.field(
        description="When it happened, as the author said; the timeline's order."
    )
    recorded_at: datetime = strawberry.field(description="When it was written to Rapport.")
    author: User | None = strawberry.field(description="Null when written by the service itself.")
    team: Team = strawberry.field(description="The author's team when it was written.")
    summary: str = strawberry.field(
        description="One line, at most 500 characters. Card numbers and IBANs are masked to "
        "their last four characters."
    )
    body: str | None = strawberry.field(
        description="The full text, at most 50,000 characters, masked like the summary; "
        "null when there is none."
    )
    contact: ContactRef | None = strawberry.field(description="The person it concerns; null when none.")
    invoices: list[InvoiceRef] = strawberry.field(description="The invoices it concerns; empty when none.")
    tags: list[str] = strawberry.field(description="Labels; empty when none.")
    pinned: bool = strawberry.field(
        description="Pinned entries show first in Account.pinned and the call brief."
    )
    visibility: Visibility = strawberry.field(description="RESTRICTED entries reach only AR and ADMIN.")
    revision: int = strawberry.field(description="1 on creation, +1 per edit.")
    entry_id: strawberry.Private[UUID]
    event_cursor: str | None = strawberry.field(
        default=None,
        description="Set on entries delivered by Subscription.timeline: pass it as `after` to resume there.",
    )

    @strawberry.field(description="Users named in the entry; each gets an inbox item.")
    async def mentions(self, info: strawberry.Info) -> list[User]:
        rows = await info.context.loaders.mentions.load(self.entry_id)
        return [User.from_row(row) for row in rows]

    @strawberry.field(description="Earlier versions, newest first.")
    async def revisions(self, info: strawberry.Info) -> list[EntryRevision]:
        rows = await info.context.loaders.revisions.load(self.entry_id)
        return [EntryRevision.from_row(row) for row in rows]

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        """The fields this kind adds to the common ones, from its stored row."""
        return {}
