"""The collections queue: whom AR should call first, one account per item, highest priority first."""

import strawberry

from schema.types.account import Account
from schema.types.brief import RiskFlag
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


@strawberry.type
class CollectionsEdge:
    cursor: str
    node: CollectionsItem


@strawberry.type
class CollectionsConnection:
    edges: list[CollectionsEdge]
    page_info: PageInfo
