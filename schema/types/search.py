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


@strawberry.enum(description="What kind of object a search hit is.")
class SearchHitType(Enum):
    ACCOUNT = strawberry.enum_value("ACCOUNT", description="An account; the account field holds it.")
    CONTACT = strawberry.enum_value(
        "CONTACT", description="A person at a customer; the contact field holds it."
    )
    ENTRY = strawberry.enum_value("ENTRY", description="A timeline entry; the entry field holds it.")
    INVOICE = strawberry.enum_value("INVOICE", description="An invoice; the invoice field holds it.")


@strawberry.input(description="Narrows search(): a hit must match every field set.")
class SearchFilter:
    types: list[SearchHitType] | None = strawberry.field(
        default=None, description="Any of these kinds of object."
    )
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Within this account (an Account id)."
    )
    kinds: list[EntryKind] | None = strawberry.field(
        default=None, description="Entries of any of these kinds."
    )
    teams: list[Team] | None = strawberry.field(
        default=None, description="Entries written by any of these teams."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Carrying at least one of these tags."
    )
    since: datetime | None = strawberry.field(
        default=None, description="Entries that occurred at or after this instant."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Entries that occurred at or before this instant."
    )


@strawberry.type(description="One object that matched, hydrated from the database as the caller may see it.")
class SearchHit:
    type: SearchHitType = strawberry.field(
        description="What kind of object matched; the field of that name holds it."
    )
    account: Account = strawberry.field(
        description="The account it belongs to (the account itself for an ACCOUNT hit)."
    )
    entry: TimelineEntry | None = strawberry.field(description="The entry, for an ENTRY hit; else null.")
    contact: Contact | None = strawberry.field(description="The contact, for a CONTACT hit; else null.")
    invoice: Invoice | None = strawberry.field(description="The invoice, for an INVOICE hit; else null.")
    highlight: str = strawberry.field(description="A snippet; matched words wrapped in <mark>...</mark>.")


@strawberry.type(description="How many hits have one value of a facet.")
class FacetValue:
    value: str = strawberry.field(description='The value, e.g. "NOTE" or a tag.')
    count: int = strawberry.field(description="How many hits have it.")


@strawberry.type(description="Counts per value of one field: type, kind, team or tags.")
class Facet:
    field: str = strawberry.field(description="The field counted: type, kind, team or tags.")
    values: list[FacetValue] = strawberry.field(description="Its values among the hits, most frequent first.")


@strawberry.type(description="What search() found: a page of hits, an estimate of all, and facet counts.")
class SearchResults:
    hits: list[SearchHit] = strawberry.field(description="The best matches first, from `offset` on.")
    estimated_total: int = strawberry.field(description="About how many objects match in all; an estimate.")
    facets: list[Facet] = strawberry.field(
        description="Counts per value of type, kind, team and tags among all matches."
    )
    took_ms: int = strawberry.field(description="Time spent answering, hydration included.")
