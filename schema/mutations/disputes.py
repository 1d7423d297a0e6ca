"""Disputes: a customer contests invoices, and AR or service settles it."""

from decimal import Decimal

import strawberry

from domain.commands.entries import DisputeDetail, DisputeResolution
from schema.mutations.entry_base import answered, created, entry_id
from schema.mutations.payloads import EntryPayload
from schema.types.entries.enums import DisputeReason, DisputeStatus
from services import entry_changes


@strawberry.input
class OpenDisputeInput:
    account_id: strawberry.ID
    invoice_ids: list[strawberry.ID]
    reason: DisputeReason
    summary: str
    amount: Decimal | None = None
    body: str | None = None
    contact_id: strawberry.ID | None = None
    idempotency_key: str | None = None


@strawberry.input
class ResolveDisputeInput:
    id: strawberry.ID
    status: DisputeStatus
    resolution: str


@strawberry.type
class DisputeMutations:
    @strawberry.mutation
    async def open_dispute(self, info: strawberry.Info, input: OpenDisputeInput) -> EntryPayload:
        return await created(info, input, lambda: DisputeDetail(input.reason, input.amount))

    @strawberry.mutation
    async def resolve_dispute(self, info: strawberry.Info, input: ResolveDisputeInput) -> EntryPayload:
        def resolution() -> DisputeResolution:
            return DisputeResolution(
                entry_id=entry_id(input.id, ("input", "id")), status=input.status, resolution=input.resolution
            )

        return await answered(
            info, lambda conn, actor: entry_changes.resolve_dispute(conn, actor, resolution())
        )
