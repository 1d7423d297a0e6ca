"""A promise to pay: its status is derived from the payments received, never stored.

Storing a status would go stale the moment a payment arrives or a day passes;
deriving it from the promise and the payments on read means the timeline, the
call brief and the queue (which restates this rule in SQL) always agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

BROKEN_LOOKBACK_DAYS = 180  # a broken promise still matters on the call for about half a year


class PromiseStatus(Enum):
    OPEN = "OPEN"
    KEPT = "KEPT"
    BROKEN = "BROKEN"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class Promise:
    amount: Decimal
    currency: str
    recorded_on: date  # the date the promise was recorded
    promised_for: date
    grace_days: int
    cancelled: bool


@dataclass(frozen=True, slots=True)
class Payment:
    received_on: date
    amount: Decimal
    currency: str


def _later(day: date, days: int) -> date:
    """`days` after `day`, stopping at the last date Python has rather than overflowing."""
    return day + timedelta(days=days) if date.max - day >= timedelta(days=days) else date.max


def deadline(promise: Promise) -> date:
    """The last day a payment still keeps the promise: grace allows for bank transfer delays."""
    return _later(promise.promised_for, promise.grace_days)


def paid_towards(promise: Promise, payments: Iterable[Payment], as_of: date) -> Decimal:
    """What was paid towards the promise as known on `as_of`.

    Payments are not allocated to promises, so any payment on the account in the
    promise's currency counts. Payments before the promise was recorded were
    already known when the customer promised, so they cannot be what was
    promised; payments after the deadline are late and do not keep it; payments
    after `as_of` had not happened yet on that day. Other currencies are never
    converted.
    """
    last = min(deadline(promise), as_of)
    return sum(
        (
            p.amount
            for p in payments
            if p.currency == promise.currency and promise.recorded_on <= p.received_on <= last
        ),
        Decimal(0),
    )


def status(promise: Promise, payments: Iterable[Payment], as_of: date) -> PromiseStatus:
    """A cancelled promise stays CANCELLED whatever was paid: nobody is waiting on it any more."""
    if promise.cancelled:
        return PromiseStatus.CANCELLED
    if paid_towards(promise, payments, as_of) >= promise.amount:
        return PromiseStatus.KEPT
    if as_of > deadline(promise):
        return PromiseStatus.BROKEN
    return PromiseStatus.OPEN


def broken_on(promise: Promise) -> date:
    """The first day the promise counts as broken: the whole deadline day is still the customer's."""
    return _later(deadline(promise), 1)


def broken_recently(
    promise: Promise, payments: Iterable[Payment], as_of: date, days: int = BROKEN_LOOKBACK_DAYS
) -> bool:
    """Whether a broken promise is recent enough to flag; the window is inclusive at both ends."""
    recent = broken_on(promise) >= as_of - timedelta(days=days)
    return recent and status(promise, payments, as_of) == PromiseStatus.BROKEN


def earliest_deadline_that_matters(as_of: date, days: int = BROKEN_LOOKBACK_DAYS) -> date:
    """A promise whose deadline is before this day is neither OPEN nor broken recently on `as_of`,
    whatever was paid: the call brief reads only promises from here on, not the account's history."""
    return as_of - timedelta(days=days + 1)


def payments_that_can_count(promise: Promise, payments: Iterable[Payment]) -> list[Payment]:
    """The payments `paid_towards` may count for the promise on any day: a reader that carries
    these alone judges it as if it had every payment of the account."""
    last = deadline(promise)
    return [
        p for p in payments if p.currency == promise.currency and promise.recorded_on <= p.received_on <= last
    ]
