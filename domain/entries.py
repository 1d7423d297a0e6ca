"""Entry kinds and the facts about them that several rules share."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.money import display_amount


class EntryKind(Enum):
    NOTE = "NOTE"
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    LETTER = "LETTER"
    SMS = "SMS"
    NEWS = "NEWS"
    PROMISE_TO_PAY = "PROMISE_TO_PAY"
    DISPUTE = "DISPUTE"
    PAYMENT_PLAN = "PAYMENT_PLAN"
    INVOICE_STATUS = "INVOICE_STATUS"
    PAYMENT = "PAYMENT"
    FOLLOW_UP = "FOLLOW_UP"


INTERACTION_KINDS = frozenset(
    {EntryKind.CALL, EntryKind.EMAIL, EntryKind.MEETING, EntryKind.LETTER, EntryKind.SMS}
)
# What a call brief lists as the last conversations: interactions, and the notes people took.
CONVERSATION_KINDS = INTERACTION_KINDS | {EntryKind.NOTE}

DEFAULT_GRACE_DAYS = 3
GRACE_DAYS_MAX = 90
INSTALLMENTS_MAX = 120
RESOLUTION_MAX = 5_000
DELETE_REASON_MAX = 500


class Visibility(Enum):
    ALL_TEAMS = "ALL_TEAMS"
    RESTRICTED = "RESTRICTED"


class Direction(Enum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class InteractionOutcome(Enum):
    REACHED = "REACHED"
    LEFT_MESSAGE = "LEFT_MESSAGE"
    NO_ANSWER = "NO_ANSWER"
    WRONG_CONTACT = "WRONG_CONTACT"
    BOUNCED = "BOUNCED"


class NewsCategory(Enum):
    DOWNSIZING = "DOWNSIZING"
    EXPANSION = "EXPANSION"
    LEADERSHIP_CHANGE = "LEADERSHIP_CHANGE"
    MERGER_ACQUISITION = "MERGER_ACQUISITION"
    FINANCIAL_DIFFICULTY = "FINANCIAL_DIFFICULTY"
    RELOCATION = "RELOCATION"
    OTHER = "OTHER"


class DisputeReason(Enum):
    PRICING = "PRICING"
    QUANTITY = "QUANTITY"
    QUALITY = "QUALITY"
    NOT_RECEIVED = "NOT_RECEIVED"
    DUPLICATE_BILLING = "DUPLICATE_BILLING"
    BILLING_ERROR = "BILLING_ERROR"
    OTHER = "OTHER"


class DisputeStatus(Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"


def promise_summary(amount: Decimal, currency: str, promised_for: date) -> str:
    """The summary a promise gets when its author wrote none ("" for an amount validation refuses)."""
    if not amount.is_finite():
        return ""
    return f"Promise to pay {display_amount(amount)} {currency} by {promised_for}"


def plan_summary(amounts: Iterable[Decimal], currency: str) -> str:
    """The summary a payment plan gets when its author wrote none."""
    amounts = list(amounts)
    total = sum((amount for amount in amounts if amount.is_finite()), Decimal(0))
    return f"Payment plan: {len(amounts)} installments, {display_amount(total)} {currency} in all"
