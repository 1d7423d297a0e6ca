"""A payment plan: installments agreed with the customer, stored as JSON on the entry."""

from datetime import date
from decimal import Decimal

import asyncpg
import strawberry

from schema.types.common import Money
from schema.types.entries.common import TimelineEntry


@strawberry.type
class Installment:
    due_on: date
    amount: Money


@strawberry.type
class PaymentPlan(TimelineEntry):
    installments: list[Installment]

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
