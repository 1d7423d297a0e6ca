"""Liveness and readiness for load balancers and orchestrators."""

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from api import migrate
from search.client import is_healthy
from store.db import schema_revision

CHECK_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    """The process is up; says nothing of its dependencies."""
    return JSONResponse({"status": "ok"})


async def _postgres_problem(request: Request) -> str | None:
    try:
        revision = await asyncio.wait_for(schema_revision(request.app.state.pool), CHECK_TIMEOUT_SECONDS)
    except Exception:
        return "postgres does not answer"
    if revision != migrate.head_revision():
        return f"database schema is at {revision}, expected {migrate.head_revision()}: run `rapport migrate`"
    return None


async def _meili_problem(request: Request) -> str | None:
    healthy = await asyncio.wait_for(is_healthy(request.app.state.meili), CHECK_TIMEOUT_SECONDS + 1)
    return None if healthy else "meilisearch does not answer"


async def readyz(request: Request) -> JSONResponse:
    """Ready to serve: Postgres answers at the current migration and Meilisearch answers."""
    problems = [p for p in await asyncio.gather(_postgres_problem(request), _meili_problem(request)) if p]
    if problems:
        return JSONResponse({"status": "unavailable", "reasons": problems}, status_code=503)
    return JSONResponse({"status": "ready"})
