"""The Meilisearch client: async, with a bounded timeout so an outage answers fast."""

from meilisearch_python_sdk import AsyncClient


def create_client(url: str, master_key: str | None, timeout_seconds: float) -> AsyncClient:
    return AsyncClient(url, master_key, timeout=timeout_seconds)  # type: ignore[arg-type]


async def is_healthy(client: AsyncClient) -> bool:
    try:
        health = await client.health()
    except Exception:
        return False
    return health.status == "available"
