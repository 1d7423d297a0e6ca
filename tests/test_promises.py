"""A promise's status at the edges of its grace period, and journey 4 as a unit test."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.promises import (
    BROKEN_LOOKBACK_DAYS,
    Payment,
    Promise,
    PromiseStatus,
    broken_on,
    broken_recently,
    deadline,
    earliest_deadline_that_matters,
    paid_towards,
    payments_that_can_count,
    status,
)

RECORDED = date(2026, 3, 2)
PROMISE = Promise(
    amount=Decimal("500.00"),
    currency="EUR",
    recorded_on=RECORDED,
    promised_for=date(2026, 3, 10),
    grace_days=2,
    cancelled=False,
)
DEADLINE = date(2026, 3, 12)


def pay(on: date, amount: str = "500.00", currency: str = "EUR") -> Payment:
    return Payment(received_on=on, amount=Decimal(amount), currency=currency)


def test_deadline_adds_the_grace_days_and_breaks_the_day_after():
    assert deadline(PROMISE) == DEADLINE
    assert broken_on(PROMISE) == DEADLINE + timedelta(days=1)
    assert deadline(replace(PROMISE, grace_days=0)) == PROMISE.promised_for


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (RECORDED, PromiseStatus.OPEN),
        (PROMISE.promised_for, PromiseStatus.OPEN),
        (DEADLINE, PromiseStatus.OPEN),
        (DEADLINE + timedelta(days=1), PromiseStatus.BROKEN),
        (DEADLINE + timedelta(days=400), PromiseStatus.BROKEN),
    ],
)
def test_without_payment_it_is_open_through_the_deadline_and_broken_after(as_of, expected):
    assert status(PROMISE, [], as_of) == expected


def test_a_payment_on_the_deadline_day_keeps_it():
    assert status(PROMISE, [pay(DEADLINE)], DEADLINE) == PromiseStatus.KEPT
    assert status(PROMISE, [pay(DEADLINE)], DEADLINE + timedelta(days=30)) == PromiseStatus.KEPT


def test_a_payment_on_the_day_it_was_recorded_counts_but_not_the_day_before():
    assert status(PROMISE, [pay(RECORDED)], RECORDED) == PromiseStatus.KEPT
    before = [pay(RECORDED - timedelta(days=1))]
    assert paid_towards(PROMISE, before, DEADLINE) == 0
    assert status(PROMISE, before, DEADLINE + timedelta(days=1)) == PromiseStatus.BROKEN


def test_a_late_payment_does_not_keep_it():
    late = [pay(DEADLINE + timedelta(days=1))]
    assert paid_towards(PROMISE, late, DEADLINE + timedelta(days=5)) == 0
    assert status(PROMISE, late, DEADLINE + timedelta(days=5)) == PromiseStatus.BROKEN


def test_partial_payments_that_add_up_keep_it():
    parts = [pay(date(2026, 3, 3), "200.00"), pay(date(2026, 3, 9), "250.00"), pay(DEADLINE, "50.00")]
    assert status(PROMISE, parts[:2], DEADLINE) == PromiseStatus.OPEN
    assert status(PROMISE, parts[:2], DEADLINE + timedelta(days=1)) == PromiseStatus.BROKEN
    assert paid_towards(PROMISE, parts, DEADLINE) == Decimal("500.00")
    assert status(PROMISE, parts, DEADLINE) == PromiseStatus.KEPT


def test_overpaying_keeps_it():
    assert status(PROMISE, [pay(date(2026, 3, 5), "900.00")], DEADLINE) == PromiseStatus.KEPT


def test_a_payment_in_another_currency_does_not_count():
    dollars = [pay(date(2026, 3, 5), "10000.00", "USD")]
    assert paid_towards(PROMISE, dollars, DEADLINE) == 0
    assert status(PROMISE, dollars, DEADLINE + timedelta(days=1)) == PromiseStatus.BROKEN


def test_a_payment_after_as_of_has_not_happened_yet():
    later = [pay(date(2026, 3, 11))]
    assert paid_towards(PROMISE, later, date(2026, 3, 10)) == 0
    assert status(PROMISE, later, date(2026, 3, 10)) == PromiseStatus.OPEN
    assert status(PROMISE, later, date(2026, 3, 11)) == PromiseStatus.KEPT


@pytest.mark.parametrize("payments", [[], [pay(date(2026, 3, 5))]])
@pytest.mark.parametrize("as_of", [RECORDED, DEADLINE, DEADLINE + timedelta(days=1)])
def test_a_cancelled_promise_is_cancelled_whatever_was_paid(payments, as_of):
    assert status(replace(PROMISE, cancelled=True), payments, as_of) == PromiseStatus.CANCELLED


def test_money_is_decimal():
    assert isinstance(paid_towards(PROMISE, [], DEADLINE), Decimal)
    assert paid_towards(PROMISE, [pay(RECORDED, "0.10"), pay(RECORDED, "0.20")], DEADLINE) == Decimal("0.30")


@pytest.mark.parametrize(
    ("days_since_broken", "recent"),
    [(0, True), (1, True), (BROKEN_LOOKBACK_DAYS, True), (BROKEN_LOOKBACK_DAYS + 1, False)],
)
def test_broken_recently_looks_back_180_days_inclusive(days_since_broken, recent):
    as_of = broken_on(PROMISE) + timedelta(days=days_since_broken)
    assert broken_recently(PROMISE, [], as_of) is recent


def test_broken_recently_only_for_broken_promises():
    assert not broken_recently(PROMISE, [], DEADLINE)  # still OPEN
    assert not broken_recently(PROMISE, [pay(DEADLINE)], DEADLINE + timedelta(days=1))  # KEPT
    assert not broken_recently(replace(PROMISE, cancelled=True), [], DEADLINE + timedelta(days=1))


def test_broken_recently_takes_a_window():
    as_of = broken_on(PROMISE) + timedelta(days=10)
    assert broken_recently(PROMISE, [], as_of, days=10)
    assert not broken_recently(PROMISE, [], as_of, days=9)


class TestJourney4:
    """1,200.00 EUR promised for Friday 16 October 2026 with 3 grace days: the deadline is Monday 19th."""

    RECORDED_ON = date(2026, 10, 12)  # Monday
    THURSDAY = date(2026, 10, 15)
    FRIDAY = date(2026, 10, 16)
    PROMISE = Promise(
        amount=Decimal("1200.00"),
        currency="EUR",
        recorded_on=RECORDED_ON,
        promised_for=FRIDAY,
        grace_days=3,
        cancelled=False,
    )

    def test_open_until_friday_plus_grace(self):
        assert self.FRIDAY.weekday() == 4
        for day in range(8):
            as_of = self.RECORDED_ON + timedelta(days=day)
            assert status(self.PROMISE, [], as_of) == PromiseStatus.OPEN, as_of
        assert deadline(self.PROMISE) == date(2026, 10, 19)

    def test_a_covering_payment_on_thursday_keeps_it(self):
        paid = [Payment(received_on=self.THURSDAY, amount=Decimal("1200.00"), currency="EUR")]
        assert status(self.PROMISE, paid, self.THURSDAY - timedelta(days=1)) == PromiseStatus.OPEN
        assert status(self.PROMISE, paid, self.THURSDAY) == PromiseStatus.KEPT
        assert status(self.PROMISE, paid, date(2026, 10, 20)) == PromiseStatus.KEPT
        assert not broken_recently(self.PROMISE, paid, date(2026, 10, 20))

    def test_without_one_it_breaks_the_day_after_the_grace_period(self):
        assert status(self.PROMISE, [], date(2026, 10, 19)) == PromiseStatus.OPEN
        assert status(self.PROMISE, [], date(2026, 10, 20)) == PromiseStatus.BROKEN
        assert broken_on(self.PROMISE) == date(2026, 10, 20)
        assert broken_recently(self.PROMISE, [], date(2026, 10, 20))


# Properties over any promise and payments.

DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 30))
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000.00"), places=2)
CURRENCIES = st.sampled_from(["EUR", "USD"])
PROMISES = st.builds(
    Promise,
    amount=MONEY,
    currency=CURRENCIES,
    recorded_on=DAYS,
    promised_for=DAYS,
    grace_days=st.integers(0, 10),
    cancelled=st.booleans(),
)
PAYMENTS = st.lists(st.builds(Payment, received_on=DAYS, amount=MONEY, currency=CURRENCIES), max_size=6)


@settings(database=None)
@given(promise=PROMISES, payments=PAYMENTS)
def test_status_settles_after_the_deadline_and_never_goes_back(promise, payments):
    days = [date(2025, 12, 1) + timedelta(days=d) for d in range(260)]
    by_day = {d: status(promise, payments, d) for d in days}
    assert len({s for d, s in by_day.items() if d > deadline(promise)}) == 1  # settled after the deadline
    assert PromiseStatus.BROKEN not in {s for d, s in by_day.items() if d <= deadline(promise)}
    seen_kept = False
    for s in by_day.values():
        seen_kept = seen_kept or s == PromiseStatus.KEPT
        assert not seen_kept or s == PromiseStatus.KEPT  # once kept, always kept
    paid = [paid_towards(promise, payments, d) for d in days]
    assert paid == sorted(paid)
    assert paid_towards(promise, list(reversed(payments)), days[-1]) == paid[-1]


@settings(database=None)
@given(promise=PROMISES, payments=PAYMENTS, as_of=st.dates(date(2025, 12, 1), date(2027, 6, 30)))
def test_a_promise_whose_deadline_is_before_the_earliest_that_matters_is_neither_open_nor_recently_broken(
    promise, payments, as_of
):
    if deadline(promise) < earliest_deadline_that_matters(as_of):
        assert status(promise, payments, as_of) != PromiseStatus.OPEN
        assert not broken_recently(promise, payments, as_of)


def test_the_earliest_deadline_that_matters_is_the_last_one_still_broken_recently():
    as_of = date(2026, 11, 23)
    last = replace(PROMISE, promised_for=earliest_deadline_that_matters(as_of), grace_days=0)
    assert broken_recently(last, [], as_of)
    assert not broken_recently(replace(last, promised_for=last.promised_for - timedelta(days=1)), [], as_of)


@settings(database=None)
@given(promise=PROMISES, payments=PAYMENTS, as_of=st.dates(date(2025, 12, 1), date(2026, 9, 30)))
def test_the_payments_that_can_count_judge_a_promise_as_all_of_them_do(promise, payments, as_of):
    can_count = payments_that_can_count(promise, payments)
    assert paid_towards(promise, can_count, as_of) == paid_towards(promise, payments, as_of)
    assert status(promise, can_count, as_of) == status(promise, payments, as_of)
