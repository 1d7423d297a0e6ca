"""Search results: hits hydrated from Postgres, facets and totals from Meilisearch."""

from datetime import datetime
from enum import Enum

import strawberry

from schema.types.account import Account
from schema.types.contact import Contact
from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import EntryKind
from schema.types.invoice import Invoice
from schema.types.user import Team


@strawberry.enum
class SearchHitType(Enum):
    ACCOUNT = "ACCOUNT"
    CONTACT = "CONTACT"
    ENTRY = "ENTRY"
    INVOICE = "INVOICE"


@strawberry.input
class SearchFilter:
    types: list[SearchHitType] | None = None
    account_id: strawberry.ID | None = None
    kinds: list[EntryKind] | None = None
    teams: list[Team] | None = None
    tags: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None


@strawberry.type
class SearchHit:
    type: SearchHitType
    account: Account
    entry: TimelineEntry | None
    contact: Contact | None
    invoice: Invoice | None
    highlight: str = strawberry.field(description="A snippet; matched words wrapped in <mark>...</mark>.")


@strawberry.type
class FacetValue:
    value: str
    count: int


@strawberry.type(description="Counts per value of one field: type, kind, team or tags.")
class Facet:
    field: str
    values: list[FacetValue]


@strawberry.type
class SearchResults:
    hits: list[SearchHit]
    estimated_total: int
    facets: list[Facet]
    took_ms: int = strawberry.field(description="Time spent answering, hydration included.")
