"""Who makes a change, as every writer names it: a person over GraphQL, the CSV import, the demo.

The audit log records `user_id` (None: the system itself); entries written by
the change carry `team`, which also decides what the actor may write and read.
"""

from dataclasses import dataclass
from uuid import UUID

from domain.permissions import Write, may_see_restricted, may_write
from domain.teams import Team
from domain.validation import forbidden


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: UUID | None
    team: Team

    @property
    def sees_restricted(self) -> bool:
        return may_see_restricted(self.team)

    def require(self, what: Write) -> None:
        """Rejected (FORBIDDEN) unless the actor's team may write `what`."""
        if not may_write(self.team, what):
            raise forbidden(f"the {self.team.value} team may not write {what.value}.")
