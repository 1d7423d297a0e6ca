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
    revision: int
    summary: str
    body: str | None
    tags: list[str]
    edited_by: User | None
    edited_at: datetime

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
    account: AccountRef
    kind: EntryKind
    occurred_at: datetime
    recorded_at: datetime
    author: User | None = strawberry.field(description="Null when written by the service itself.")
    team: Team
    summary: str
    body: str | None
    contact: ContactRef | None
    invoices: list[InvoiceRef]
    tags: list[str]
    pinned: bool
    visibility: Visibility
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
