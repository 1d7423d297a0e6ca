"""Promises to pay and payment plans: what AR agrees with a customer about money owed."""

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from domain.commands.entries import Installment, PlanDetail, PromiseDetail
from schema.mutations.descriptions import ACCOUNT_ID, BODY, IDEMPOTENCY_KEY, INVOICE_IDS
from schema.mutations.entry_base import answered, created, entry_id
from schema.mutations.payloads import EntryPayload
from services import entry_changes


@strawberry.input(description="A promise the customer made to pay an amount by a day.")
class RecordPromiseInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    amount: Decimal = strawberry.field(
        description='The amount promised, a decimal string such as "1500.00", more than 0.'
    )
    currency: str = strawberry.field(description='ISO 4217 code, e.g. "EUR".')
    promised_for: date = strawberry.field(description="The day the customer promised to pay by.")
    grace_days: int | None = strawberry.field(default=None, description="Default 3.")
    invoice_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=INVOICE_IDS)
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who promised (a Contact id of the same account)."
    )
    summary: str | None = strawberry.field(
        default=None,
        description="One line, at most 500 characters; null for a summary written from the amount and day.",
    )
    body: str | None = strawberry.field(
        default=None,
        description=BODY,
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.input(description="One payment of a plan.")
class InstallmentInput:
    due_on: date = strawberry.field(description="The day it is due.")
    amount: Decimal = strawberry.field(
        description='How much, a decimal string such as "500.00", more than 0, in the plan\'s currency.'
    )


@strawberry.input(description="Installments agreed with the customer.")
class CreatePaymentPlanInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    currency: str = strawberry.field(description='ISO 4217 code of every installment, e.g. "EUR".')
    installments: list[InstallmentInput] = strawberry.field(description="The installments, at least one.")
    invoice_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=INVOICE_IDS)
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Who agreed to it (a Contact id of the same account)."
    )
    summary: str | None = strawberry.field(
        default=None,
        description="One line, at most 500 characters; null for a summary written from the installments.",
    )
    body: str | None = strawberry.field(
        default=None,
        description=BODY,
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.type
class PromiseMutations:
    @strawberry.mutation(description="Record a promise to pay. AR, ADMIN.")
    async def record_promise(
        self,
        info: strawberry.Info,
        input: Annotated[RecordPromiseInput, strawberry.argument(description="The promise.")],
    ) -> EntryPayload:
        return await created(
            info,
            input,
            lambda: PromiseDetail(input.amount, input.currency, input.promised_for, input.grace_days),
        )

    @strawberry.mutation(
        description="Cancel a promise: it no longer counts. AR, ADMIN; a second time is a CONFLICT."
    )
    async def cancel_promise(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The promise (an Entry id).")],
    ) -> EntryPayload:
        return await answered(
            info, lambda conn, actor: entry_changes.cancel_promise(conn, actor, entry_id(id, ("id",)))
        )


@strawberry.type
class PaymentPlanMutations:
    @strawberry.mutation(description="Record a payment plan. AR, ADMIN.")
    async def create_payment_plan(
        self,
        info: strawberry.Info,
        input: Annotated[CreatePaymentPlanInput, strawberry.argument(description="The plan.")],
    ) -> EntryPayload:
        installments = tuple(Installment(i.due_on, i.amount) for i in input.installments)
        return await created(info, input, lambda: PlanDetail(input.currency, installments))
