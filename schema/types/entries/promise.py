"""A promise to pay, whose status is derived on read from the payments received."""

from datetime import date
from typing import Annotated

import asyncpg
import strawberry

from domain import promises
from schema.moments import day
from schema.types.common import Money
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import PromiseStatus
from store.facts import payment_facts, promise_fact


@strawberry.type(description="The customer promised to pay an amount by a day.")
class PromiseToPay(TimelineEntry):
    amount: Money = strawberry.field(description="How much was promised.")
    promised_for: date = strawberry.field(description="The day the customer promised to pay by.")
    grace_days: int = strawberry.field(
        description="Days after promisedFor a payment still keeps the promise (bank delays)."
    )
    rule: strawberry.Private[promises.Promise]
    # What a reader that already has the account's payments hands over (promises.payments_that_can_count),
    # so `status` needs no query of its own; None: `status` loads the account's payments.
    payments: strawberry.Private[list[promises.Payment] | None] = None

    @strawberry.field(description="Derived on read from the payments received; never stored.")
    async def status(
        self,
        info: strawberry.Info,
        as_of: Annotated[
            date | None, strawberry.argument(description="The day to judge on (UTC); default today.")
        ] = None,
    ) -> PromiseStatus:
        paid = self.payments
        if paid is None:
            paid = payment_facts(await info.context.loaders.payments.load(self.account.account_id))
        return promises.status(self.rule, paid, day(as_of))

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {
            "amount": Money.of(row["amount"], row["currency"]),
            "promised_for": row["promised_for"],
            "grace_days": row["grace_days"],
            "rule": promise_fact(row),
        }
