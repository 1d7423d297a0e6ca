"""The search index: its name, its settings, and making sure it exists.

One index holds every document type (accounts, contacts, invoices, entries),
so a single query ranks them together and facets count them together.

Every document carries its account's name, so a note on "Leeds Widgets" is
found by "leeds plant". That name is searched last: Meilisearch's `attribute`
ranking rule puts a match in an earlier attribute first, so searching an
account's name finds the account (whose summary is its name) and the entries
that mention it in their own text before the entries that only belong to it.
"""

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError
from meilisearch_python_sdk.models.settings import (
    Faceting,
    FilterableAttributeFeatures,
    FilterableAttributes,
    MeilisearchSettings,
)
from meilisearch_python_sdk.models.settings import Filter as FilterFeatures

TASK_TIMEOUT_MS = 60_000

# Most telling first: the order is the `attribute` ranking rule's order.
SEARCHABLE = ["summary", "contactNames", "invoiceNumbers", "body", "tags", "accountName"]


def _filterable(patterns: list[str], *, comparison: bool) -> FilterableAttributes:
    return FilterableAttributes(
        attribute_patterns=patterns,
        features=FilterableAttributeFeatures(
            facet_search=False, filter=FilterFeatures(equality=True, comparison=comparison)
        ),
    )


# Only the features searches use: every write to the index pays for the structures behind the others.
# Facet search (searching within a facet's values) and sorting are never asked for, and only occurredAt
# is compared (since/until): without them a one-note batch spent no time on facets (23 of 154 ms on
# 62,000 documents, 47-67 of 750-1,150 ms on 1.2 million).
SETTINGS = MeilisearchSettings(
    searchable_attributes=SEARCHABLE,
    filterable_attributes=[
        _filterable(["type", "accountId", "kind", "team", "tags", "visibility"], comparison=False),
        _filterable(["occurredAt"], comparison=True),
    ],
    sortable_attributes=[],
    facet_search=False,
    faceting=Faceting(max_values_per_facet=100),
    displayed_attributes=["*"],
)
FACETS = ["type", "kind", "team", "tags"]


def index_name(prefix: str) -> str:
    return f"{prefix}_search"


async def wait(client: AsyncClient, task_uid: int, timeout_ms: int = TASK_TIMEOUT_MS) -> None:
    """Wait for a Meilisearch task and raise if it failed."""
    await client.wait_for_task(task_uid, timeout_in_ms=timeout_ms, interval_in_ms=10, raise_for_status=True)


async def ensure_index(client: AsyncClient, uid: str) -> None:
    """Create the index if needed and apply the settings; safe to run from many processes."""
    try:
        await client.get_index(uid)
    except MeilisearchApiError as error:
        if error.code != "index_not_found":
            raise
        try:
            await client.create_index(uid, primary_key="id", timeout_in_ms=TASK_TIMEOUT_MS)
        except MeilisearchApiError as race:
            if race.code != "index_already_exists":
                raise
    task = await client.index(uid).update_settings(SETTINGS)
    await wait(client, task.task_uid)
