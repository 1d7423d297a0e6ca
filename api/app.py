"""The Starlette application: routes, and a lifespan that owns the pool and clients."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from meilisearch_python_sdk import AsyncClient
from starlette.applications import Starlette
from starlette.routing import Route

from api.graphql_http import graphql_endpoint
from api.health import healthz, readyz
from api.settings import Settings
from search.client import create_client
from search.index import ensure_index, index_name
from search.worker import Worker
from store.db import create_pool

log = logging.getLogger("rapport.app")


async def _prepare_index(client: AsyncClient, uid: str) -> None:
    """Settings first: a search before them would find nothing filterable and fail."""
    try:
        await ensure_index(client, uid)
    except Exception as error:
        log.warning("search index not prepared, search is unavailable until it is: %s", error)


def create_app(settings: Settings, *, run_worker: bool = False) -> Starlette:
    """The API; with run_worker, an index worker runs in the same process (the dev setup)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        app.state.meili = create_client(
            settings.meili_url, settings.meili_master_key, settings.meili_timeout_seconds
        )
        app.state.index_uid = index_name(settings.meili_index_prefix)
        await _prepare_index(app.state.meili, app.state.index_uid)
        worker = worker_task = None
        if run_worker:
            worker = Worker(settings.database_url, app.state.pool, app.state.meili, app.state.index_uid)
            worker_task = asyncio.create_task(worker.run(), name="index worker")
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
                await worker_task
            await app.state.meili.aclose()
            await app.state.pool.close()

    return Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
