"""Fixtures: a fresh database and index prefix per run (and per xdist worker).

Every in-process app and every `serving` subprocess runs with compiled reads in
shadow mode: each query the compiler covers is answered both ways, and a test
whose requests got two different answers fails (`no_read_mismatches`), so the
whole suite is a differential test of the compiler.

Tests need a real Postgres and Meilisearch: `make test` runs pytest inside
`rapport stack`, which provides DATABASE_URL and MEILI_URL. Each worker creates
its own database and index prefix and drops them at the end, so runs never see
each other's data. Tests share a worker's database, so each one creates the
accounts it needs and asserts only on those.
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from api import migrate
from api import settings as settings_module
from api.app import create_app
from api.metrics import READ_MISMATCHES
from api.settings import Settings
from domain.teams import Team
from domain.tokens import new_token, token_hash
from scripts.ready import wait_ready
from search.client import create_client
from store import users

ROOT = Path(__file__).resolve().parents[1]
# Tests fire bursts of requests as one user; the rate limit has its own tests (test_rate_limit.py).
TEST_RATE_LIMIT = {"RAPPORT_RATE_LIMIT_PER_SECOND": "1000", "RAPPORT_RATE_LIMIT_BURST": "10000"}
COMPILED_READS = "shadow"
MISMATCHES = "rapport_compiled_read_mismatches_total"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("MEILI_URL"):
        pytest.exit("tests need Postgres and Meilisearch: run them with `make test`", returncode=2)
    return settings_module.load()


async def create_database(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def settings(base_settings: Settings) -> AsyncIterator[Settings]:
    run = f"rapport_test_{uuid.uuid4().hex[:10]}"
    url = await create_database(base_settings.database_url, run)
    await asyncio.to_thread(migrate.upgrade, url)
    yield replace(
        base_settings,
        database_url=url,
        meili_index_prefix=run,
        db_pool_min=1,
        rate_limit_per_second=float(TEST_RATE_LIMIT["RAPPORT_RATE_LIMIT_PER_SECOND"]),
        rate_limit_burst=int(TEST_RATE_LIMIT["RAPPORT_RATE_LIMIT_BURST"]),
        compiled_reads=COMPILED_READS,
    )
    await drop_database(base_settings.database_url, run)
    await drop_indexes(base_settings, run)


async def drop_indexes(settings: Settings, prefix: str) -> None:
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    try:
        for index in await client.get_indexes(limit=1000) or []:
            if index.uid.startswith(prefix):
                await client.index(index.uid).delete()
    finally:
        await client.aclose()


def read_mismatches() -> float:
    """Shadow-mode differences counted so far in this process (one xdist worker runs one test at a time)."""
    return sum(
        sample.value
        for metric in READ_MISMATCHES.collect()
        for sample in metric.samples
        if sample.name == MISMATCHES
    )


@pytest.fixture(autouse=True)
def no_read_mismatches(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test during which a query's compiled answer differed from the executor's.

    A test that breaks the compiler on purpose to see shadow mode notice says so with
    @pytest.mark.read_mismatches_expected.
    """
    before = read_mismatches()
    yield
    if read_mismatches() > before and not request.node.get_closest_marker("read_mismatches_expected"):
        pytest.fail(
            "a compiled read differed from the executor's answer (see the rapport.compiled_reads warning); "
            "tests/compiled/ holds the differential tests to reproduce it"
        )


def scraped_mismatches(url: str) -> float | None:
    """The mismatch counter of a `serving` process, from its /metrics; None where it has none there."""
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:  # noqa: S310
            text = response.read().decode()
    except OSError:
        return None
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(MISMATCHES) and not line.startswith("#")
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator:
    application = create_app(settings, run_worker=True)
    async with application.router.lifespan_context(application):
        yield application


@contextlib.asynccontextmanager
async def app_client(settings: Settings, **changes) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """Another in-process API on the test database, with some settings changed, and a client for it."""
    application = create_app(replace(settings, **changes))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://rapport.test") as client:
            yield application, client


@pytest.fixture(scope="session")
async def pool(app) -> asyncpg.Pool:
    return app.state.pool


@pytest.fixture(scope="session")
async def http(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://rapport.test") as client:
        yield client


@dataclass
class Caller:
    """A user with a token, and a way to send GraphQL as them."""

    http: httpx.AsyncClient
    user: users.User
    token: str

    async def post(self, query: str, variables: dict | None = None, **headers: str) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}", **headers},
        )

    async def gql(self, query: str, variables: dict | None = None) -> dict:
        """The `data` of a query that must succeed without errors."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture(scope="session")
def make_caller(pool: asyncpg.Pool, http: httpx.AsyncClient):
    async def make(team: Team = Team.ADMIN, name: str | None = None) -> Caller:
        email = f"{uuid.uuid4().hex[:12]}@example.test"
        async with pool.acquire() as conn:
            user = await users.add_user(conn, email=email, name=name or f"{team.value} user", team=team)
            token = new_token()
            await users.add_token(conn, user.id, token_hash(token), "test")
        return Caller(http=http, user=user, token=token)

    return make


@pytest.fixture
async def admin(make_caller) -> Caller:
    return await make_caller(Team.ADMIN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(
    settings: Settings, log: Path, command: str = "serve", **env: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`rapport serve` (or `dev`) in its own process, on a free port, against the test database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MEILI_INDEX_PREFIX": settings.meili_index_prefix,
        "PORT": str(port),
        "RAPPORT_COMPILED_READS": COMPILED_READS,
        **TEST_RATE_LIMIT,
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", command],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    if not wait_ready(url, process, 30):
        process.kill()
        process.wait(10)
        pytest.fail(f"rapport {command} did not become ready: {log.read_text()}")
    mismatches = None
    try:
        yield url, process
    finally:
        if process.poll() is None:
            mismatches = scraped_mismatches(url)
            process.terminate()
            process.wait(20)
    if mismatches:
        pytest.fail(
            f"rapport {command} counted {mismatches:g} compiled reads that differed from the executor's"
        )


@pytest.fixture(scope="session")
def live_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(settings, tmp_path_factory.mktemp("live_server") / "serve.log") as (url, _):
        yield url


# The SMTP server fixture of the delivery tests (it needs free_port, above), and the browser tests'
# Chromium (tests/browser.py).
from tests.browser import chromium_path  # noqa: E402, F401
from tests.smtp_server import smtp  # noqa: E402, F401
