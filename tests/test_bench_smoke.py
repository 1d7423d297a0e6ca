"""`make bench-smoke` inside `make test`: the benchmark harness runs end to end on a tiny dataset.

It runs under a name derived from this worker's database and index prefix, so it never
touches `rapport_bench`, another worker's data or a full benchmark running meanwhile.
"""

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.timeout(600)
def test_the_benchmark_harness_runs_every_scenario_without_errors(settings, tmp_path):
    name = f"{settings.meili_index_prefix}_bench"
    result = subprocess.run(
        [sys.executable, "-m", "bench.smoke", "--name", name, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=540,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    from bench import smoke  # here, not at the top: it loads matplotlib, which only this test needs

    assert smoke.check(tmp_path) == []


FIXTURES = {
    "token": "t",
    "seed": 1,
    "accounts": ["QWNjb3VudDox"],
    "account_uuids": ["00000000-0000-0000-0000-000000000001"],
    "nodes": {"rapport": ["QWNjb3VudDox", "RW50cnk6MQ"], "postgraphile": ["a", "b"]},
    "at": "2026-11-23T12:00:00Z",
    "day_end": "2026-11-23T23:59:59Z",
    "as_of": "2026-11-23",
    "queue_as_of": "2026-12-04",
    "people": ["p1", "p2"],
    "search": {"common": ["x"], "rare": ["y"], "typo": ["z"], "filtered": [{"q": "w", "filter": {}}]},
}


def test_the_lean_generator_builds_a_request_for_every_read_scenario_and_server():
    import json
    import random

    from bench import loadgen
    from bench.run import COMPARED, POSTGRAPHILE_USERS, SCENARIOS

    assert set(COMPARED) == {"timeline", "accounts", "node"} == set(POSTGRAPHILE_USERS)
    assert set(loadgen.SCENARIOS) <= set(SCENARIOS)
    make = loadgen.builders(FIXTURES)
    wanted = [(s, "rapport") for s in loadgen.SCENARIOS] + [(s, "postgraphile") for s in COMPARED]
    for key in wanted:
        picks = [make[key](random.Random(i)) for i in range(20)]
        encoded = loadgen.encode_requests("http://127.0.0.1:9", "t", picks)
        for (name, document, _, *caller), (same, raw) in zip(picks, encoded, strict=True):
            assert name == same
            assert name.split(":")[0] == key[0]
            head, body = raw.split(b"\r\n\r\n", 1)
            assert head.startswith(b"POST /graphql HTTP/1.1\r\n")
            # the worklist and the inbox are asked by one of the people, other reads by the fixtures' token
            assert f"Authorization: Bearer {caller[0] if caller else 't'}\r\n".encode() in head + b"\r\n"
            assert bool(caller) == (key[0] in ("worklist", "inbox"))
            assert f"Content-Length: {len(body)}".encode() in head
            assert json.loads(body)["query"] == document
    # node alternates accounts and entries, the same picks for both servers
    names = {make[("node", "rapport")](random.Random(i))[0] for i in range(20)}
    assert names == {"node:account", "node:entry"}


def test_postgraphile_node_ids_and_the_read_path_counters_are_read_as_written():
    import base64

    from bench import loadgen, run

    node_id = loadgen.postgraphile_node_id("entries", "a", "b")
    assert base64.b64decode(node_id) == b'["entries","a","b"]'
    text = (
        "# TYPE rapport_read_path_total counter\n"
        'rapport_read_path_total{operation="Timeline",path="compiled"} 12.0\n'
        'rapport_read_path_total{operation="Timeline",path="fallback"} 1.0\n'
        'rapport_read_path_created{operation="Timeline",path="compiled"} 1.7e9\n'
        'rapport_read_path_total{operation="Accounts",path="fallback"} 0.0\n'
    )
    after = run.parse_read_paths(text)
    assert after == {"Timeline": {"compiled": 12.0, "fallback": 1.0}, "Accounts": {"fallback": 0.0}}
    before = {"Timeline": {"compiled": 2.0}}
    assert run.paths_delta(before, after) == {"Timeline": {"compiled": 10, "fallback": 1}}
