"""Days overdue and aging buckets, by days past the due date."""

from datetime import date
from decimal import Decimal
from enum import Enum

from domain.invoices import NOT_PAYABLE


class AgingBucket(Enum):
    CURRENT = "CURRENT"
    DAYS_1_30 = "DAYS_1_30"
    DAYS_31_60 = "DAYS_31_60"
    DAYS_61_90 = "DAYS_61_90"
    DAYS_91_PLUS = "DAYS_91_PLUS"


def days_overdue(due_on: date, balance: Decimal, status: str, as_of: date) -> int:
    """Days past due; 0 when not yet due, nothing is owed, or the invoice is closed."""
    if balance <= 0 or status in NOT_PAYABLE:
        return 0
    return max(0, (as_of - due_on).days)


def bucket(days: int) -> AgingBucket:
    if days <= 0:
        return AgingBucket.CURRENT
    if days <= 30:
        return AgingBucket.DAYS_1_30
    if days <= 60:
        return AgingBucket.DAYS_31_60
    if days <= 90:
        return AgingBucket.DAYS_61_90
    return AgingBucket.DAYS_91_PLUS
