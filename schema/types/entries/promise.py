"""A promise to pay, whose status is derived on read from the payments received."""

from datetime import UTC, date

import asyncpg
import strawberry

from domain import promises
from schema.moments import day
from schema.types.common import Money
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import PromiseStatus


@strawberry.type
class PromiseToPay(TimelineEntry):
    amount: Money
    promised_for: date
    grace_days: int
    rule: strawberry.Private[promises.Promise]

    @strawberry.field(description="Derived on read from the payments received; never stored.")
    async def status(self, info: strawberry.Info, as_of: date | None = None) -> PromiseStatus:
        paid = await info.context.loaders.payments.load(self.account.account_id)
        return promises.status(self.rule, payment_facts(paid), day(as_of))

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {
            "amount": Money.of(row["amount"], row["currency"]),
            "promised_for": row["promised_for"],
            "grace_days": row["grace_days"],
            "rule": promise_rule(row),
        }


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
