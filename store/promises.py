"""Stored promises and payments as the facts domain/promises.py judges.

The reads (a promise's status, the brief, the queue) and the pass that notices
broken promises (jobs/promise_breaks.py) build them the same way.
"""

from datetime import UTC

import asyncpg

from domain import promises


def payment_facts(rows: list[asyncpg.Record]) -> list[promises.Payment]:
    return [
        promises.Payment(received_on=r["received_on"], amount=r["amount"], currency=r["currency"])
        for r in rows
    ]


def promise_rule(row: asyncpg.Record) -> promises.Promise:
    return promises.Promise(
        amount=row["amount"],
        currency=row["currency"],
        recorded_on=row["recorded_at"].astimezone(UTC).date(),
        promised_for=row["promised_for"],
        grace_days=row["grace_days"],
        cancelled=row["cancelled_at"] is not None,
    )
