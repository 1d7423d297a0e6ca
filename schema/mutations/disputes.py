"""Disputes: a customer contests invoices, and AR or service settles it."""

from decimal import Decimal
from typing import Annotated

import strawberry

from domain.commands.entries import DisputeDetail, DisputeResolution
from schema.mutations.descriptions import ACCOUNT_ID, BODY, IDEMPOTENCY_KEY, SUMMARY
from schema.mutations.entry_base import answered, created, entry_id
from schema.mutations.payloads import EntryPayload
from schema.types.entries.enums import DisputeReason, DisputeStatus
from services import entry_changes


@strawberry.input(description="A dispute the customer raised over invoices.")
class OpenDisputeInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    invoice_ids: list[strawberry.ID] = strawberry.field(
        description="The invoices contested (Invoice ids of the same account), at least one."
    )
    reason: DisputeReason = strawberry.field(description="Why the customer contests them.")
    summary: str = strawberry.field(description=SUMMARY)
    amount: Decimal | None = strawberry.field(
        default=None,
        description='The amount contested, a decimal string such as "120.00", in the '
        "invoices' currency; null: the whole invoices.",
    )
    body: str | None = strawberry.field(
        default=None,
        description=BODY,
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="The person it concerns (a Contact id of the same account); null for none."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY,
    )


@strawberry.input(description="How an open dispute was settled.")
class ResolveDisputeInput:
    id: strawberry.ID = strawberry.field(description="The dispute (an Entry id).")
    status: DisputeStatus = strawberry.field(description="RESOLVED or REJECTED; OPEN is INVALID.")
    resolution: str = strawberry.field(description="How it was settled, in words (required).")


@strawberry.type
class DisputeMutations:
    @strawberry.mutation(description="Open a dispute over invoices. SERVICE, AR, ADMIN.")
    async def open_dispute(
        self,
        info: strawberry.Info,
        input: Annotated[OpenDisputeInput, strawberry.argument(description="The dispute.")],
    ) -> EntryPayload:
        return await created(info, input, lambda: DisputeDetail(input.reason, input.amount))

    @strawberry.mutation(description="Settle an open dispute. SERVICE, AR, ADMIN.")
    async def resolve_dispute(
        self,
        info: strawberry.Info,
        input: Annotated[
            ResolveDisputeInput, strawberry.argument(description="The dispute and its outcome.")
        ],
    ) -> EntryPayload:
        def resolution() -> DisputeResolution:
            return DisputeResolution(
                entry_id=entry_id(input.id, ("input", "id")), status=input.status, resolution=input.resolution
            )

        return await answered(
            info, lambda conn, actor: entry_changes.resolve_dispute(conn, actor, resolution())
        )
