"""Reachability: whether a contact may be contacted at an instant, and when next."""

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import strawberry

from domain import windows


@strawberry.type(description="Whether now is a good time to contact the person, and why.")
class Reachability:
    reachable: bool = strawberry.field(
        description="True when the person may be contacted at the instant asked about."
    )
    reason: str = strawberry.field(
        description='Why, in words, e.g. "on vacation (blackout the third week of the month)".'
    )
    next_reachable_at: datetime | None = strawberry.field(
        description="The earliest instant within 60 days when reachable is true; null if none."
    )

    @classmethod
    def of(cls, result: windows.Reachability) -> "Reachability":
        return cls(
            reachable=result.reachable, reason=result.reason, next_reachable_at=result.next_reachable_at
        )


def rules(rows: Sequence[asyncpg.Record]) -> list[windows.Window]:
    """Stored contact windows as the domain's Window rules."""
    return [
        windows.Window(
            kind=windows.WindowKind(row["kind"]),
            days_of_week=frozenset(row["days_of_week"]) if row["days_of_week"] else None,
            weeks_of_month=frozenset(row["weeks_of_month"]) if row["weeks_of_month"] else None,
            start_time=row["start_time"],
            end_time=row["end_time"],
            from_date=row["from_date"],
            until_date=row["until_date"],
            note=row["note"],
        )
        for row in rows
    ]
