"""More of the command line, as a person runs it: migrate, users list, reindex, and a clean stop."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid

import httpx

from domain.teams import Team
from schema import ids
from tests.conftest import serving

UPDATE = """
mutation ($id: ID!) {
  updateAccount(input: {id: $id, expectedVersion: 1, name: "Done"}) { account { name } }
}
"""


def rapport(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def test_migrate_is_idempotent_and_says_where_it_is(settings):
    result = rapport("migrate", DATABASE_URL=settings.database_url)
    assert result.returncode == 0, result.stderr
    assert "database at migration" in result.stdout


def test_migrate_refuses_a_bad_database_url():
    result = rapport("migrate", DATABASE_URL="mysql://nope")
    assert result.returncode == 2
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr


def test_users_list_shows_added_users(settings):
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    assert (
        rapport(
            "users",
            "add",
            "--email",
            email,
            "--name",
            "Lister",
            "--team",
            "SERVICE",
            DATABASE_URL=settings.database_url,
        ).returncode
        == 0
    )
    listed = rapport("users", "list", DATABASE_URL=settings.database_url)
    assert listed.returncode == 0
    assert f"{email}\tSERVICE\tLister" in listed.stdout


def test_reindex_rebuilds_and_reports(settings):
    result = rapport(
        "reindex", DATABASE_URL=settings.database_url, MEILI_INDEX_PREFIX=settings.meili_index_prefix
    )
    assert result.returncode == 0, result.stderr
    assert "swapped the new index in" in result.stdout


def test_reindex_says_when_meilisearch_is_unreachable(settings):
    result = rapport("reindex", DATABASE_URL=settings.database_url, MEILI_URL="http://127.0.0.1:9")
    assert result.returncode == 2
    assert "MEILI_URL http://127.0.0.1:9 does not answer" in result.stderr


async def test_sigterm_during_a_request_finishes_it_and_exits_0(settings, tmp_path, make_caller, pool):
    ar = await make_caller(Team.AR)
    with serving(settings, tmp_path / "serve.log") as (url, process):
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ar.token}"}) as client:
            created = await client.post(
                "/graphql",
                json={"query": ('mutation { createAccount(input: {name: "Slow"}) { account { id } } }')},
            )
            account = created.json()["data"]["createAccount"]["account"]["id"]
            async with pool.acquire() as conn, conn.transaction():
                # hold the account row, so the update below waits in the server
                await conn.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", ids.decode(account)[1])
                update = asyncio.create_task(
                    client.post(
                        "/graphql",
                        json={
                            "query": UPDATE,
                            "variables": {"id": account},
                        },
                    )
                )
                await asyncio.sleep(0.5)
                # when
                process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.5)
            # then: the request in flight completes, and the process exits cleanly
            response = await update
        assert response.json()["data"]["updateAccount"]["account"]["name"] == "Done"
        assert await asyncio.to_thread(process.wait, 30) == 0


async def test_a_disabled_user_is_refused_at_once_and_let_in_again_when_enabled(settings, make_caller):
    sales = await make_caller(Team.SALES)
    me = "query { me { email } }"
    assert (await sales.gql(me))["me"]["email"] == sales.user.email
    # when
    disabled = await asyncio.to_thread(
        rapport, "users", "disable", sales.user.email, DATABASE_URL=settings.database_url
    )
    # then
    assert disabled.returncode == 0, disabled.stderr
    assert f"{sales.user.email} disabled" in disabled.stdout
    refused = (await sales.post(me)).json()
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = await asyncio.to_thread(
        rapport, "users", "disable", sales.user.email, DATABASE_URL=settings.database_url
    )
    assert "was already disabled" in again.stdout
    # and enabling lets the same token in again
    enabled = await asyncio.to_thread(
        rapport, "users", "enable", sales.user.email, DATABASE_URL=settings.database_url
    )
    assert enabled.returncode == 0, enabled.stderr
    assert (await sales.gql(me))["me"]["email"] == sales.user.email


def test_disabling_an_unknown_user_says_so(settings):
    result = rapport("users", "disable", "nobody@example.com", DATABASE_URL=settings.database_url)
    assert result.returncode == 1
    assert "no user with email nobody@example.com" in result.stderr
