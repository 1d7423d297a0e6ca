"""The queue's reasons never contradict each other: promises get one sentence that is true."""

from decimal import Decimal

import pytest

from domain.priority import Owed, reasons

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
def test_promises_get_one_true_sentence(owed, broken, open_, expected):
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
