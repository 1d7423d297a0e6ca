"""Receivables: what an account owes, per currency, with the five aging buckets."""

from collections.abc import Iterable
from datetime import date

import asyncpg
import strawberry

from domain import receivables as rules
from schema.types.common import Money
from schema.types.invoice import AgingBucket


@strawberry.type(description="The overdue money of one aging bucket.")
class BucketAmount:
    bucket: AgingBucket = strawberry.field(description="How long past due.")
    amount: Money = strawberry.field(description="The balance of the invoices in it.")


@strawberry.type(description="One currency's open, overdue and disputed amounts; never converted.")
class Receivables:
    currency: str = strawberry.field(description='ISO 4217 code, e.g. "EUR".')
    open: Money = strawberry.field(description="The balance of every invoice still owed.")
    overdue: Money = strawberry.field(description="The part of it past due.")
    disputed: Money = strawberry.field(description="The part of it under open disputes.")
    buckets: list[BucketAmount] = strawberry.field(description="The open balance split by aging bucket.")
    open_invoice_count: int = strawberry.field(description="How many invoices are still owed.")
    oldest_days_overdue: int = strawberry.field(
        description="Days past due of the oldest overdue invoice; 0 when none is."
    )

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
