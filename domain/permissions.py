"""Who may write what, and who may read RESTRICTED entries (docs/design.md, "Security").

Everyone may read everything else: the point of Rapport is shared context.
"""

from enum import Enum
from uuid import UUID

from domain.teams import Team
from domain.validation import forbidden

_PEOPLE = frozenset({Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN})
_FINANCE = frozenset({Team.AR, Team.ADMIN})


class Write(Enum):
    ACCOUNTS = "accounts, contacts and preferences"
    UPSERT_ACCOUNTS = "accounts from another system"
    NOTES = "notes, interactions, news and follow-ups"
    PROMISES = "promises to pay and payment plans"
    DISPUTES = "disputes"
    INVOICES = "invoices and payments"
    PIN = "pins"
    MESSAGES = "customer messages, their templates, dunning policies and statement links"


_MAY_WRITE: dict[Write, frozenset[Team]] = {
    Write.ACCOUNTS: _PEOPLE,
    Write.UPSERT_ACCOUNTS: _PEOPLE | {Team.INTEGRATION},
    Write.NOTES: _PEOPLE,
    Write.PROMISES: _FINANCE,
    Write.DISPUTES: _FINANCE | {Team.SERVICE},
    Write.INVOICES: _FINANCE | {Team.INTEGRATION},
    Write.PIN: _PEOPLE,
    Write.MESSAGES: _FINANCE,
}


def may_write(team: Team, what: Write) -> bool:
    return team in _MAY_WRITE[what]


def require(team: Team, what: Write) -> None:
    """FORBIDDEN unless `team` may write `what`: every writer asks before it checks anything else."""
    if not may_write(team, what):
        raise forbidden(f"the {team.value} team may not write {what.value}.")


def may_see_restricted(team: Team) -> bool:
    return team in _FINANCE


def may_change_entry(team: Team, user_id: UUID, author_id: UUID | None) -> bool:
    """Edit or delete: ADMIN any entry; other people only their own; integrations none."""
    if team == Team.ADMIN:
        return True
    return team in _PEOPLE and author_id == user_id
