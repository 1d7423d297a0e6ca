"""Prometheus metrics: request durations, error codes, pool use, outbox lag, live subscriptions.

Gauges that need the database are refreshed by one background task every few
seconds rather than at scrape time, so a scrape never waits on Postgres and the
same values can be served on the API's /metrics or on a port of their own.

With several server processes (RAPPORT_WORKERS), each writes its values to files
in a directory shared for the life of `rapport serve` (prometheus_client's
multiprocess mode), and any process's scrape adds them all up; a scrape that
reached one process would otherwise see a random share of the traffic.
"""

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response

from store import outbox

log = logging.getLogger("rapport.metrics")
REFRESH_SECONDS = 5.0
# Metrics on their own port are for scrapers on other machines.
METRICS_HOST = "0.0.0.0"  # noqa: S104

REQUESTS = Histogram(
    "rapport_graphql_request_seconds",
    "Time to answer a GraphQL request, by operation name and type.",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
READ_PATHS = Counter(
    "rapport_read_path_total",
    "Queries answered by the compiled path (one SQL statement) or the executor (fallback), by operation.",
    ["operation", "path"],
)
READ_MISMATCHES = Counter(
    "rapport_compiled_read_mismatches_total",
    "Shadow mode: queries whose compiled answer differed from the executor's, by operation.",
    ["operation"],
)
ERRORS = Counter("rapport_graphql_errors_total", "GraphQL errors returned, by extensions.code.", ["code"])
# Per-process gauges add up over the live processes; database facts are the same in each.
POOL = Gauge(
    "rapport_db_pool_connections",
    "Database pool connections, by state.",
    ["state"],
    multiprocess_mode="livesum",
)
OUTBOX_DEPTH = Gauge(
    "rapport_outbox_pending", "Outbox rows not yet in the search index.", multiprocess_mode="mostrecent"
)
OUTBOX_AGE = Gauge(
    "rapport_outbox_oldest_pending_seconds",
    "Age of the oldest pending outbox row.",
    multiprocess_mode="mostrecent",
)
OUTBOX_FAILING = Gauge(
    "rapport_outbox_failing",
    "Outbox rows that failed repeatedly (still retried).",
    multiprocess_mode="mostrecent",
)
SUBSCRIPTIONS = Gauge("rapport_subscriptions", "Live timeline subscriptions.", multiprocess_mode="livesum")
SHARED_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable


@contextlib.contextmanager
def shared_between_processes() -> Iterator[None]:
    """A fresh directory for the values of the server processes started inside.

    The variable must be set before a process imports prometheus_client, so it is set
    here, in the parent, for the workers it spawns.
    """
    directory = tempfile.mkdtemp(prefix="rapport-metrics-")
    os.environ[SHARED_DIRECTORY] = directory
    try:
        yield
    finally:
        del os.environ[SHARED_DIRECTORY]
        shutil.rmtree(directory, ignore_errors=True)


def _registry() -> CollectorRegistry:
    if SHARED_DIRECTORY not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def serve_on_port(port: int) -> None:
    """Metrics on their own port, from a thread of the calling process."""
    start_http_server(port, addr=METRICS_HOST, registry=_registry())


def process_exited() -> None:
    """Drops this process's live gauges from the shared values, if there are any."""
    if SHARED_DIRECTORY in os.environ:
        multiprocess.mark_process_dead(os.getpid())


def observe(
    operation: str | None,
    operation_type: str | None,
    seconds: float,
    codes: list[str],
    read_path: str | None = None,
    read_mismatch: bool = False,
) -> None:
    """`read_path` is "compiled" or "fallback" for a query the compiler was asked about, else None."""
    # Operation names come from clients: cap their variety so a client cannot blow up the series.
    name = (operation or "anonymous")[:64]
    REQUESTS.labels(name, operation_type or "unknown").observe(seconds)
    for code in codes:
        ERRORS.labels(code).inc()
    if read_path:
        READ_PATHS.labels(name, read_path).inc()
    if read_mismatch:
        READ_MISMATCHES.labels(name).inc()


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


async def _refresh(state: object) -> None:
    pool = state.pool
    pools = {pool, getattr(state, "read_pool", pool)}  # the plan-keeping pool (compiled reads, token lookups)
    size, idle = sum(p.get_size() for p in pools), sum(p.get_idle_size() for p in pools)
    POOL.labels("in_use").set(size - idle)
    POOL.labels("idle").set(idle)
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
        serve_on_port(port)
    while True:
        with contextlib.suppress(Exception):
            await _refresh(state)
        await asyncio.sleep(REFRESH_SECONDS)
