"""The call brief: what to know before contacting a customer."""

from datetime import datetime

import strawberry

from domain.risk import RiskFlag as RiskFlagValue
from schema.types.account import Account
from schema.types.contact import Channel, Contact
from schema.types.entries.common import TimelineEntry
from schema.types.entries.conversation import CustomerNews
from schema.types.entries.dispute import Dispute
from schema.types.entries.follow_up import FollowUp
from schema.types.entries.promise import PromiseToPay
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
