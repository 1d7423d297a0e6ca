"""The call brief and the collections queue: what to know before contacting a customer."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from domain.risk import RiskFlag as RiskFlagValue
from schema.types.account import Account
from schema.types.common import Money, PageInfo
from schema.types.contact import Channel, Contact
from schema.types.entry import CustomerNews, Dispute, FollowUp, PromiseToPay, TimelineEntry
from schema.types.invoice import Invoice
from schema.types.preference import Preference
from schema.types.reachability import Reachability
from schema.types.receivables import Receivables

RiskFlag = strawberry.enum(RiskFlagValue, name="RiskFlag")


@strawberry.type
class ContactSuggestion:
    contact: Contact
    channel: Channel | None = strawberry.field(
        description="The contact's preferred channel, else PHONE if a phone is known, else EMAIL."
    )
    reachability: Reachability
    reason: str = strawberry.field(description='Why this person, e.g. "billing contact, prefers email".')


@strawberry.type(description="Everything to know before contacting the customer.")
class CallBrief:
    account: Account
    at: datetime
    flags: list[RiskFlag]
    who_to_contact: list[ContactSuggestion]
    receivables: list[Receivables]
    overdue_invoices: list[Invoice]
    open_promises: list[PromiseToPay]
    broken_promises: list[PromiseToPay]
    open_disputes: list[Dispute]
    recent_news: list[CustomerNews]
    recent_interactions: list[TimelineEntry]
    pinned: list[TimelineEntry]
    preferences: list[Preference]
    open_follow_ups: list[FollowUp]


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
