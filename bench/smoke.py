"""`make bench-smoke`: the whole benchmark on a tiny dataset, in seconds, so the harness cannot rot.

Runs bench/run.py as `make bench` does (seed, index, raw SQL, profile, every Locust
scenario, PostGraphile, freshness, the report) with a few accounts, one concurrency
level and a second or so per scenario, under its own database and index prefix
(never `rapport_bench`), then checks what it wrote and drops its database and
indexes. The figures mean nothing; the point is that every step still runs and
every scenario still gets answers without errors.

    .venv/bin/rapport stack -- .venv/bin/python -m bench.smoke [--name NAME] [--out DIR]

tests/test_bench_smoke.py runs it inside `make test`.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from api import settings as settings_module
from bench import seed
from bench.run import COMPARED, SCENARIOS
from search.client import create_client

ROOT = Path(__file__).resolve().parents[1]
# Locust's subscription and writer users and the levels are sized so each scenario still gets a few answers.
SETTINGS = {
    "SCALE": "0.001",
    "BENCH_DURATION": "3",
    "BENCH_WARMUP": "0.5",
    "BENCH_LEVELS": "2",
    "BENCH_INVOICE_LEVELS": "1",
    "BENCH_REPEAT": "1",
    "BENCH_RAW_SECONDS": "1",
    "BENCH_ENGINE_QUERIES": "20",
    "BENCH_PROFILE_N": "1",
    "BENCH_FRESHNESS_SECONDS": "1",
    "BENCH_FRESHNESS_RATE": "20",
    "BENCH_LIVE_SUBSCRIPTIONS": "20",
    "BENCH_LIVE_ACCOUNTS": "5",
    "BENCH_LIVE_PER_CONNECTION": "5",
    "BENCH_LIVE_RATE": "10",
    "BENCH_LIVE_WRITERS": "2",
    "BENCH_API_WORKERS": "1",
    "BENCH_PG_WORKERS": "1",
    "BENCH_POSTGRAPHILE": "1",
    "BENCH_SKIP_INDEX": "0",
    "BENCH_QUIET_WAIT": "0",
}
SECTIONS = (
    "## Summary against the targets",
    "## Dunning planner",
    "## Timeline page: Rapport compiled, Rapport executor, PostGraphile and raw SQL",
    "## accounts(first: 50)",
    "## node(id)",
    "## Read paths: compiled or fallback",
    "## callBrief",
    "## collectionsQueue",
    "## worklist",
    "## inbox",
    "## search",
    "## logNote throughput",
    "## upsertInvoices throughput",
    "## Live subscriptions",
    "## Where a request's time goes",
    "## Write-to-searchable freshness",
)


def run(name: str, out: Path) -> subprocess.CompletedProcess:
    if name == seed.DATABASE:
        raise SystemExit(f"the smoke run must not use {seed.DATABASE}, the full dataset")
    env = {
        **os.environ,
        **SETTINGS,
        "BENCH_NAME": name,
        "BENCH_WORK_DIR": str(out / "work"),
        "BENCH_RESULTS_DIR": str(out),
    }
    return subprocess.run(
        [sys.executable, "-m", "bench.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def _rows_problems(label: str, rows: list[dict]) -> list[str]:
    if not rows:
        return [f"{label}: no figures"]
    problems = []
    for row in rows:
        if not row["requests"]:
            problems.append(f"{label} at {row['users']} users: no request answered in the window")
        if row["errors"]:
            problems.append(f"{label} at {row['users']} users: {row['errors']} errors {row['error_samples']}")
    return problems


def check(out: Path) -> list[str]:
    """What is wrong with a smoke run's results in `out`; empty when every step delivered."""
    results_path, report_path = out / "work" / "results.json", out / "RESULTS.md"
    if not results_path.exists() or not report_path.exists():
        return [f"no {results_path.name} or {report_path.name} in {out}"]
    results = json.loads(results_path.read_text())
    scenarios = results.get("scenarios", {})
    problems = []
    for name in SCENARIOS:
        if name != "subscriptions":
            problems += _rows_problems(name, scenarios.get(name, {}).get("rapport", []))
    for name in COMPARED:
        for system in ("executor", "postgraphile"):
            problems += _rows_problems(f"{name} on {system}", scenarios.get(name, {}).get(system, []))
        if "read_paths" not in scenarios.get(name, {}):
            problems.append(f"{name}: the compiled server's read paths were not read")
    problems += _rows_problems("raw SQL timeline", results.get("raw", {}).get("one_statement", []))
    live = scenarios.get("subscriptions")
    if not live:
        problems.append("subscriptions: no figures")
    else:
        if live["open"] != live["subscriptions"]:
            problems.append(f"subscriptions: {live['open']} of {live['subscriptions']} open")
        if not live["notes"] or live["errors"] or live["duplicates"]:
            problems.append(
                f"subscriptions: {live['notes']} notes, {live['errors']} errors {live['error_samples']}, "
                f"{live['duplicates']} duplicates"
            )
        if live["delivered"] != live["expected_deliveries"]:
            problems.append(
                f"subscriptions: {live['delivered']} of {live['expected_deliveries']} deliveries arrived"
            )
    fresh = results.get("freshness", {})
    if not fresh.get("notes") or fresh["found"] != fresh["notes"] or fresh["write_failures"]:
        problems.append(f"freshness: {fresh}")
    report = report_path.read_text()
    problems += [f"RESULTS.md has no section {s!r}" for s in SECTIONS if s not in report]
    problems += [f"no chart {c}.png" for c in SCENARIOS if not (out / "charts" / f"{c}.png").exists()]
    return problems


async def clean_up(name: str) -> None:
    """Drop the run's database and its search indexes (a reindex leaves only `<name>_search`)."""
    settings = settings_module.load()
    await seed.drop(settings.database_url, name)
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    try:
        for index in await client.get_indexes(limit=1000) or []:
            if index.uid == f"{name}_search" or index.uid.startswith(f"{name}_search_"):
                await client.index(index.uid).delete()
    finally:
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=f"rapport_smoke_{uuid.uuid4().hex[:8]}")
    parser.add_argument("--out", type=Path, help="where the report goes (default: a new temporary folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="rapport-bench-smoke-"))
    started = time.perf_counter()
    try:
        result = run(args.name, out)
    finally:
        asyncio.run(clean_up(args.name))
    print(result.stdout, end="")
    problems = check(out) if result.returncode == 0 else [f"bench/run.py exited with {result.returncode}"]
    seconds = time.perf_counter() - started
    if problems:
        sys.exit("bench smoke run FAILED after {:.0f} s:\n  {}".format(seconds, "\n  ".join(problems)))
    print(f"bench smoke run passed in {seconds:.0f} s; report: {out / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
