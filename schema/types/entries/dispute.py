"""A dispute over invoices, open until resolved or rejected."""

from datetime import datetime

import asyncpg
import strawberry

from schema.types.common import Money
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import DisputeReason, DisputeStatus


@strawberry.type
class Dispute(TimelineEntry):
    reason: DisputeReason
    amount: Money | None
    status: DisputeStatus
    resolved_at: datetime | None
    resolution: str | None

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {
            "reason": DisputeReason(row["dispute_reason"]),
            "amount": Money.of(row["amount"], row["currency"]),
            "status": DisputeStatus(row["dispute_status"]),
            "resolved_at": row["resolved_at"],
            "resolution": row["resolution"],
        }
