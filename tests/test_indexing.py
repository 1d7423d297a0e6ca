"""The outbox reaches the index: through outages, by several workers, and across a reindex."""

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import replace

import asyncpg
import httpx
import pytest

from api import migrate
from api.app import create_app
from api.devstack import meili_binary
from domain.teams import Team
from domain.tokens import new_token, token_hash
from search.client import create_client
from search.index import ensure_index, index_name
from search.reindex import document_counts, reindex
from search.worker import BATCH_SIZE, LIVE_BATCH_SIZE, drain_once
from store import changes, users
from store.db import create_pool
from store.outbox import FAILING_ATTEMPTS
from tests.conftest import app_client, create_database, drop_database, free_port

NOTE = """
mutation ($account: ID!, $summary: String!) {
  logNote(input: {accountId: $account, summary: $summary}) { entry { id } userErrors { message } }
}
"""
CREATE = "mutation ($name: String!) { createAccount(input: {name: $name}) { account { id } } }"
SEARCH = """
query ($q: String!) { search(query: $q, first: 100) { estimatedTotal hits { entry { id } } } }
"""


class OwnMeili:
    """A Meilisearch of this test's own, so it can be stopped without disturbing others."""

    def __init__(self, root, *options: str) -> None:
        self.root = root
        self.options = options
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.root / "meili.log").open("ab") as log:
            self._spawn(log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/health", timeout=1):  # noqa: S310
                return
            time.sleep(0.1)
        raise AssertionError("meilisearch did not start")

    def _spawn(self, log) -> None:
        self.process = subprocess.Popen(
            [
                str(meili_binary()),
                "--db-path",
                str(self.root / "data.ms"),
                "--http-addr",
                f"127.0.0.1:{self.port}",
                "--master-key",
                "test-master-key-0123456789",
                "--no-analytics",
                "--dump-dir",
                str(self.root / "dumps"),
                "--snapshot-dir",
                str(self.root / "snapshots"),
                *self.options,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def own_meili(tmp_path):
    meili = OwnMeili(tmp_path)
    meili.start()
    yield meili
    if meili.process and meili.process.poll() is None:
        meili.stop()


async def _poll(check, within: float = 60.0):
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


@pytest.fixture
async def own_database(base_settings):
    """A database of this test's own, so no other worker drains its outbox."""
    name = f"rapport_own_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    await asyncio.to_thread(migrate.upgrade, url)
    yield url
    await drop_database(base_settings.database_url, name)


async def test_notes_written_while_search_is_down_are_indexed_once_when_it_returns(
    settings, own_database, own_meili
):
    prefix = f"outage_{uuid.uuid4().hex[:8]}"
    app = create_app(
        replace(
            settings,
            database_url=own_database,
            meili_url=own_meili.url,
            meili_master_key="test-master-key-0123456789",
            meili_index_prefix=prefix,
            meili_timeout_seconds=1.0,
        ),
        run_worker=True,
    )
    token = uuid.uuid4().hex[:10]
    async with app.router.lifespan_context(app):
        async with app.state.pool.acquire() as conn:
            user = await users.add_user(conn, email="ar@example.com", name="AR", team=Team.AR)
            secret = new_token()
            await users.add_token(conn, user.id, token_hash(secret), "test")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers={"Authorization": f"Bearer {secret}"}
        ) as client:

            async def gql(query, variables):
                return (await client.post("/graphql", json={"query": query, "variables": variables})).json()

            account = (await gql(CREATE, {"name": f"Outage {token}"}))["data"]["createAccount"]["account"][
                "id"
            ]
            before = (await gql(NOTE, {"account": account, "summary": f"before {token}"}))["data"]
            # when search goes down, writes keep succeeding
            own_meili.stop()
            during = []
            for i in range(20):
                body = await gql(NOTE, {"account": account, "summary": f"during {i} {token}"})
                assert "errors" not in body
                assert body["data"]["logNote"]["userErrors"] == []
                during.append(body["data"]["logNote"]["entry"]["id"])
            down = await gql(SEARCH, {"q": token})
            assert down["errors"][0]["extensions"]["code"] == "SEARCH_UNAVAILABLE"
            # then it comes back and catches up
            own_meili.start()
            wanted = {before["logNote"]["entry"]["id"], *during}

            async def caught_up():
                body = await gql(SEARCH, {"q": token})
                if "errors" in body:
                    return None
                return body["data"]["search"] if len(body["data"]["search"]["hits"]) >= len(wanted) else None

            results = await _poll(caught_up)
            last = await gql(SEARCH, {"q": token})

            async def drained():
                # the worker marks rows done once Meilisearch confirms, a moment after hits show
                async with app.state.pool.acquire() as conn:
                    return await conn.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL") == 0

            pending = 0 if await _poll(drained) else "some"
    assert results is not None, f"the index did not catch up: {last}"
    hits = [hit["entry"]["id"] for hit in results["hits"] if hit["entry"]]
    assert sorted(hits) == sorted(wanted)  # each note exactly once
    assert results["estimatedTotal"] == len(wanted) + 1  # and the account
    assert pending == 0


async def notes_in_the_outbox(conn, name: str, count: int):
    """An account with `count` short notes, each queued for the index; the account's id."""
    account = await conn.fetchval("INSERT INTO accounts (name) VALUES ($1) RETURNING id", name)
    notes = await conn.fetch(
        "INSERT INTO entries (account_id, kind, team, summary)"
        " SELECT $1, 'NOTE', 'AR', 'note ' || n FROM generate_series(1, $2) AS n RETURNING id",
        account,
        count,
    )
    await enqueue(conn, account, [row["id"] for row in notes])
    return account


async def enqueue(conn, account, entry_ids: list) -> None:
    await conn.execute(
        "INSERT INTO outbox (account_id, entity_type, entity_id, op)"
        " SELECT $1, 'entry', e, 'upsert' FROM unnest($2::uuid[]) WITH ORDINALITY AS t(e, n) ORDER BY n",
        account,
        entry_ids,
    )


async def test_two_workers_drain_one_outbox_without_taking_a_row_twice(base_settings):
    name = f"rapport_workers_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    prefix = f"workers_{uuid.uuid4().hex[:8]}"
    client = create_client(base_settings.meili_url, base_settings.meili_master_key, 10)
    uid = index_name(prefix)
    pool = await create_pool(url, min_size=2, max_size=4)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        await ensure_index(client, uid)
        async with pool.acquire() as conn:
            await notes_in_the_outbox(conn, "Busy", 300)
            expected = {row["id"] for row in await conn.fetch("SELECT id FROM outbox")}

        async def worker() -> list[int]:
            done = []
            while batch := await drain_once(pool, client, uid, batch=25):
                done += batch
            return done

        # when
        first, second = await asyncio.gather(worker(), worker())
        # then
        assert set(first).isdisjoint(second)
        assert first
        assert second
        assert sorted(first + second) == sorted(expected)
        assert (await document_counts(client, uid)).get("entry") == 300
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL") == 0
    finally:
        await pool.close()
        await client.index(uid).delete()
        await client.aclose()
        await drop_database(base_settings.database_url, name)


async def test_a_live_note_is_indexed_in_the_first_round_behind_a_bulk_backlog(settings, own_database):
    # given: 20,000 notes queued by one bulk change, then one note queued by a live write
    client = create_client(settings.meili_url, settings.meili_master_key, 30)
    uid = index_name(f"lanes_{uuid.uuid4().hex[:8]}")
    pool = await create_pool(own_database, min_size=1, max_size=2)
    try:
        await ensure_index(client, uid)
        async with pool.acquire() as conn:
            account = await conn.fetchval("INSERT INTO accounts (name) VALUES ('Backlog') RETURNING id")
            backlog = await conn.fetch(
                "INSERT INTO entries (account_id, kind, team, summary)"
                " SELECT $1, 'NOTE', 'AR', 'fed ' || n FROM generate_series(1, 20000) AS n RETURNING id",
                account,
            )
            async with conn.transaction():
                await changes.enqueue(conn, "entry", [(account, row["id"]) for row in backlog])
            live = await conn.fetchval(
                "INSERT INTO entries (account_id, kind, team, summary) VALUES ($1, 'NOTE', 'AR', 'live')"
                " RETURNING id",
                account,
            )
            await changes.enqueue(conn, "entry", [(account, live)])
            live_row = await conn.fetchval("SELECT id FROM outbox WHERE entity_id = $1", live)
        # when
        first = await drain_once(pool, client, uid)
        # then: the live note is in the first round, a small one that bulk rows filled up
        assert live_row in first
        assert len(first) == LIVE_BATCH_SIZE
        assert (await document_counts(client, uid)).get("entry") == LIVE_BATCH_SIZE
        # and with no live row waiting, the backlog goes on in big rounds
        second = await drain_once(pool, client, uid)
        assert len(second) == BATCH_SIZE
        assert set(first).isdisjoint(second)
        async with pool.acquire() as conn:
            pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL")
        assert pending == 20_001 - LIVE_BATCH_SIZE - BATCH_SIZE
    finally:
        await pool.close()
        await client.index(uid).delete()
        await client.aclose()


async def test_a_document_meilisearch_refuses_backs_off_alone_and_its_batch_is_indexed(
    own_database, tmp_path
):
    # given: a Meilisearch that refuses request bodies over 8 KiB, and one note too big to send
    meili = OwnMeili(tmp_path, "--http-payload-size-limit", "8KiB")
    meili.start()
    client = create_client(meili.url, "test-master-key-0123456789", 10)
    uid = index_name("refusing")
    pool = await create_pool(own_database, min_size=1, max_size=2)
    try:
        await ensure_index(client, uid)
        async with pool.acquire() as conn:
            account = await notes_in_the_outbox(conn, "Wordy", 40)
            big = await conn.fetchval(
                "INSERT INTO entries (account_id, kind, team, summary, body)"
                " VALUES ($1, 'NOTE', 'AR', 'long call', repeat('word ', 3000)) RETURNING id",
                account,
            )
            await enqueue(conn, account, [big])
        # when
        done = await drain_once(pool, client, uid, batch=100)
        # then: the 40 small notes are in the index, the big one waits alone with its error
        assert len(done) == 40
        assert (await document_counts(client, uid)).get("entry") == 40
        async with pool.acquire() as conn:
            waiting = await conn.fetch(
                "SELECT entity_id, attempts, last_error FROM outbox WHERE done_at IS NULL"
            )
        assert [(row["entity_id"], row["attempts"]) for row in waiting] == [(big, 1)]
        assert "payload" in waiting[0]["last_error"].lower()
    finally:
        await pool.close()
        await client.aclose()
        meili.stop()


async def test_a_row_whose_document_cannot_be_built_fails_alone_and_is_reported(
    settings, own_database, tmp_path
):
    # given: notes queued around a contact whose updated_at Postgres holds as -infinity
    # (read back as a naive datetime.min, which has no Unix time): its document cannot be built
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    uid = index_name(f"poison_{uuid.uuid4().hex[:8]}")
    pool = await create_pool(own_database, min_size=1, max_size=2)
    try:
        await ensure_index(client, uid)
        async with pool.acquire() as conn:
            account = await notes_in_the_outbox(conn, "Poisoned", 10)
            contact = await conn.fetchval(
                "INSERT INTO contacts (account_id, name, updated_at) VALUES ($1, 'Nobody', '-infinity')"
                " RETURNING id",
                account,
            )
            await conn.execute(
                "INSERT INTO outbox (account_id, entity_type, entity_id, op)"
                " VALUES ($1, 'contact', $2, 'upsert')",
                account,
                contact,
            )
            await notes_in_the_outbox(conn, "After the poison", 10)
        # when
        done = await drain_once(pool, client, uid, batch=100)
        # then: every other row is indexed; the poisoned one waits alone with its error
        assert len(done) == 20
        assert (await document_counts(client, uid)).get("entry") == 20
        async with pool.acquire() as conn:
            waiting = await conn.fetch(
                "SELECT entity_id, attempts, last_error FROM outbox WHERE done_at IS NULL"
            )
        assert [(row["entity_id"], row["attempts"]) for row in waiting] == [(contact, 1)]
        assert waiting[0]["last_error"].startswith("ValueError")
        # and once it has failed often enough, it is reported as failing
        for _ in range(FAILING_ATTEMPTS - 1):
            async with pool.acquire() as conn:
                await conn.execute("UPDATE outbox SET next_attempt_at = now() WHERE done_at IS NULL")
            assert await drain_once(pool, client, uid, batch=100) == []
        async with app_client(settings, database_url=own_database) as (_, api):
            assert (await api.get("/readyz")).json()["outbox"]["failing"] == 1

            async def metrics_report_it():
                return "rapport_outbox_failing 1.0" in (await api.get("/metrics")).text

            assert await _poll(metrics_report_it, within=15)
        status = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "api", "search", "status"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={
                **os.environ,
                "DATABASE_URL": own_database,
                "MEILI_INDEX_PREFIX": uid.removesuffix("_search"),
            },
        )
        assert "1 failing" in status.stdout
        assert "last error: ValueError" in status.stdout
    finally:
        await pool.close()
        await client.index(uid).delete()
        await client.aclose()


async def test_a_row_postgres_fails_to_read_fails_alone(settings, own_database):
    # given: an account and a contact queued while contacts is locked past the database's lock_timeout
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    uid = index_name(f"locked_{uuid.uuid4().hex[:8]}")
    admin = await asyncpg.connect(own_database)
    await admin.execute(
        f"ALTER DATABASE \"{await admin.fetchval('SELECT current_database()')}\" SET lock_timeout = '200ms'"
    )
    pool = await create_pool(own_database, min_size=1, max_size=2)
    try:
        await ensure_index(client, uid)
        account = await admin.fetchval("INSERT INTO accounts (name) VALUES ('Locked out') RETURNING id")
        contact = await admin.fetchval(
            "INSERT INTO contacts (account_id, name) VALUES ($1, 'Held') RETURNING id", account
        )
        await admin.execute(
            "INSERT INTO outbox (account_id, entity_type, entity_id, op)"
            " VALUES ($1, 'contact', $2, 'upsert'), ($1, 'account', $1, 'upsert')",
            account,
            contact,
        )
        # when
        async with admin.transaction():
            await admin.execute("LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE")
            done = await drain_once(pool, client, uid)
        # then: the account is indexed; the contact's row waits with Postgres's error
        assert len(done) == 1
        waiting = await admin.fetch(
            "SELECT entity_id, attempts, last_error FROM outbox WHERE done_at IS NULL"
        )
        assert [(row["entity_id"], row["attempts"]) for row in waiting] == [(contact, 1)]
        assert waiting[0]["last_error"].startswith("LockNotAvailableError")
    finally:
        await pool.close()
        await admin.close()
        await client.index(uid).delete()
        await client.aclose()


async def test_reindex_swaps_in_a_full_index_while_searches_keep_answering(settings, make_caller, pool):
    caller = await make_caller(Team.AR)
    token = uuid.uuid4().hex[:10]
    account = (await caller.gql(CREATE, {"name": f"Reindex {token}"}))["createAccount"]["account"]["id"]
    notes = [
        (await caller.gql(NOTE, {"account": account, "summary": f"kept {i} {token}"}))["logNote"]["entry"][
            "id"
        ]
        for i in range(5)
    ]

    async def indexed():
        hits = (await caller.gql(SEARCH, {"q": token}))["search"]["hits"]
        return len([h for h in hits if h["entry"]]) == 5

    assert await _poll(indexed)
    client = create_client(settings.meili_url, settings.meili_master_key, 30)
    uid = index_name(settings.meili_index_prefix)
    searching = True
    answers = []

    async def keep_searching():
        while searching:
            response = await caller.post(SEARCH, {"q": token})
            answers.append(response.json())
            await asyncio.sleep(0.01)

    searcher = asyncio.create_task(keep_searching())
    try:
        total = await reindex(pool, client, uid)
    finally:
        searching = False
        await searcher
        await client.aclose()
    assert total >= 6
    assert len(answers) > 3
    assert all("errors" not in answer for answer in answers)
    assert all(len([h for h in a["data"]["search"]["hits"] if h["entry"]]) == 5 for a in answers)
    after = (await caller.gql(SEARCH, {"q": token}))["search"]["hits"]
    assert sorted(h["entry"]["id"] for h in after if h["entry"]) == sorted(notes)


def test_search_status_reports_the_outbox_and_the_counts(settings):
    result = subprocess.run(
        [sys.executable, "-m", "api", "search", "status"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "MEILI_INDEX_PREFIX": settings.meili_index_prefix,
        },
    )
    assert result.returncode == 0, result.stderr
    assert "outbox:" in result.stdout
    lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:] if line}
    assert {"entry", "account", "contact", "invoice"} <= set(lines)


async def test_readyz_reports_outbox_depth(http, pool):
    async with pool.acquire() as conn:
        pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL")
    body = (await http.get("/readyz")).json()
    assert body["outbox"]["pending"] >= 0
    assert isinstance(body["outbox"]["oldestPendingSeconds"], float | int)
    assert pending >= 0
