"""Starting the server as a person does: `rapport dev` (what `make run` runs) and `rapport serve`.

A start that cannot listen on its port must say so before it creates anything,
above all before it prints the one-time ADMIN token for a server that never
comes up; a restart names the ADMIN to issue a token for.
"""

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import asyncpg
import pytest

from api.settings import Settings
from tests.conftest import create_database, drop_database, drop_indexes, free_port, serving
from tests.test_cli_more import rapport


@pytest.fixture
async def empty_database(base_settings: Settings, settings: Settings) -> AsyncIterator[Settings]:
    """A database with nothing in it, not even the schema: what a first `make run` finds."""
    name = f"{settings.meili_index_prefix}_start_{uuid.uuid4().hex[:6]}"
    url = await create_database(base_settings.database_url, name)
    yield replace(settings, database_url=url, meili_index_prefix=name)
    await drop_database(base_settings.database_url, name)
    await drop_indexes(base_settings, name)


@pytest.fixture(params=["plain", "reuseport"])
def taken_port(request: pytest.FixtureRequest) -> Iterator[int]:
    """A port another program listens on; `reuseport` is one that lets others share it (as a second
    `rapport serve` with several workers would)."""
    port = free_port()
    with socket.socket() as other:
        if request.param == "reuseport":
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        yield port


def assert_refused(result, port: int) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"rapport: cannot serve on 127.0.0.1:{port}: another program is listening on that port; stop it, "
        "or set PORT to a free port."
    ]


async def _tables(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()


async def test_dev_on_a_taken_port_refuses_before_it_migrates_or_creates_the_admin(
    empty_database, taken_port
):
    result = rapport(
        "dev",
        DATABASE_URL=empty_database.database_url,
        MEILI_INDEX_PREFIX=empty_database.meili_index_prefix,
        PORT=str(taken_port),
    )
    assert_refused(result, taken_port)
    assert result.stdout == ""  # no token, no curl aimed at the other program
    assert await _tables(empty_database.database_url) == []  # not migrated: no user, no token


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_on_a_taken_port_refuses_with_one_sentence(settings, taken_port, workers):
    result = rapport(
        "serve",
        DATABASE_URL=settings.database_url,
        MEILI_INDEX_PREFIX=settings.meili_index_prefix,
        PORT=str(taken_port),
        RAPPORT_WORKERS=workers,
    )
    assert_refused(result, taken_port)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_with_metrics_on_a_taken_port_refuses_with_one_sentence(settings, workers):
    port = free_port()
    with socket.socket() as other:
        other.bind(("0.0.0.0", port))  # noqa: S104 - where the metrics server would listen
        other.listen()
        result = rapport(
            "serve",
            DATABASE_URL=settings.database_url,
            MEILI_INDEX_PREFIX=settings.meili_index_prefix,
            PORT=str(free_port()),
            RAPPORT_METRICS=str(port),
            RAPPORT_WORKERS=workers,
        )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"rapport: cannot serve on 0.0.0.0:{port}: another program is listening on that port; stop it, "
        "or set RAPPORT_METRICS to a free port."
    ]


def test_a_restart_names_the_admin_to_issue_a_token_for(empty_database, tmp_path):
    with serving(empty_database, tmp_path / "first.log", command="dev"):
        pass
    with serving(empty_database, tmp_path / "second.log", command="dev"):
        pass
    first, second = (tmp_path / "first.log").read_text(), (tmp_path / "second.log").read_text()
    assert "Created the ADMIN user admin@localhost. Its token (shown once):" in first
    token = first.split("(shown once):\n")[1].split()[0]
    # The console's sign-in link carries the same token in its fragment, which reaches no server.
    assert next(line.strip() for line in first.splitlines() if "/app/#token=" in line).endswith(
        f"/app/#token={token}"
    )
    assert "shown once" not in second
    assert "#token=" not in second
    assert (
        "ADMIN is admin@localhost; issue a token with: .venv/bin/rapport tokens issue admin@localhost"
        in second.splitlines()
    )
