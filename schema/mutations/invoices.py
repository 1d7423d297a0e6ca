"""Mutations from billing: bulk invoice upserts by external ref, and payments with allocations."""

from datetime import date
from decimal import Decimal
from functools import partial

import strawberry

from domain.commands.invoices import InvoiceUpsert
from domain.commands.payments import Allocation, PaymentRecord
from schema.mutations.base import change, parse_id
from schema.mutations.entry_base import created
from schema.mutations.payloads import EntryPayload, UpsertInvoicesPayload
from schema.types.common import ExternalRefInput
from schema.types.invoice import Invoice, InvoiceStatus
from services import invoices


@strawberry.input(description="Keyed by externalRef.")
class InvoiceUpsertInput:
    external_ref: ExternalRefInput
    account_ref: ExternalRefInput = strawberry.field(description="The account's externalRef.")
    number: str
    issued_on: date
    due_on: date
    currency: str
    total: Decimal
    balance: Decimal
    status: InvoiceStatus


@strawberry.input
class PaymentAllocationInput:
    invoice_id: strawberry.ID
    amount: Decimal


@strawberry.input
class RecordPaymentInput:
    account_id: strawberry.ID
    amount: Decimal
    currency: str
    received_on: date
    method: str | None = None
    reference: str | None = None
    allocations: list[PaymentAllocationInput] | None = None
    idempotency_key: str | None = None


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(description="At most 1,000 items; all or nothing.")
    async def upsert_invoices(
        self,
        info: strawberry.Info,
        input: list[InvoiceUpsertInput],
    ) -> UpsertInvoicesPayload:
        return await change(
            info,
            UpsertInvoicesPayload,
            partial(invoices.upsert_invoices, action="upsertInvoices"),
            lambda: [
                InvoiceUpsert(
                    system=item.external_ref.system,
                    external_id=item.external_ref.id,
                    account_system=item.account_ref.system,
                    account_external_id=item.account_ref.id,
                    number=item.number,
                    issued_on=item.issued_on,
                    due_on=item.due_on,
                    currency=item.currency,
                    total=item.total,
                    balance=item.balance,
                    status=item.status,
                )
                for item in input
            ],
            lambda outcome: UpsertInvoicesPayload(
                invoices=[Invoice.from_row(row) for row in outcome.rows],
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
            ),
        )

    @strawberry.mutation
    async def record_payment(self, info: strawberry.Info, input: RecordPaymentInput) -> EntryPayload:
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
