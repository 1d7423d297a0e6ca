"""Liveness and readiness for load balancers and orchestrators."""

import asyncio
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse

from api import migrate
from search.client import is_healthy
from store import outbox
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
    try:
        healthy = await asyncio.wait_for(is_healthy(request.app.state.meili), CHECK_TIMEOUT_SECONDS + 1)
    except TimeoutError:
        healthy = False
    return None if healthy else "meilisearch does not answer"


async def _outbox(request: Request) -> dict | None:
    """How far the search index lags behind Postgres; informative, never a reason to be unready."""
    try:
        async with request.app.state.pool.acquire() as conn:
            queue = await asyncio.wait_for(outbox.status(conn), CHECK_TIMEOUT_SECONDS)
    except Exception:
        return None
    age = (datetime.now(UTC) - queue.oldest_pending_at).total_seconds() if queue.oldest_pending_at else 0.0
    return {"pending": queue.pending, "oldestPendingSeconds": round(age, 1), "failing": queue.failing}


async def readyz(request: Request) -> JSONResponse:
    """Ready to serve: Postgres answers at the current migration and Meilisearch answers."""
    postgres, meili, queue = await asyncio.gather(
        _postgres_problem(request), _meili_problem(request), _outbox(request)
    )
    problems = [p for p in (postgres, meili) if p]
    body = {"status": "unavailable" if problems else "ready", "outbox": queue}
    if problems:
        body["reasons"] = problems
    return JSONResponse(body, status_code=503 if problems else 200)
