"""The Starlette application: routes, the edge middleware, and a lifespan that owns the pool and clients."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from meilisearch_python_sdk import AsyncClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from api import graphiql, metrics
from api.auth import Authenticator
from api.console import console_routes
from api.graphql_http import graphql_endpoint, schema_endpoint
from api.health import healthz, readyz
from api.persisted_queries import PersistedDocuments
from api.rate_limit import RateLimiter
from api.security_headers import SecurityHeaders
from api.settings import Settings
from api.statement_page import statement_routes
from api.websocket import TimelineSocket
from jobs.mail import Mailer
from jobs.runner import JobRunner
from schema.app_schema import build_schema
from schema.limits import Limits
from schema.live import Hub
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


class _Rapport(Starlette):
    """Security headers wrap even Starlette's own error middleware, so its bare 500 carries them too."""

    def __init__(self, *, hsts: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hsts = hsts

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), hsts=self.hsts)


def _cors(settings: Settings) -> list[Middleware]:
    """Browsers on the listed origins may call /graphql; credentials only ever with explicit origins."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        )
    ]


def _freeze_startup_objects() -> None:
    """Keeps what start-up built (modules, the schema, its types) out of the cycle collector.

    They live as long as the process, yet every full collection walked them all: a
    140 ms pause about every 200 timeline requests, measured, against 2 ms once frozen.
    Garbage is collected first so that nothing dead is frozen.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, *, run_worker: bool = False) -> Starlette:
    """The API; with run_worker, an index worker runs in the same process (the dev setup)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        # Statements whose plan does not depend on their values (compiled reads, the token lookup every
        # request starts with) run on connections of their own that keep their plans: planned afresh,
        # the token lookup costs Postgres twice as much. None is opened before the first request.
        app.state.read_pool = await create_pool(
            settings.database_url, min_size=0, max_size=settings.db_pool_max, plan_cache_mode="auto"
        )
        app.state.meili = create_client(
            settings.meili_url, settings.meili_master_key, settings.meili_timeout_seconds
        )
        app.state.authenticator = Authenticator(app.state.read_pool, settings.jwt)
        app.state.documents = PersistedDocuments(app.state.pool, settings.trusted_documents)
        app.state.index_uid = index_name(settings.meili_index_prefix)
        await _prepare_index(app.state.meili, app.state.index_uid)
        app.state.hub = Hub(
            settings.database_url,
            app.state.pool,
            settings.subscription_max_lag,
            max_per_user=settings.subscriptions_per_user,
        )
        await app.state.hub.start()
        gauges = None
        if settings.metrics != "off":
            gauges = asyncio.create_task(metrics.keep_fresh(app.state, settings.metrics_port), name="metrics")
        worker = worker_task = jobs = jobs_task = None
        if run_worker:
            worker = Worker(settings.database_url, app.state.pool, app.state.meili, app.state.index_uid)
            worker_task = asyncio.create_task(worker.run(), name="index worker")
            mailer = Mailer.from_url(settings.smtp_url, settings.mail_from) if settings.smtp_url else None
            jobs = JobRunner(app.state.pool, mailer, settings.public_url)
            jobs_task = asyncio.create_task(jobs.run(), name="jobs")
        _freeze_startup_objects()
        try:
            yield
        finally:
            if gauges is not None:
                gauges.cancel()
            await app.state.hub.stop()
            if worker is not None:
                worker.stop()
                await worker_task
            if jobs is not None:
                jobs.stop()
                await jobs_task
            await app.state.authenticator.aclose()
            await app.state.meili.aclose()
            await app.state.read_pool.close()
            await app.state.pool.close()
            metrics.process_exited()

    schema = build_schema(
        Limits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
            introspection=settings.introspection,
        ),
        settings.compiled_reads,
    )
    app = _Rapport(
        hsts=settings.production,
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/graphql/schema.graphql", schema_endpoint),
            WebSocketRoute("/graphql", TimelineSocket(schema, settings.subscriptions_per_connection)),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *statement_routes(),
            *console_routes(),
            *([Route("/metrics", metrics.metrics_endpoint)] if settings.metrics == "on" else []),
            *([Route(f"{graphiql.ASSETS_PATH}/{{name}}", graphiql.asset)] if settings.introspection else []),
        ],
        middleware=_cors(settings),
        lifespan=lifespan,
    )
    app.state.schema = schema
    app.state.sdl = schema.as_str() + "\n"
    app.state.limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    return app
