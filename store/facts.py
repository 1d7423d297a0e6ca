"""Stored rows as the domain's facts: a contact's windows, a promise, payments.

Every reader that hands rows to the domain rules (the API's types, the call
brief, the dunning planner, the statement page) converts them here, so the
rules always see the same facts.
"""

from collections.abc import Sequence
from datetime import UTC

import asyncpg

from domain import promises, windows


def window_rules(rows: Sequence[asyncpg.Record]) -> list[windows.Window]:
    """Stored contact windows as the domain's Window rules."""
    return [
        windows.Window(
            kind=windows.WindowKind(row["kind"]),
            days_of_week=frozenset(row["days_of_week"]) if row["days_of_week"] else None,
            weeks_of_month=frozenset(row["weeks_of_month"]) if row["weeks_of_month"] else None,
            start_time=row["start_time"],
            end_time=row["end_time"],
            from_date=row["from_date"],
            until_date=row["until_date"],
            note=row["note"],
        )
        for row in rows
    ]


def payment_facts(rows: Sequence[asyncpg.Record]) -> list[promises.Payment]:
    return [
        promises.Payment(received_on=r["received_on"], amount=r["amount"], currency=r["currency"])
        for r in rows
    ]


def promise_fact(row: asyncpg.Record) -> promises.Promise:
    return promises.Promise(
        amount=row["amount"],
        currency=row["currency"],
        recorded_on=row["recorded_at"].astimezone(UTC).date(),
        promised_for=row["promised_for"],
        grace_days=row["grace_days"],
        cancelled=row["cancelled_at"] is not None,
    )
