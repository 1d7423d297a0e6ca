"""A Postgres restart is 503 "try again", never 500: every way asyncpg reports a lost connection counts.

Connections are really cut: another connection calls pg_terminate_backend on the
API's backends (what a restart or a failover does to them), on a database of the
test's own so no other test's connections are touched. The errors a restart
raises only in a race (the server's shutdown notice before the socket closes,
asyncpg's "cannot switch to state") are raised by the server through the real
pool, or provoked by cutting connections throughout a burst of requests.
"""

import asyncio
import uuid

import asyncpg
import pytest

from api import migrate
from domain.teams import Team
from domain.tokens import new_token, token_hash
from store import users
from tests.conftest import app_client, create_database, drop_database

ME = "{ me { email } }"
ACCOUNTS = "{ accounts(first: 1) { edges { cursor } } }"


@pytest.fixture
async def own_database(base_settings):
    name = f"rapport_restart_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    await asyncio.to_thread(migrate.upgrade, url)
    yield url
    await drop_database(base_settings.database_url, name)


@pytest.fixture
async def api(settings, own_database):
    """An API on the own database, a token for it, and a connection of our own to cut its backends."""
    async with app_client(settings, database_url=own_database, db_pool_max=4) as (application, client):
        async with application.state.pool.acquire() as conn:
            user = await users.add_user(conn, email="ar@example.test", name="AR", team=Team.ADMIN)
            token = new_token()
            await users.add_token(conn, user.id, token_hash(token), "test")
        operator = await asyncpg.connect(own_database)
        try:
            yield client, {"Authorization": f"Bearer {token}"}, operator
        finally:
            await operator.close()


async def _cut_the_backend_waiting(operator: asyncpg.Connection) -> None:
    """Terminate the API backend that waits for our lock, as a restart would.

    The database is this test's own, so any other backend waiting on a lock is the API's
    (pg_stat_activity may still show its previous statement: a cached one is not re-parsed).
    """
    for _ in range(500):
        pids = await operator.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND wait_event_type = 'Lock'"
        )
        if pids:
            for row in pids:
                await operator.execute("SELECT pg_terminate_backend($1)", row["pid"])
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no API backend waited on our lock")


async def _cut_while_waiting(client, headers, operator, lock: str, query: str, variables: dict):
    """Send `query` while `lock` holds what it needs, and cut its connection while it waits.

    The API has served a request first, as a running one has: its pools hold connections, so the
    request waits on the lock in a statement, not in opening a connection (a backend starting up
    while a table is locked may wait too, before it even names its database).
    """
    await client.post("/graphql", json={"query": ME}, headers=headers)
    async with operator.transaction():
        await operator.execute(lock)
        request = asyncio.create_task(
            client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        )
        await _cut_the_backend_waiting(operator)
    return await request


async def test_a_connection_cut_during_the_token_check_is_503(api):
    client, headers, operator = api
    response = await _cut_while_waiting(
        client, headers, operator, "LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE", ME, {}
    )
    assert response.status_code == 503, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    again = await client.post("/graphql", json={"query": ME}, headers=headers)
    assert again.json() == {"data": {"me": {"email": "ar@example.test"}}}


# How asyncpg names a connection Postgres is taking away: shutdown (fast, immediate, crash),
# an idle session closed, a link that failed. The server raises each here through the real pool.
LOST = {
    "57P01": asyncpg.AdminShutdownError,
    "57P02": asyncpg.CrashShutdownError,
    "57P03": asyncpg.CannotConnectNowError,
    "57P05": asyncpg.IdleSessionTimeoutError,
    "08006": asyncpg.ConnectionFailureError,
}


async def _reads_of(operator: asyncpg.Connection, table: str) -> None:
    """Make every read of `table` raise the SQLSTATE held in simulated_failure, if any."""
    await operator.execute(
        f"""
        CREATE TABLE IF NOT EXISTS simulated_failure (state text);
        CREATE OR REPLACE FUNCTION simulated_failure() RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE wanted text;
        BEGIN
            SELECT state INTO wanted FROM simulated_failure;
            IF wanted IS NOT NULL THEN RAISE EXCEPTION 'simulated' USING ERRCODE = wanted; END IF;
            RETURN true;
        END $$;
        ALTER TABLE {table} RENAME TO {table}_kept;
        CREATE VIEW {table} AS SELECT * FROM {table}_kept WHERE simulated_failure();
        """  # noqa: S608 (`table` is one of ours)
    )


async def _each_loss(operator: asyncpg.Connection, ask) -> list[tuple[str, object]]:
    answers = []
    for state, error in LOST.items():
        assert asyncpg.PostgresError.get_message_class_for_sqlstate(state) is error
        await operator.execute("DELETE FROM simulated_failure")
        await operator.execute("INSERT INTO simulated_failure VALUES ($1)", state)
        answers.append((state, await ask()))
    await operator.execute("DELETE FROM simulated_failure")
    return answers


async def test_every_kind_of_lost_connection_in_the_token_check_is_503(api):
    client, headers, operator = api
    await _reads_of(operator, "api_tokens")

    async def ask():
        response = await client.post("/graphql", json={"query": ME}, headers=headers)
        return response.status_code, response.json()["errors"][0]["extensions"]["code"]

    assert await _each_loss(operator, ask) == [(state, (503, "SERVICE_UNAVAILABLE")) for state in LOST]
    assert (await client.post("/graphql", json={"query": ME}, headers=headers)).status_code == 200


async def test_every_kind_of_lost_connection_in_a_resolver_is_service_unavailable(api):
    client, headers, operator = api
    await operator.execute("INSERT INTO accounts (name) VALUES ('Held')")  # a row to read, and fail on
    await _reads_of(operator, "accounts")

    async def ask():
        response = await client.post("/graphql", json={"query": ACCOUNTS}, headers=headers)
        error = response.json()["errors"][0]
        return response.status_code, error["extensions"]["code"], error["message"]

    unavailable = (200, "SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly.")
    assert await _each_loss(operator, ask) == [(state, unavailable) for state in LOST]
    again = (await client.post("/graphql", json={"query": ACCOUNTS}, headers=headers)).json()
    assert len(again["data"]["accounts"]["edges"]) == 1


async def test_a_burst_through_repeated_restarts_gets_answers_or_503_never_500(api):
    client, headers, operator = api
    cutting = True

    async def cut_again_and_again() -> int:
        cuts = 0
        while cutting:
            cuts += await operator.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            await asyncio.sleep(0.01)
        return cuts

    async def ask() -> tuple[int, str | None]:
        response = await client.post("/graphql", json={"query": ACCOUNTS}, headers=headers)
        errors = response.json().get("errors")
        return response.status_code, errors[0]["extensions"]["code"] if errors else None

    cutter = asyncio.create_task(cut_again_and_again())
    try:
        answers = []
        for _ in range(10):
            answers += await asyncio.gather(*(ask() for _ in range(20)))
    finally:
        cutting = False
        cuts = await cutter
    assert cuts > 0
    assert {code for _, code in answers} <= {None, "SERVICE_UNAVAILABLE"}, answers
    assert {status for status, _ in answers} <= {200, 503}
