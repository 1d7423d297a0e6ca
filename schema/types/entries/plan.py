"""A payment plan: installments agreed with the customer, stored as JSON on the entry."""

from datetime import date
from decimal import Decimal

import asyncpg
import strawberry

from schema.types.common import Money
from schema.types.entries.common import TimelineEntry


@strawberry.type(description="One agreed payment of a payment plan.")
class Installment:
    due_on: date = strawberry.field(description="The day it is due.")
    amount: Money = strawberry.field(description="How much, in the plan's currency.")


@strawberry.type(description="Installments agreed with the customer to pay what is owed.")
class PaymentPlan(TimelineEntry):
    installments: list[Installment] = strawberry.field(description="The installments, in the order agreed.")

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {
            "installments": [
                Installment(
                    due_on=date.fromisoformat(i["dueOn"]),
                    amount=Money.of(Decimal(i["amount"]), row["currency"]),
                )
                for i in row["installments"]
            ]
        }
