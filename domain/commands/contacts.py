"""Changes to contacts: a new person, an edit at a known version, and a merge by name and email."""

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from uuid import UUID

from domain.contacts import Channel, ContactRole
from domain.windows import WindowSpec


@dataclass(frozen=True, slots=True)
class ContactFields:
    """What a writer says about a person; None leaves a field as it is (unset, for a new one)."""

    name: str | None = None
    title: str | None = None
    roles: Sequence[ContactRole] | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: Channel | None = None
    time_zone: str | None = None
    language: str | None = None
    do_not_contact: bool | None = None


# The columns a writer may set, named once: the store, the import's columns and the audit follow it.
CONTACT_FIELDS = tuple(f.name for f in fields(ContactFields))


@dataclass(frozen=True, slots=True)
class NewContact:
    account_id: UUID
    details: ContactFields
    windows: Sequence[WindowSpec] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ContactEdit:
    """A given `windows` replaces the stored ones; None keeps them."""

    contact_id: UUID
    expected_version: int
    details: ContactFields
    windows: Sequence[WindowSpec] | None = None
