"""The search resolver: ask Meilisearch, then hydrate the hits from Postgres.

Hydration is one query per type; a hit whose row is gone (deleted since it was
indexed) or hidden from the caller is dropped, never an error.
"""

import time
from collections import defaultdict

import strawberry

from schema import ids
from schema.errors import InvalidArgument, PublicError
from schema.moments import bound
from schema.types.account import Account
from schema.types.contact import Contact
from schema.types.entries.rows import entries_with_invoices
from schema.types.invoice import Invoice
from schema.types.search import Facet, FacetValue, SearchFilter, SearchHit, SearchHitType, SearchResults
from search.client import SearchUnavailable
from search.documents import parse_document_id
from search.index import FACETS
from search.query import SearchRequest, search
from store import accounts, contacts, entries, invoices

MAX_FIRST = 100
MAX_OFFSET = 1_000
MAX_QUERY = 500


class SearchUnavailableError(PublicError):
    """Search is unavailable right now; everything else keeps working."""

    code = "SEARCH_UNAVAILABLE"


def _request(
    info: strawberry.Info, query: str, where: SearchFilter | None, first: int, offset: int
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
    )


async def run_search(
    info: strawberry.Info, query: str, where: SearchFilter | None, first: int, offset: int
) -> SearchResults:
    started = time.perf_counter()
    context = info.context
    request = _request(info, query, where, first, offset)
    try:
        found = await search(context.meili, context.index_uid, request)
    except SearchUnavailable:
        raise SearchUnavailableError("Search is unavailable right now; try again shortly.") from None
    wanted = defaultdict(list)
    for hit in found.hits:
        entity_type, entity_id = parse_document_id(hit.doc_id)
        wanted[entity_type].append(entity_id)
    async with context.pool.acquire() as conn:
        entry_rows = await entries.entries_by_ids(conn, wanted["entry"], restricted=request.restricted)
        typed_entries = dict(
            zip(entry_rows, await entries_with_invoices(conn, list(entry_rows.values())), strict=True)
        )
        contact_rows = await contacts.contacts_by_ids(conn, wanted["contact"])
        invoice_rows = await invoices.invoices_by_ids(conn, wanted["invoice"])
        account_ids = {
            *wanted["account"],
            *(r["account_id"] for r in contact_rows.values()),
            *(r["account_id"] for r in invoice_rows.values()),
        }
        account_rows = await accounts.accounts_by_ids(conn, list(account_ids))
    hits = []
    for hit in found.hits:
        entity_type, entity_id = parse_document_id(hit.doc_id)
        if entity_type == "entry" and entity_id in typed_entries:
            entry = typed_entries[entity_id]
            hits.append(
                SearchHit(
                    type=SearchHitType.ENTRY,
                    account=entry.account,
                    entry=entry,
                    contact=None,
                    invoice=None,
                    highlight=hit.highlight,
                )
            )
            continue
        row = {"contact": contact_rows, "invoice": invoice_rows, "account": account_rows}.get(
            entity_type, {}
        ).get(entity_id)
        account = (
            account_rows.get(row["account_id"] if entity_type != "account" else entity_id) if row else None
        )
        if account is None:
            continue
        hits.append(
            SearchHit(
                type=SearchHitType[entity_type.upper()],
                account=Account.from_row(account),
                entry=None,
                contact=Contact.from_row(row) if entity_type == "contact" else None,
                invoice=Invoice.from_row(row) if entity_type == "invoice" else None,
                highlight=hit.highlight,
            )
        )
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
