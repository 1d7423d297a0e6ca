"""Entry kinds and the facts about them that several rules share."""

from enum import Enum


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

DEFAULT_GRACE_DAYS = 3
