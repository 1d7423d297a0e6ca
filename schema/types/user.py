"""User: a person (or integration) holding tokens, in exactly one team."""

from collections.abc import Mapping
from typing import Any

import strawberry

from domain.teams import Team as TeamValue
from schema import ids
from schema.types.enums import described_enum
from schema.types.node import Node
from store import users

Team = described_enum(
    TeamValue,
    "Team",
    "A user's team: it decides what they may write, and whether they see RESTRICTED entries.",
    {
        "SALES": "Sales: writes accounts, contacts, notes, interactions, news and follow-ups.",
        "SERVICE": "Customer service: what SALES writes, and opens and resolves disputes.",
        "AR": "Accounts receivable: what SERVICE writes, promises, payment plans, invoices, payments; "
        "writes and reads RESTRICTED entries.",
        "ADMIN": "Everything AR may, edits and deletes anyone's entries, and reads the audit log.",
        "INTEGRATION": "A system such as the ERP: upserts accounts and invoices, records payments.",
    },
)


@strawberry.type(description="A person or integration; the team decides what they may write and see.")
class User(Node):
    email: str = strawberry.field(description="Sign-in email; identity-provider tokens find the user by it.")
    name: str = strawberry.field(description="Display name.")
    team: Team = strawberry.field(
        description="The user's team: what they may write, and whether they see RESTRICTED entries."
    )

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
