"""Who looks after an account: a team's owner, a follower."""

from dataclasses import dataclass
from uuid import UUID

from domain.teams import Team


@dataclass(frozen=True, slots=True)
class AccountOwnerChange:
    """`user_id` None removes the team's owner."""

    account_id: UUID
    team: Team
    user_id: UUID | None


@dataclass(frozen=True, slots=True)
class Following:
    account_id: UUID
    follow: bool
