"""Teams, and what each may write and read (docs/design.md, "Security")."""

from enum import Enum


class Team(Enum):
    SALES = "SALES"
    SERVICE = "SERVICE"
    AR = "AR"
    ADMIN = "ADMIN"
    INTEGRATION = "INTEGRATION"


def parse_team(value: str) -> Team:
    """A team from its name, case-insensitively; ValueError names the choices."""
    try:
        return Team[value.strip().upper()]
    except KeyError:
        choices = ", ".join(team.value for team in Team)
        raise ValueError(f"unknown team {value!r}; expected one of {choices}") from None
