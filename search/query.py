"""Searching the index: the permission filter always applies, and outages answer fast."""

import html
from dataclasses import dataclass, field

from meilisearch_python_sdk.errors import MeilisearchApiError

from search import filters
from search.client import SearchClient, SearchUnavailable, is_outage
from search.index import FACETS, SEARCHABLE

# Private-use characters mark matches inside Meilisearch, so the text can be
# HTML-escaped before they become <mark> tags: a snippet never carries markup
# from the documents themselves.
_PRE, _POST = "\ue000", "\ue001"


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str
    types: list[str] | None = None
    account_id: str | None = None
    kinds: list[str] | None = None
    teams: list[str] | None = None
    tags: list[str] | None = None
    since: int | None = None
    until: int | None = None
    restricted: bool = False
    limit: int = 20
    offset: int = 0
    facets: bool = True


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    highlight: str


@dataclass
class Found:
    hits: list[Hit]
    estimated_total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    engine_ms: int = 0


def filter_expression(request: SearchRequest) -> str | None:
    conditions = []
    if not request.restricted:
        conditions.append(filters.equals("visibility", "ALL_TEAMS"))
    if request.types:
        conditions.append(filters.any_of("type", request.types))
    if request.account_id:
        conditions.append(filters.equals("accountId", request.account_id))
    if request.kinds:
        conditions.append(filters.any_of("kind", request.kinds))
    if request.teams:
        conditions.append(filters.any_of("team", request.teams))
    if request.tags:
        conditions.append(filters.any_of("tags", request.tags))
    if request.since is not None:
        conditions.append(filters.at_least("occurredAt", request.since))
    if request.until is not None:
        conditions.append(filters.at_most("occurredAt", request.until))
    return filters.all_of(conditions)


def _snippet(formatted: dict) -> str:
    """The first searchable attribute with a match, else the summary, as safe HTML.

    The ranking order is the snippet's order, so an entry shows the words it
    matched in its own text rather than its account's name.
    """
    chosen = None
    for name in SEARCHABLE:
        value = formatted.get(name)
        text = " · ".join(value) if isinstance(value, list) else (value or "")
        if _PRE in text:
            chosen = text
            break
        if chosen is None and name == "summary":
            chosen = text
    escaped = html.escape(chosen or "", quote=False)
    return escaped.replace(_PRE, "<mark>").replace(_POST, "</mark>")


def _body(request: SearchRequest) -> dict:
    body = {
        "q": request.query,
        "limit": request.limit,
        "offset": request.offset,
        "attributesToRetrieve": ["id"],
        "attributesToHighlight": SEARCHABLE,
        "attributesToCrop": ["body"],
        "cropLength": 30,
        "cropMarker": "...",
        "highlightPreTag": _PRE,
        "highlightPostTag": _POST,
    }
    if (expression := filter_expression(request)) is not None:
        body["filter"] = expression
    if request.facets:
        body["facets"] = FACETS
    return body


async def search(client: SearchClient, uid: str, request: SearchRequest) -> Found:
    try:
        result = await client.post_json(f"indexes/{uid}/search", _body(request))
    except Exception as error:
        missing = isinstance(error, MeilisearchApiError) and error.code == "index_not_found"
        if is_outage(error) or missing:
            raise SearchUnavailable(str(error)) from error
        raise
    return Found(
        hits=[Hit(hit["id"], _snippet(hit.get("_formatted") or {})) for hit in result["hits"]],
        estimated_total=result.get("estimatedTotalHits") or 0,
        facets=result.get("facetDistribution") or {},
        engine_ms=result["processingTimeMs"],
    )
