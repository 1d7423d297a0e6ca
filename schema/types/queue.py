"""The collections queue: whom AR should call first, one account per item, highest priority first."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from schema.types.account import Account
from schema.types.brief import ContactSuggestion, RiskFlag
from schema.types.common import Money, PageInfo


@strawberry.type(description="One account in the collections queue, with why it is where it is.")
class CollectionsItem:
    account: Account = strawberry.field(description="The customer.")
    priority: float = strawberry.field(description="Higher = call sooner; see reasons.")
    overdue: list[Money] = strawberry.field(description="Per currency, disputed amounts excluded.")
    oldest_days_overdue: int = strawberry.field(
        description="Days past due of its oldest overdue money that no open promise covers."
    )
    reachable_now: bool = strawberry.field(
        description="Whether someone on the account may be contacted at the queue's instant."
    )
    flags: list[RiskFlag] = strawberry.field(description="What to know before calling.")
    reasons: list[str] = strawberry.field(
        description='Why this priority, as sentences, e.g. "oldest unpromised debt 45 days overdue".'
    )
    who_to_contact: strawberry.Private[Callable[[], Awaitable[list[ContactSuggestion]]]]

    @strawberry.field(
        description="Whom to contact first: the first of the account's callBrief.whoToContact at the "
        "queue's instant; null if nobody may be contacted."
    )
    async def suggested_contact(self) -> ContactSuggestion | None:
        suggestions = await self.who_to_contact()
        return suggestions[0] if suggestions else None

    @strawberry.field(
        description="When someone on the account is next reachable, within 60 days; null when "
        "reachableNow, or when nobody is reachable within 60 days."
    )
    async def next_reachable_at(self) -> datetime | None:
        if self.reachable_now:
            return None
        suggestions = await self.who_to_contact()
        return min(
            (s.reachability.next_reachable_at for s in suggestions if s.reachability.next_reachable_at),
            default=None,
        )


@strawberry.type(description="One account of the queue, with its cursor.")
class CollectionsEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue after this account.")
    node: CollectionsItem = strawberry.field(description="The account and its priority.")


@strawberry.type(description="A page of the collections queue, most urgent first.")
class CollectionsConnection:
    edges: list[CollectionsEdge] = strawberry.field(
        description="The accounts of this page, most urgent first."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more accounts follow, and the cursor to read them."
    )
