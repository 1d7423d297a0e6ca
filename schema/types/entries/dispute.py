"""A dispute over invoices, open until resolved or rejected."""

from datetime import datetime

import asyncpg
import strawberry

from schema.types.common import Money
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import DisputeReason, DisputeStatus


@strawberry.type(description="A customer contests invoices; open until resolved or rejected.")
class Dispute(TimelineEntry):
    reason: DisputeReason = strawberry.field(description="Why the customer contests them.")
    amount: Money | None = strawberry.field(
        description="The amount contested; null when the whole invoices are."
    )
    status: DisputeStatus = strawberry.field(description="Where it stands.")
    resolved_at: datetime | None = strawberry.field(
        description="When it was resolved or rejected; null while OPEN."
    )
    resolution: str | None = strawberry.field(description="How it was settled, in words; null while OPEN.")

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {
            "reason": DisputeReason(row["dispute_reason"]),
            "amount": Money.of(row["amount"], row["currency"]),
            "status": DisputeStatus(row["dispute_status"]),
            "resolved_at": row["resolved_at"],
            "resolution": row["resolution"],
        }
