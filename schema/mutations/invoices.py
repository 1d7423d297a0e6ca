"""Mutations from billing: bulk invoice upserts by external ref, and payments with allocations."""

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated

import strawberry

from domain.commands.payments import Allocation, PaymentRecord
from schema.mutations.base import change, parse_id
from schema.mutations.descriptions import ACCOUNT_ID, IDEMPOTENCY_KEY
from schema.mutations.entry_base import created
from schema.mutations.invoice_batches import batch_items
from schema.mutations.payloads import EntryPayload, UpsertInvoicesPayload
from schema.types.common import ExternalRefInput
from schema.types.invoice import Invoice, InvoiceStatus
from services import invoices


@strawberry.input(description="Keyed by externalRef.")
class InvoiceUpsertInput:
    external_ref: ExternalRefInput = strawberry.field(
        description="The key: the invoice with this ref is updated, else a new one is created."
    )
    account_ref: ExternalRefInput = strawberry.field(description="The account's externalRef.")
    number: str = strawberry.field(description="The invoice number printed on it.")
    issued_on: date = strawberry.field(description="The day it was issued, 1900-01-01 to 2199-12-31.")
    due_on: date = strawberry.field(description="The day payment is due, not before issuedOn.")
    currency: str = strawberry.field(description='ISO 4217 code, e.g. "EUR".')
    total: Decimal = strawberry.field(description='The invoiced amount, a decimal string such as "1234.50".')
    balance: Decimal = strawberry.field(description="What is still due, at most the total; 0 when PAID.")
    status: InvoiceStatus = strawberry.field(
        description="Its state in the billing system; a change writes an INVOICE_STATUS entry."
    )


@strawberry.input(description="The part of a payment that settles one invoice.")
class PaymentAllocationInput:
    invoice_id: strawberry.ID = strawberry.field(
        description="The invoice (an Invoice id of the same account)."
    )
    amount: Decimal = strawberry.field(description="How much of the payment goes to it, at most its balance.")


@strawberry.input(description="A payment received from the customer.")
class RecordPaymentInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    amount: Decimal = strawberry.field(
        description='How much was paid, a decimal string such as "1000.00", more than 0.'
    )
    currency: str = strawberry.field(description='ISO 4217 code, e.g. "EUR".')
    received_on: date = strawberry.field(description="The day the money arrived.")
    method: str | None = strawberry.field(default=None, description='How it was paid, e.g. "bank transfer".')
    reference: str | None = strawberry.field(
        default=None, description="The payment's reference, e.g. from the bank statement."
    )
    allocations: list[PaymentAllocationInput] | None = strawberry.field(
        default=None, description="Which invoices it pays and how much of each; together at most the amount."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(description="At most 1,000 items; all or nothing.")
    async def upsert_invoices(
        self,
        info: strawberry.Info,
        input: Annotated[
            list[InvoiceUpsertInput],
            strawberry.argument(description="The invoices, each keyed by externalRef; every key once."),
        ],
    ) -> UpsertInvoicesPayload:
        return await change(
            info,
            UpsertInvoicesPayload,
            partial(invoices.upsert_invoices, action="upsertInvoices"),
            lambda: batch_items(info, input),
            lambda outcome: UpsertInvoicesPayload(
                invoices=[Invoice.from_row(row) for row in outcome.rows],
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
            ),
        )

    @strawberry.mutation(
        description="Record a payment, lowering the balances of the invoices it pays. AR, ADMIN, INTEGRATION."
    )
    async def record_payment(
        self,
        info: strawberry.Info,
        input: Annotated[RecordPaymentInput, strawberry.argument(description="The payment.")],
    ) -> EntryPayload:
        return await created(
            info,
            input,
            lambda: PaymentRecord(
                amount=input.amount,
                currency=input.currency,
                received_on=input.received_on,
                method=input.method,
                reference=input.reference,
                allocations=tuple(
                    Allocation(
                        parse_id(
                            a.invoice_id, "Invoice", ("input", "allocations", str(i), "invoiceId"), "invoice"
                        ),
                        a.amount,
                    )
                    for i, a in enumerate(input.allocations or [])
                ),
            ),
        )
