"""What operators see: Prometheus metrics, one log line per request without secrets, clean exits."""

import json
import logging
import os
import signal
import subprocess
import sys

from api.logs import JsonFormatter
from tests.conftest import app_client


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
