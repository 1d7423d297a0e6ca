"""Aging buckets at their edges, and receivables per currency with disputes kept apart."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.aging import AgingBucket, bucket, days_overdue
from domain.receivables import InvoiceFacts, Receivables, is_overdue, receivables

AS_OF = date(2026, 10, 14)
ZERO = Decimal(0)


def invoice(
    days_past_due: int,
    balance: str = "100.00",
    currency: str = "EUR",
    status: str = "OPEN",
    disputed: bool = False,
) -> InvoiceFacts:
    return InvoiceFacts(
        currency=currency,
        due_on=AS_OF - timedelta(days=days_past_due),
        balance=Decimal(balance),
        status=status,
        disputed=disputed,
    )


def buckets(**amounts: str) -> tuple[tuple[AgingBucket, Decimal], ...]:
    return tuple((b, Decimal(amounts.get(b.name, "0"))) for b in AgingBucket)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-5, AgingBucket.CURRENT),
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.DAYS_1_30),
        (30, AgingBucket.DAYS_1_30),
        (31, AgingBucket.DAYS_31_60),
        (60, AgingBucket.DAYS_31_60),
        (61, AgingBucket.DAYS_61_90),
        (90, AgingBucket.DAYS_61_90),
        (91, AgingBucket.DAYS_91_PLUS),
        (1000, AgingBucket.DAYS_91_PLUS),
    ],
)
def test_aging_bucket_boundaries(days, expected):
    i = invoice(days)
    assert bucket(days_overdue(i.due_on, i.balance, i.status, AS_OF)) == expected


@pytest.mark.parametrize(
    ("facts", "days"),
    [
        (invoice(10), 10),
        (invoice(-10), 0),
        (invoice(10, balance="0.00"), 0),
        (invoice(10, status="PAID"), 0),
        (invoice(10, status="VOID"), 0),
        (invoice(10, status="WRITTEN_OFF"), 0),
        (invoice(10, status="DRAFT"), 0),
        (invoice(10, status="PARTIALLY_PAID"), 10),
    ],
)
def test_days_overdue_is_zero_when_nothing_is_owed_yet(facts, days):
    assert days_overdue(facts.due_on, facts.balance, facts.status, AS_OF) == days


@pytest.mark.parametrize(
    ("facts", "overdue"),
    [
        (invoice(1), True),
        (invoice(0), False),  # due today is not late yet
        (invoice(-3), False),
        (invoice(40, status="PARTIALLY_PAID"), True),
        (invoice(40, disputed=True), False),
        (invoice(40, status="DISPUTED", disputed=True), False),
        (invoice(40, balance="0.00"), False),
        (invoice(40, balance="-5.00"), False),
        (invoice(40, status="PAID"), False),
        (invoice(40, status="VOID"), False),
        (invoice(40, status="WRITTEN_OFF"), False),
        (invoice(40, status="DRAFT"), False),
    ],
)
def test_is_overdue(facts, overdue):
    assert is_overdue(facts, AS_OF) is overdue


def test_nothing_owed_means_no_receivables():
    assert receivables([], AS_OF) == []
    closed = [invoice(10, status=s) for s in ("PAID", "VOID", "WRITTEN_OFF", "DRAFT")]
    assert receivables([*closed, invoice(10, balance="0.00")], AS_OF) == []


def test_one_currency_in_buckets():
    facts = [invoice(-3, "10.00"), invoice(0, "20.00"), invoice(5, "30.00"), invoice(45, "40.00")]
    facts += [invoice(75, "50.00"), invoice(120, "60.50")]
    assert receivables(facts, AS_OF) == [
        Receivables(
            currency="EUR",
            open=Decimal("210.50"),
            overdue=Decimal("180.50"),
            disputed=ZERO,
            buckets=(
                (AgingBucket.CURRENT, Decimal("30.00")),
                (AgingBucket.DAYS_1_30, Decimal("30.00")),
                (AgingBucket.DAYS_31_60, Decimal("40.00")),
                (AgingBucket.DAYS_61_90, Decimal("50.00")),
                (AgingBucket.DAYS_91_PLUS, Decimal("60.50")),
            ),
            open_invoice_count=6,
            oldest_days_overdue=120,
        )
    ]


def test_currencies_are_never_mixed_and_come_sorted():
    facts = [invoice(10, "100.00", "USD"), invoice(40, "7.00", "EUR"), invoice(2, "3.00", "USD")]
    facts.append(invoice(5, "9.00", "GBP", status="PAID"))
    eur, usd = receivables(facts, AS_OF)
    assert (eur.currency, eur.open, eur.overdue, eur.open_invoice_count) == ("EUR", Decimal("7.00"), 7, 1)
    assert eur.buckets == buckets(DAYS_31_60="7.00")
    assert eur.oldest_days_overdue == 40
    assert (usd.currency, usd.open, usd.overdue, usd.open_invoice_count) == ("USD", Decimal("103.00"), 103, 2)
    assert usd.buckets == buckets(DAYS_1_30="103.00")
    assert usd.oldest_days_overdue == 10


def test_disputed_invoices_are_open_and_disputed_but_not_overdue_or_aged():
    facts = [
        invoice(100, "500.00", status="DISPUTED", disputed=True),
        invoice(50, "200.00", disputed=True),  # an open dispute names it
        invoice(10, "30.00"),
    ]
    [eur] = receivables(facts, AS_OF)
    assert eur.open == Decimal("730.00")
    assert eur.disputed == Decimal("700.00")
    assert eur.overdue == Decimal("30.00")
    assert eur.buckets == buckets(DAYS_1_30="30.00")
    assert eur.open_invoice_count == 3
    assert eur.oldest_days_overdue == 10


def test_an_account_with_only_disputed_invoices_owes_but_is_not_overdue():
    [eur] = receivables([invoice(100, "500.00", disputed=True)], AS_OF)
    assert (eur.open, eur.disputed, eur.overdue, eur.oldest_days_overdue) == (500, 500, 0, 0)
    assert eur.buckets == buckets()


def test_closed_draft_and_zero_balance_invoices_are_ignored():
    facts = [invoice(10, "25.00")]
    facts += [invoice(200, "999.00", status=s) for s in ("PAID", "VOID", "WRITTEN_OFF", "DRAFT")]
    facts += [invoice(200, "0.00"), invoice(200, "0.00", disputed=True), invoice(200, "-40.00")]
    [eur] = receivables(facts, AS_OF)
    assert (eur.open, eur.overdue, eur.disputed, eur.open_invoice_count) == (25, 25, 0, 1)
    assert eur.oldest_days_overdue == 10


def test_all_five_buckets_in_order_and_money_is_decimal():
    [eur] = receivables([invoice(0, "0.10"), invoice(0, "0.20")], AS_OF)
    assert [b for b, _ in eur.buckets] == list(AgingBucket)
    assert eur.open == Decimal("0.30")
    amounts = [eur.open, eur.overdue, eur.disputed, *dict(eur.buckets).values()]
    assert all(isinstance(a, Decimal) for a in amounts)


def test_accepts_a_generator():
    [eur] = receivables((invoice(d) for d in (1, 2, 3)), AS_OF)
    assert eur.open_invoice_count == 3


# Properties over any set of invoices.

NOT_OWING = {"PAID", "VOID", "WRITTEN_OFF", "DRAFT"}
INVOICES = st.lists(
    st.builds(
        InvoiceFacts,
        currency=st.sampled_from(["EUR", "USD", "JPY"]),
        due_on=st.dates(min_value=AS_OF - timedelta(days=200), max_value=AS_OF + timedelta(days=30)),
        balance=st.decimals(min_value=Decimal("-10.00"), max_value=Decimal("100000.00"), places=2),
        status=st.sampled_from(sorted(NOT_OWING | {"OPEN", "PARTIALLY_PAID", "DISPUTED"})),
        disputed=st.booleans(),
    ),
    max_size=12,
)


@settings(database=None)
@given(facts=INVOICES)
def test_receivables_add_up(facts):
    result = receivables(facts, AS_OF)
    currencies = [r.currency for r in result]
    assert currencies == sorted(set(currencies))
    assert set(currencies) == {i.currency for i in facts if i.status not in NOT_OWING and i.balance > 0}
    for r in result:
        mine = [i for i in facts if i.currency == r.currency]
        amounts = dict(r.buckets)
        assert list(amounts) == list(AgingBucket)
        assert r.open == sum(amounts.values()) + r.disputed
        assert r.overdue == r.open - r.disputed - amounts[AgingBucket.CURRENT]
        assert r.overdue == sum((i.balance for i in mine if is_overdue(i, AS_OF)), ZERO)
        assert r.open > 0
        assert r.open_invoice_count > 0
        assert 0 <= r.disputed <= r.open
        assert all(a >= 0 for a in amounts.values())
        assert (r.oldest_days_overdue > 0) == (r.overdue > 0)
