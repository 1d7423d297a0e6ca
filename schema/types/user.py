"""User: a person (or integration) holding tokens, in exactly one team."""

import strawberry

from domain.teams import Team as TeamValue
from schema import ids
from schema.types.node import Node
from store import users

Team = strawberry.enum(TeamValue, name="Team")


@strawberry.type(
    description="A person or integration; the team decides what they may write and see."
)
class User(Node):
    email: str
    name: str
    team: Team

    @classmethod
    def from_row(cls, row: users.User) -> "User":
        return cls(
            id=strawberry.ID(ids.encode("User", row.id)),
            email=row.email,
            name=row.name,
            team=row.team,
        )
