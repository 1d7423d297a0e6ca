"""Receivables: what an account owes, per currency, with the five aging buckets."""

from collections.abc import Iterable
from datetime import date

import asyncpg
import strawberry

from domain import receivables as rules
from schema.types.common import Money
from schema.types.invoice import AgingBucket


@strawberry.type
class BucketAmount:
    bucket: AgingBucket
    amount: Money


@strawberry.type(description="One currency's open, overdue and disputed amounts; never converted.")
class Receivables:
    currency: str
    open: Money
    overdue: Money
    disputed: Money
    buckets: list[BucketAmount]
    open_invoice_count: int
    oldest_days_overdue: int

    @classmethod
    def of(cls, r: rules.Receivables) -> "Receivables":
        return cls(
            currency=r.currency,
            open=Money.of(r.open, r.currency),
            overdue=Money.of(r.overdue, r.currency),
            disputed=Money.of(r.disputed, r.currency),
            buckets=[BucketAmount(bucket=b, amount=Money.of(a, r.currency)) for b, a in r.buckets],
            open_invoice_count=r.open_invoice_count,
            oldest_days_overdue=r.oldest_days_overdue,
        )


def invoice_facts(rows: Iterable[asyncpg.Record]) -> list[rules.InvoiceFacts]:
    return [
        rules.InvoiceFacts(
            currency=row["currency"],
            due_on=row["due_on"],
            balance=row["balance"],
            status=row["status"],
            disputed=row["disputed"],
        )
        for row in rows
    ]


def receivables_of(rows: Iterable[asyncpg.Record], as_of: date) -> list[Receivables]:
    return [Receivables.of(r) for r in rules.receivables(invoice_facts(rows), as_of)]
