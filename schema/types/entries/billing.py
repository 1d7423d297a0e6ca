"""What billing writes on a timeline: invoice status changes and payments received."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from schema.types.common import Money
from schema.types.entries.common import TimelineEntry

if TYPE_CHECKING:
    from schema.types.invoice import InvoiceStatus

InvoiceStatusRef = Annotated["InvoiceStatus", strawberry.lazy("schema.types.invoice")]


@strawberry.type(description="Written by the service when an invoice changes status.")
class InvoiceStatusChange(TimelineEntry):
    from_status: InvoiceStatusRef | None = strawberry.field(
        description="The status before; null when the invoice was new."
    )
    to_status: InvoiceStatusRef = strawberry.field(description="The status after.")

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        from schema.types.invoice import InvoiceStatus

        return {
            "from_status": InvoiceStatus(row["from_status"]) if row["from_status"] else None,
            "to_status": InvoiceStatus(row["to_status"]),
        }


@strawberry.type(description="A payment received from the customer, perhaps allocated to invoices.")
class PaymentReceived(TimelineEntry):
    amount: Money = strawberry.field(description="How much was paid.")
    received_on: date = strawberry.field(description="The day the money arrived.")
    method: str | None = strawberry.field(
        description='How it was paid, e.g. "bank transfer"; null when unknown.'
    )
    reference: str | None = strawberry.field(
        description="The payment's reference, e.g. a bank reference; null when unknown."
    )

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {
            "amount": Money.of(row["amount"], row["currency"]),
            "received_on": row["received_on"],
            "method": row["method"],
            "reference": row["reference"],
        }
