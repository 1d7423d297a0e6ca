"""Promises to pay and payment plans: what AR agrees with a customer about money owed."""

from datetime import date
from decimal import Decimal

import strawberry

from domain.commands.entries import Installment, PlanDetail, PromiseDetail
from schema.mutations.entry_base import answered, created, entry_id
from schema.mutations.payloads import EntryPayload
from services import entry_changes


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
        return await created(
            info,
            input,
            lambda: PromiseDetail(input.amount, input.currency, input.promised_for, input.grace_days),
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
        installments = tuple(Installment(i.due_on, i.amount) for i in input.installments)
        return await created(info, input, lambda: PlanDetail(input.currency, installments))
