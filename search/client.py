"""The Meilisearch client: async, with a bounded timeout so an outage answers fast."""

import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError, MeilisearchError, MeilisearchTaskFailedError


class SearchUnavailable(Exception):
    """Meilisearch cannot be reached, timed out, or answered with a server error."""


def is_outage(error: BaseException) -> bool:
    """Meilisearch down, slow or restarting, as opposed to refusing what we sent.

    The SDK (over httpx2) raises its own errors for most failures but lets some
    transport and status errors through unwrapped; all of those are outages.
    """
    if isinstance(error, MeilisearchApiError):
        return error.status_code >= 500
    if isinstance(error, MeilisearchTaskFailedError):
        return False
    return isinstance(error, MeilisearchError | httpx2.HTTPError | OSError | TimeoutError)


def create_client(url: str, master_key: str | None, timeout_seconds: float) -> AsyncClient:
    return AsyncClient(url, master_key, timeout=timeout_seconds)  # type: ignore[arg-type]


async def is_healthy(client: AsyncClient) -> bool:
    try:
        health = await client.health()
    except Exception:
        return False
    return health.status == "available"
