"""A promise to pay, whose status is derived on read from the payments received."""

from datetime import date

import asyncpg
import strawberry

from domain import promises
from schema.moments import day
from schema.types.common import Money
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import PromiseStatus
from store.facts import payment_facts
from store.facts import promise_fact as promise_rule


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
