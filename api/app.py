"""The Starlette application: routes, and a lifespan that owns the pool and clients."""

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route

from api.graphql_http import graphql_endpoint
from api.health import healthz, readyz
from api.settings import Settings
from search.client import create_client
from store.db import create_pool


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        app.state.meili = create_client(
            settings.meili_url, settings.meili_master_key, settings.meili_timeout_seconds
        )
        try:
            yield
        finally:
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
