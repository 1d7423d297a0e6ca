"""Every risk flag, and the sentences that explain a queue position."""

from dataclasses import replace
from decimal import Decimal

import pytest

from domain.priority import Owed, reasons
from domain.risk import AccountFacts, RiskFlag, risk_flags

CALM = AccountFacts(
    all_do_not_contact=False,
    reachable_now=True,
    broken_promise=False,
    open_promise=False,
    open_dispute=False,
    financial_news=False,
    billing_contact=True,
    oldest_days_overdue=10,
)


def test_a_calm_account_has_no_flags():
    assert risk_flags(CALM) == []


@pytest.mark.parametrize(
    ("change", "flag"),
    [
        ({"all_do_not_contact": True}, RiskFlag.DO_NOT_CONTACT),
        ({"reachable_now": False}, RiskFlag.NOT_REACHABLE_NOW),
        ({"broken_promise": True}, RiskFlag.BROKEN_PROMISE),
        ({"open_promise": True}, RiskFlag.OPEN_PROMISE),
        ({"open_dispute": True}, RiskFlag.OPEN_DISPUTE),
        ({"financial_news": True}, RiskFlag.FINANCIAL_DIFFICULTY_NEWS),
        ({"billing_contact": False}, RiskFlag.NO_BILLING_CONTACT),
        ({"oldest_days_overdue": 91}, RiskFlag.SEVERELY_OVERDUE),
    ],
)
def test_each_fact_raises_exactly_its_flag(change, flag):
    assert risk_flags(replace(CALM, **change)) == [flag]


def test_ninety_days_is_not_yet_severe():
    assert risk_flags(replace(CALM, oldest_days_overdue=90)) == []


def test_flags_come_in_a_stable_order():
    everything = AccountFacts(
        all_do_not_contact=True,
        reachable_now=False,
        broken_promise=True,
        open_promise=True,
        open_dispute=True,
        financial_news=True,
        billing_contact=False,
        oldest_days_overdue=200,
    )
    assert risk_flags(everything) == list(RiskFlag)


def test_reasons_explain_amounts_per_currency_and_each_factor():
    said = reasons(
        oldest_days=120,
        owed=[
            Owed("EUR", Decimal("1200"), Decimal("3000"), Decimal("700")),
            Owed("USD", Decimal("50"), Decimal("50"), Decimal("50")),
        ],
        broken_promise=True,
        financial_news=True,
        reachable_now=False,
        open_promise=True,
    )
    assert said[0] == "The oldest overdue invoice is 120 days past due, in the 91+ days bucket."
    assert "1,200.00 EUR overdue of 3,000.00 EUR open (40%)." in said
    assert "50.00 USD overdue of 50.00 USD open (100%)." in said
    assert (
        "A promise to pay was broken in the last 180 days, and promised payments due later cover "
        "500.00 EUR of the overdue amount; the rest (700.00 EUR and 50.00 USD) is chased as usual." in said
    )
    assert any("financial difficulty" in s for s in said)
    assert any("Nobody can be reached" in s for s in said)


GBP = [Owed("GBP", Decimal("27650.00"), Decimal("33750.00"), Decimal("9250.00"))]
ALL_PROMISED = [Owed("GBP", Decimal("27650.00"), Decimal("33750.00"), Decimal(0))]
NONE_PROMISED = [Owed("GBP", Decimal("27650.00"), Decimal("33750.00"), Decimal("27650.00"))]
TWO = [
    Owed("EUR", Decimal("500.00"), Decimal("500.00"), Decimal(0)),
    Owed("GBP", Decimal("27650.00"), Decimal("33750.00"), Decimal("27650.00")),
    Owed("USD", Decimal("80.00"), Decimal("100.00"), Decimal("30.00")),
]


@pytest.mark.parametrize(
    ("owed", "broken", "open_", "expected"),
    [
        (NONE_PROMISED, False, False, None),
        (NONE_PROMISED, True, False, "A promise to pay was broken in the last 180 days."),
        (
            GBP,
            True,
            True,
            "A promise to pay was broken in the last 180 days, and promised payments due later cover "
            "18,400.00 GBP of the overdue amount; the rest (9,250.00 GBP) is chased as usual.",
        ),
        (
            ALL_PROMISED,
            False,
            True,
            "Promised payments not yet due cover all of the overdue amount: wait for them before chasing.",
        ),
        (
            NONE_PROMISED,
            False,
            True,
            "Promised payments not yet due cover none of the overdue amount.",
        ),
        (
            TWO,
            False,
            True,
            "Promised payments not yet due cover 500.00 EUR and 50.00 USD of the overdue amount; "
            "the rest (27,650.00 GBP and 30.00 USD) is chased as usual.",
        ),
    ],
)
def test_promises_get_one_true_sentence_never_both_chase_and_wait(owed, broken, open_, expected):
    said = reasons(
        oldest_days=80,
        owed=owed,
        broken_promise=broken,
        financial_news=True,
        reachable_now=True,
        open_promise=open_,
    )
    about_promises = [s for s in said if "promise" in s.lower()]
    assert about_promises == ([expected] if expected else [])
    assert sum("wait" in s for s in said) == (1 if expected and "wait" in expected else 0)
