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


def status_change_summary(number: str, from_status: str | None, to_status: str) -> str:
    if from_status is None:
        return f"Invoice {number} recorded as {to_status}"
    return f"Invoice {number}: {from_status} → {to_status}"


def status_after_payment(status_before: str, balance_after: object) -> str:
    """An invoice paid down to nothing is PAID; anything left makes it PARTIALLY_PAID, except
    that a disputed one stays DISPUTED: paying part of it does not settle the dispute, and AR
    must still see it as disputed (not chased as overdue)."""
    if balance_after == 0:
        return "PAID"
    return "DISPUTED" if status_before == "DISPUTED" else "PARTIALLY_PAID"
