"""The order of a worklist and the sentences that explain it.

Overdue calls come first (a promise already slipped), then the ones whose
contact can be reached now (a call placed outside the contact's window is
wasted), then by due time; ties go by id, so the order is stable.
"""

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.windows import Reachability


@dataclass(frozen=True, slots=True)
class Row:
    follow_up_id: UUID
    due_at: datetime
    contact_name: str | None
    reach: Reachability | None  # None: no contact to call
    contact_named: bool  # the follow-up names its contact (else the brief's suggestion)


def is_overdue(row: Row, at: datetime) -> bool:
    return row.due_at < at


def rows_that_can_place(due_ats: Sequence[datetime], at: datetime, places: int) -> int:
    """How many of the rows, soonest due first, can be among the first `places` of the order.

    Overdue rows come first whatever their reachability, so when they alone fill
    those places no row due later can reach them, and its contact need not be judged.
    """
    overdue = bisect_left(due_ats, at)
    return overdue if overdue >= places else len(due_ats)


def order_key(row: Row, at: datetime) -> tuple:
    reachable = row.reach is not None and row.reach.reachable
    return (not is_overdue(row, at), not reachable, row.due_at, row.follow_up_id)


def reasons(row: Row, at: datetime) -> list[str]:
    said = []
    due = row.due_at.strftime("%Y-%m-%d %H:%M UTC")
    said.append(f"Overdue: it was due {due}." if is_overdue(row, at) else f"Due {due}.")
    if row.reach is None:
        said.append("No contact to call: name one on the follow-up or add one to the account.")
        return said
    who = row.contact_name if row.contact_named else f"{row.contact_name} (suggested by the call brief)"
    if row.reach.reachable:
        said.append(f"{who} is reachable now: {row.reach.reason}.")
    elif row.reach.next_reachable_at is not None:
        nxt = row.reach.next_reachable_at.strftime("%Y-%m-%d %H:%M UTC")
        said.append(f"{who} is not reachable now ({row.reach.reason}); next reachable {nxt}.")
    else:
        said.append(f"{who} is not reachable now ({row.reach.reason}).")
    return said
