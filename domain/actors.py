"""Who makes a change, as every writer names it: a person over GraphQL, the CSV import, the demo.

The audit log records `user_id` (None: the system itself); entries written by
the change carry `team`, which also decides what the actor may write and read.
The system (the CLI's import without `--as`) is trusted with every write: its
operator already holds the database.
"""

from dataclasses import dataclass
from uuid import UUID

from domain.permissions import Write, may_see_restricted, require
from domain.teams import Team


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: UUID | None
    team: Team

    @property
    def sees_restricted(self) -> bool:
        return may_see_restricted(self.team)

    def require(self, what: Write) -> None:
        """Refuse, before anything is read or written, a write the actor's team may not make."""
        if self.user_id is not None:
            require(self.team, what)
