"""Changes to accounts: a new one, an edit at a known version, and upserts keyed by external ref."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.accounts import AccountStatus

ExternalRef = tuple[str, str]  # (system, id in that system)


@dataclass(frozen=True, slots=True)
class NewAccount:
    name: str
    external_refs: Sequence[ExternalRef] = ()
    owner_id: UUID | None = None
    tags: Sequence[str] | None = None
    time_zone: str | None = None
    status: AccountStatus | None = None


@dataclass(frozen=True, slots=True)
class AccountEdit:
    """None leaves a field as it is."""

    account_id: UUID
    expected_version: int
    name: str | None = None
    owner_id: UUID | None = None
    tags: Sequence[str] | None = None
    time_zone: str | None = None
    status: AccountStatus | None = None


@dataclass(frozen=True, slots=True)
class AccountUpsert:
    """The account another system keeps under this ref: created, or brought in line with it."""

    system: str
    external_id: str
    name: str
    tags: Sequence[str] | None = None
    time_zone: str | None = None
    status: AccountStatus | None = None
