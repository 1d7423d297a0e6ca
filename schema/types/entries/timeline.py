"""An account's timeline, a page at a time, newest first, with the filters a reader may set."""

from datetime import datetime
from uuid import UUID

import strawberry

from schema import ids, pagination
from schema.moments import bound
from schema.types.common import Connection, Edge, page_info
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import EntryKind
from schema.types.entries.rows import entries_with_invoices
from schema.types.user import Team
from store import entries


@strawberry.type(description="A page of a timeline, newest first.")
class TimelineEntryConnection(Connection[TimelineEntry]):
    pass


@strawberry.input(description="Narrows a timeline: an entry must match every field set.")
class TimelineFilter:
    kinds: list[EntryKind] | None = strawberry.field(default=None, description="Any of these kinds.")
    teams: list[Team] | None = strawberry.field(default=None, description="Written by any of these teams.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="About this person (a Contact id)."
    )
    invoice_id: strawberry.ID | None = strawberry.field(
        default=None, description="About this invoice (an Invoice id)."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Carrying at least one of these tags."
    )
    since: datetime | None = strawberry.field(default=None, description="Occurred at or after this instant.")
    until: datetime | None = strawberry.field(default=None, description="Occurred at or before this instant.")

    def to_store(self) -> entries.TimelineFilter:
        return entries.TimelineFilter(
            kinds=[k.value for k in self.kinds] if self.kinds else None,
            teams=[t.value for t in self.teams] if self.teams else None,
            contact_id=ids.decode_as(self.contact_id, "Contact") if self.contact_id else None,
            invoice_id=ids.decode_as(self.invoice_id, "Invoice") if self.invoice_id else None,
            tags=self.tags or None,
            since=bound(self.since, "since"),
            until=bound(self.until, "until"),
        )


async def timeline_page(
    info: strawberry.Info,
    account_id: UUID,
    where: entries.TimelineFilter,
    first: int | None,
    after: str | None,
) -> TimelineEntryConnection:
    size = pagination.page_size(first)
    key = pagination.decode(after, pagination.TIMESTAMP, pagination.ID)
    context = info.context
    async with context.pool.acquire() as conn:
        rows = await entries.timeline(
            conn,
            account_id,
            restricted=context.sees_restricted,
            where=where,
            after=key,
            limit=size + 1,
        )
        nodes = await entries_with_invoices(conn, rows[:size])
    edges = [
        Edge(cursor=pagination.encode(row["occurred_at"], row["id"]), node=node)
        for row, node in zip(rows, nodes, strict=False)
    ]
    return TimelineEntryConnection(edges=edges, page_info=page_info(edges, has_next=len(rows) > size))
