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
from schema.types.enums import described_enum
from schema.types.invoice import Invoice
from schema.types.preference import Preference
from schema.types.reachability import Reachability
from schema.types.receivables import Receivables

RiskFlag = described_enum(
    RiskFlagValue,
    "RiskFlag",
    "Something to know before contacting a customer; the call brief and the queue agree on each.",
    {
        "DO_NOT_CONTACT": "The account has contacts and every one of them is marked do-not-contact.",
        "NOT_REACHABLE_NOW": "Nobody on the account may be contacted at the moment asked about.",
        "BROKEN_PROMISE": "A promise to pay broke in the last 180 days.",
        "OPEN_PROMISE": "A promise to pay is open: its deadline has not passed and it is not yet kept.",
        "OPEN_DISPUTE": "A dispute is open.",
        "FINANCIAL_DIFFICULTY_NEWS": "DOWNSIZING or FINANCIAL_DIFFICULTY news in the last 90 days.",
        "NO_BILLING_CONTACT": "No BILLING or ACCOUNTS_PAYABLE contact who may be contacted.",
        "SEVERELY_OVERDUE": "Money is 91 days or more overdue.",
    },
)


@strawberry.type(description="A person to contact, how, and whether now is a good time.")
class ContactSuggestion:
    contact: Contact = strawberry.field(description="The person.")
    channel: Channel | None = strawberry.field(
        description="The contact's preferred channel, else PHONE if a phone is known, else EMAIL."
    )
    reachability: Reachability = strawberry.field(
        description="Whether the person may be contacted at the brief's instant, and when next."
    )
    reason: str = strawberry.field(description='Why this person, e.g. "billing contact, prefers email".')


@strawberry.type(description="Everything to know before contacting the customer.")
class CallBrief:
    account: Account = strawberry.field(description="The customer.")
    at: datetime = strawberry.field(description="The instant the brief is for.")
    flags: list[RiskFlag] = strawberry.field(description="What to know first, in a fixed order.")
    who_to_contact: list[ContactSuggestion] = strawberry.field(
        description="Whom to contact, best first: whoever an open follow-up names, then billing "
        "contacts, reachable ones first; never anyone marked do-not-contact."
    )
    receivables: list[Receivables] = strawberry.field(description="What is owed, one per currency.")
    overdue_invoices: list[Invoice] = strawberry.field(description="Invoices with money past due.")
    open_promises: list[PromiseToPay] = strawberry.field(description="Promises to pay still OPEN.")
    broken_promises: list[PromiseToPay] = strawberry.field(
        description="Promises broken in the last 180 days."
    )
    open_disputes: list[Dispute] = strawberry.field(description="Disputes still OPEN, newest first.")
    recent_news: list[CustomerNews] = strawberry.field(
        description="Customer news of the last 90 days, newest first."
    )
    recent_interactions: list[TimelineEntry] = strawberry.field(
        description="The latest calls, emails, meetings, letters and texts, newest first."
    )
    pinned: list[TimelineEntry] = strawberry.field(description="Pinned entries, newest first.")
    preferences: list[Preference] = strawberry.field(description="How the customer likes to be dealt with.")
    open_follow_ups: list[FollowUp] = strawberry.field(
        description="Follow-ups not done yet, soonest due first."
    )
