"""Who hears about an entry, and why: the rule behind every inbox item.

One entry gives a person at most one item, for the strongest reason they have
(being named beats being handed work, which beats owning or following the
account); nobody hears of their own writing; nobody hears of an entry they may
not read. A promise turning BROKEN is the one later news about an entry, and
goes to the account's owners.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from domain.entries import EntryKind, Visibility
from domain.permissions import may_see_restricted
from domain.teams import Team


class InboxReason(Enum):
    MENTIONED = "MENTIONED"
    ASSIGNED = "ASSIGNED"
    FOLLOWED_ACTIVITY = "FOLLOWED_ACTIVITY"
    PROMISE_BROKEN = "PROMISE_BROKEN"
    DISPUTE_OPENED = "DISPUTE_OPENED"


# The kinds whose arrival owners and followers hear of.
FOLLOWED_KINDS = frozenset({EntryKind.NEWS, EntryKind.PROMISE_TO_PAY, EntryKind.DISPUTE})


def may_read(team: Team, visibility: Visibility) -> bool:
    return visibility != Visibility.RESTRICTED or may_see_restricted(team)


@dataclass(frozen=True, slots=True)
class Audience:
    """The people around one new entry or change, as the services found them."""

    kind: EntryKind
    visibility: Visibility
    author_id: UUID | None
    mentioned: Iterable[UUID] = ()
    assignee_id: UUID | None = None
    owners: Iterable[UUID] = ()
    followers: Iterable[UUID] = ()


def recipients(audience: Audience, teams: Mapping[UUID, Team]) -> dict[UUID, InboxReason]:
    """Each person to notify and their one reason; `teams` holds every enabled person named."""
    chosen: dict[UUID, InboxReason] = {}

    def offer(user_id: UUID | None, reason: InboxReason) -> None:
        if user_id is None or user_id == audience.author_id or user_id in chosen:
            return
        team = teams.get(user_id)
        if team is not None and may_read(team, audience.visibility):
            chosen[user_id] = reason

    for user_id in audience.mentioned:
        offer(user_id, InboxReason.MENTIONED)
    if audience.kind == EntryKind.FOLLOW_UP:
        offer(audience.assignee_id, InboxReason.ASSIGNED)
    if audience.kind == EntryKind.DISPUTE:
        for user_id in audience.owners:
            offer(user_id, InboxReason.DISPUTE_OPENED)
    if audience.kind in FOLLOWED_KINDS:
        for user_id in (*audience.owners, *audience.followers):
            offer(user_id, InboxReason.FOLLOWED_ACTIVITY)
    return chosen
