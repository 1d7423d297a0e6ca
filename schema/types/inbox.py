"""The inbox: an item per entry a person should hear about, and why."""

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schema import ids
from schema.types.common import PageInfo
from schema.types.entries.common import TimelineEntry
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.account import Account


@strawberry.enum(description="Why an entry reached someone's inbox.")
class InboxReason(Enum):
    MENTIONED = strawberry.enum_value("MENTIONED", description="The entry names them.")
    ASSIGNED = strawberry.enum_value("ASSIGNED", description="A follow-up someone else assigned to them.")
    FOLLOWED_ACTIVITY = strawberry.enum_value(
        "FOLLOWED_ACTIVITY",
        description="News, a promise or a dispute on an account the user follows or owns.",
    )
    PROMISE_BROKEN = strawberry.enum_value(
        "PROMISE_BROKEN", description="A promise on an account they own turned BROKEN."
    )
    DISPUTE_OPENED = strawberry.enum_value(
        "DISPUTE_OPENED", description="A dispute opened on an account they own."
    )


@strawberry.type(description="Something the caller should hear about: an entry, and why it reached them.")
class InboxItem(Node):
    reason: InboxReason = strawberry.field(description="Why it reached the caller.")
    created_at: datetime = strawberry.field(description="When the item was written.")
    read_at: datetime | None = strawberry.field(
        description="When the caller marked it read; null while unread."
    )
    event_cursor: str | None = strawberry.field(
        default=None,
        description="Set on items delivered by Subscription.inbox: pass it as `after` to resume there.",
    )
    entry: TimelineEntry = strawberry.field(description="The entry the item is about.")
    account: Annotated["Account", strawberry.lazy("schema.types.account")] = strawberry.field(
        description="The entry's account."
    )

    @classmethod
    def from_row(
        cls, row: Mapping[str, Any], entry: TimelineEntry, account: "Account", prefix: str = ""
    ) -> "InboxItem":
        """Built with its entry and account already read: the page reads them in its own statement."""
        return cls(
            id=strawberry.ID(ids.encode("InboxItem", row[f"{prefix}id"])),
            reason=InboxReason(row[f"{prefix}reason"]),
            created_at=row[f"{prefix}created_at"],
            read_at=row[f"{prefix}read_at"],
            entry=entry,
            account=account,
        )


@strawberry.type(description="An inbox item in a page.")
class InboxEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the items after this one.")
    node: InboxItem = strawberry.field(description="The item.")


@strawberry.type(description="A page of the caller's inbox, newest first.")
class InboxConnection:
    edges: list[InboxEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    unread_count: int = strawberry.field(description="Unread items in the whole inbox, not just this page.")
