"""User: a person (or integration) holding tokens, in exactly one team."""

from collections.abc import Mapping
from typing import Any

import strawberry

from domain.teams import Team as TeamValue
from schema import ids
from schema.types.node import Node
from store import users

Team = strawberry.enum(TeamValue, name="Team")


@strawberry.type(description="A person or integration; the team decides what they may write and see.")
class User(Node):
    email: str
    name: str
    team: Team

    @classmethod
    def from_row(cls, row: Mapping[str, Any], prefix: str = "") -> "User":
        return cls(
            id=strawberry.ID(ids.encode("User", row[f"{prefix}id"])),
            email=row[f"{prefix}email"],
            name=row[f"{prefix}name"],
            team=TeamValue(row[f"{prefix}team"]),
        )

    @classmethod
    def from_user(cls, user: users.User) -> "User":
        return cls(
            id=strawberry.ID(ids.encode("User", user.id)),
            email=user.email,
            name=user.name,
            team=user.team,
        )
