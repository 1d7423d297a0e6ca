"""The collections queue: whom AR should call first, one account per item, highest priority first."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from schema.types.account import Account
from schema.types.brief import ContactSuggestion, RiskFlag
from schema.types.common import Money, PageInfo


@strawberry.type
class CollectionsItem:
    account: Account
    priority: float = strawberry.field(description="Higher = call sooner; see reasons.")
    overdue: list[Money] = strawberry.field(description="Per currency, disputed amounts excluded.")
    oldest_days_overdue: int
    reachable_now: bool
    flags: list[RiskFlag]
    reasons: list[str]
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


@strawberry.type
class CollectionsEdge:
    cursor: str
    node: CollectionsItem


@strawberry.type
class CollectionsConnection:
    edges: list[CollectionsEdge]
    page_info: PageInfo
