"""Promises to pay and payment plans: what AR agrees with a customer about money owed."""

from datetime import date
from decimal import Decimal

import strawberry

from domain.commands.entries import Installment, NewEntry, PlanDetail, PromiseDetail
from schema.mutations.entry_base import answered, entry_fields, entry_id
from schema.mutations.payloads import EntryPayload
from services import entry_changes
from services.entries import new_entry


@strawberry.input
class RecordPromiseInput:
    account_id: strawberry.ID
    amount: Decimal
    currency: str
    promised_for: date
    grace_days: int | None = strawberry.field(default=None, description="Default 3.")
    invoice_ids: list[strawberry.ID] | None = None
    contact_id: strawberry.ID | None = None
    summary: str | None = None
    body: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class InstallmentInput:
    due_on: date
    amount: Decimal


@strawberry.input
class CreatePaymentPlanInput:
    account_id: strawberry.ID
    currency: str
    installments: list[InstallmentInput]
    invoice_ids: list[strawberry.ID] | None = None
    contact_id: strawberry.ID | None = None
    summary: str | None = None
    body: str | None = None
    idempotency_key: str | None = None


@strawberry.type
class PromiseMutations:
    @strawberry.mutation
    async def record_promise(self, info: strawberry.Info, input: RecordPromiseInput) -> EntryPayload:
        detail = PromiseDetail(
            amount=input.amount,
            currency=input.currency,
            promised_for=input.promised_for,
            grace_days=input.grace_days,
        )
        return await answered(
            info, lambda conn, actor: new_entry(conn, actor, NewEntry(detail=detail, **entry_fields(input)))
        )

    @strawberry.mutation
    async def cancel_promise(self, info: strawberry.Info, id: strawberry.ID) -> EntryPayload:
        return await answered(
            info, lambda conn, actor: entry_changes.cancel_promise(conn, actor, entry_id(id, ("id",)))
        )


@strawberry.type
class PaymentPlanMutations:
    @strawberry.mutation
    async def create_payment_plan(self, info: strawberry.Info, input: CreatePaymentPlanInput) -> EntryPayload:
        detail = PlanDetail(
            currency=input.currency,
            installments=tuple(Installment(due_on=i.due_on, amount=i.amount) for i in input.installments),
        )
        return await answered(
            info, lambda conn, actor: new_entry(conn, actor, NewEntry(detail=detail, **entry_fields(input)))
        )
