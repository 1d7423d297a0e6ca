"""Changes to an account's preferences: one value per key, set or removed."""

from dataclasses import dataclass
from uuid import UUID

PREFERENCE_KEY_MAX = 100


@dataclass(frozen=True, slots=True)
class PreferenceSetting:
    account_id: UUID
    key: str
    value: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PreferenceRemoval:
    account_id: UUID
    key: str
