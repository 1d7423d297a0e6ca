"""Prometheus metrics: request durations, error codes, pool use, outbox lag, live subscriptions.

Gauges that need the database are refreshed by one background task every few
seconds rather than at scrape time, so a scrape never waits on Postgres and the
same values can be served on the API's /metrics or on a port of their own.
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response

from store import outbox

log = logging.getLogger("rapport.metrics")
REFRESH_SECONDS = 5.0

REQUESTS = Histogram(
    "rapport_graphql_request_seconds",
    "Time to answer a GraphQL request, by operation name and type.",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter("rapport_graphql_errors_total", "GraphQL errors returned, by extensions.code.", ["code"])
POOL = Gauge("rapport_db_pool_connections", "Database pool connections, by state.", ["state"])
OUTBOX_DEPTH = Gauge("rapport_outbox_pending", "Outbox rows not yet in the search index.")
OUTBOX_AGE = Gauge("rapport_outbox_oldest_pending_seconds", "Age of the oldest pending outbox row.")
OUTBOX_FAILING = Gauge("rapport_outbox_failing", "Outbox rows that failed repeatedly (still retried).")
SUBSCRIPTIONS = Gauge("rapport_subscriptions", "Live timeline subscriptions in this process.")


def observe(operation: str | None, operation_type: str | None, seconds: float, codes: list[str]) -> None:
    # Operation names come from clients: cap their variety so a client cannot blow up the series.
    name = (operation or "anonymous")[:64]
    REQUESTS.labels(name, operation_type or "unknown").observe(seconds)
    for code in codes:
        ERRORS.labels(code).inc()


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _refresh(state: object) -> None:
    pool = state.pool
    POOL.labels("in_use").set(pool.get_size() - pool.get_idle_size())
    POOL.labels("idle").set(pool.get_idle_size())
    SUBSCRIPTIONS.set(state.hub.subscriptions)
    async with pool.acquire() as conn:
        queue = await outbox.status(conn)
    OUTBOX_DEPTH.set(queue.pending)
    OUTBOX_FAILING.set(queue.failing)
    oldest = queue.oldest_pending_at
    OUTBOX_AGE.set((datetime.now(UTC) - oldest).total_seconds() if oldest else 0)


async def keep_fresh(state: object, port: int | None) -> None:
    """Refresh the gauges until cancelled; with a port, also serve them there."""
    if port is not None:
        start_http_server(port, addr="0.0.0.0")  # noqa: S104 - scrapers reach it from outside
    while True:
        with contextlib.suppress(Exception):
            await _refresh(state)
        await asyncio.sleep(REFRESH_SECONDS)
