"""The search resolver: ask Meilisearch, then hydrate the hits from Postgres.

Hydration is one statement for the whole page, whatever the hits' types (and
one more for entries' invoices, only when the query asks for them); a hit whose
row is gone (deleted since it was indexed) or hidden from the caller is
dropped, never an error. What the query does not select is not asked for:
no hits, no hydration; no facets, no facet counts from Meilisearch.
"""

import time

import asyncpg
import strawberry
from strawberry.types.nodes import SelectedField

from schema import ids
from schema.errors import InvalidArgument, PublicError
from schema.moments import bound
from schema.types.account import Account
from schema.types.contact import Contact
from schema.types.entries.rows import entry_from_row
from schema.types.invoice import Invoice
from schema.types.search import Facet, FacetValue, SearchFilter, SearchHit, SearchHitType, SearchResults
from search.client import SearchUnavailable
from search.documents import parse_document_id
from search.index import FACETS
from search.query import Found, SearchRequest, search
from store import entries, search_hits

MAX_FIRST = 100
MAX_OFFSET = 1_000
MAX_QUERY = 500


class SearchUnavailableError(PublicError):
    """Search is unavailable right now; everything else keeps working."""

    code = "SEARCH_UNAVAILABLE"


def _request(
    info: strawberry.Info, query: str, where: SearchFilter | None, first: int, offset: int, facets: bool
) -> SearchRequest:
    if not 0 <= first <= MAX_FIRST:
        raise InvalidArgument(f"`first` must be between 0 and {MAX_FIRST}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidArgument(f"`offset` must be between 0 and {MAX_OFFSET}.")
    if len(query) > MAX_QUERY:
        raise InvalidArgument(f"`query` may be at most {MAX_QUERY} characters.")
    where = where or SearchFilter()
    since, until = bound(where.since, "since"), bound(where.until, "until")
    return SearchRequest(
        query=query,
        types=[t.value for t in where.types] if where.types else None,
        account_id=str(ids.decode_as(where.account_id, "Account")) if where.account_id else None,
        kinds=[k.value for k in where.kinds] if where.kinds else None,
        teams=[t.value for t in where.teams] if where.teams else None,
        tags=where.tags or None,
        since=int(since.timestamp()) if since else None,
        until=int(until.timestamp()) if until else None,
        restricted=info.context.sees_restricted,
        limit=first,
        offset=offset,
        facets=facets,
    )


def _asks_for(selections: list, *path: str) -> bool:
    """Whether the query selects `path` (field names, outermost first), through fragments too."""
    if not path:
        return True
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == path[0] and _asks_for(selection.selections, *path[1:]):
                return True
        elif _asks_for(selection.selections, *path):
            return True
    return False


def _hit(row: asyncpg.Record, invoices: dict, highlight: str) -> SearchHit:
    entity_type = row["hit_type"]
    entry = entry_from_row(row, invoices.get(row["id"], [])) if entity_type == "entry" else None
    return SearchHit(
        type=SearchHitType[entity_type.upper()],
        account=entry.account if entry else Account.from_row(row, search_hits.ACCOUNT_PREFIX),
        entry=entry,
        contact=Contact.from_row(row, search_hits.CONTACT_PREFIX) if entity_type == "contact" else None,
        invoice=Invoice.from_row(row, search_hits.INVOICE_PREFIX) if entity_type == "invoice" else None,
        highlight=highlight,
    )


async def _hydrate(info: strawberry.Info, asked: list, found: Found, restricted: bool) -> list[SearchHit]:
    """The hits as Postgres holds them now: one statement, and one more only for entries' invoices."""
    if not found.hits or not _asks_for(asked, "hits"):
        return []
    wanted = [parse_document_id(hit.doc_id) for hit in found.hits]
    highlights = dict(zip(wanted, (hit.highlight for hit in found.hits), strict=True))
    # Its plan does not depend on the ids, so it runs where plans are kept: planned afresh it cost
    # twice as much (2.5 ms of planning).
    context = info.context
    async with (context.read_pool or context.pool).acquire() as conn:
        rows = await search_hits.hit_rows(conn, wanted, restricted=restricted)
        entry_ids = [row["id"] for row in rows if row["hit_type"] == "entry"]
        invoices = (
            await entries.invoices_of_entries(conn, entry_ids)
            if entry_ids and _asks_for(asked, "hits", "entry", "invoices")
            else {}
        )
    return [_hit(row, invoices, highlights[row["hit_type"], row["hit_id"]]) for row in rows]


async def run_search(
    info: strawberry.Info, query: str, where: SearchFilter | None, first: int, offset: int
) -> SearchResults:
    started = time.perf_counter()
    context = info.context
    asked = info.selected_fields[0].selections
    request = _request(info, query, where, first, offset, facets=_asks_for(asked, "facets"))
    try:
        found = await search(context.meili, context.index_uid, request)
    except SearchUnavailable:
        raise SearchUnavailableError("Search is unavailable right now; try again shortly.") from None
    hits = await _hydrate(info, asked, found, request.restricted)
    facets = [
        Facet(
            field=name,
            values=[
                FacetValue(value=value, count=count)
                for value, count in sorted(found.facets.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        )
        for name in FACETS
    ]
    return SearchResults(
        hits=hits,
        estimated_total=found.estimated_total,
        facets=facets,
        took_ms=round((time.perf_counter() - started) * 1000),
    )
