"""Reachability: whether a contact may be contacted at an instant, and when next."""

from datetime import datetime

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
