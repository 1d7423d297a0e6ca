"""`make bench`: seed, index, load-test every scenario, compare, and write bench/RESULTS.md.

Runs inside `rapport stack` (DATABASE_URL and MEILI_URL point at the dev stack or
your own servers). Steps:

1. seed `rapport_bench` (bench/seed.py; reused when the same seed and scale are there);
2. rebuild the search index `rapport_bench_search` with search.reindex, timed;
3. the raw-SQL floor of the timeline page (asyncpg, no HTTP), and Meilisearch's own
   query times for the search mix, with no server running;
4. `rapport serve` (one uvicorn process) and `rapport worker` on free ports, then each
   scenario with Locust, headless, at each concurrency level for a fixed duration,
   sampling the api's RSS and CPU; then write-to-searchable freshness;
5. PostGraphile v4 (one Node process, same pool size) on the same database, timeline only;
6. bench/RESULTS.md and one PNG per scenario (bench/report.py).

Settings (environment): SCALE (1.0), BENCH_DURATION (20 s per level), BENCH_LEVELS (1,8,32),
BENCH_SCENARIOS (timeline,callBrief,collectionsQueue,search,logNote), BENCH_REPEAT (1; with more,
each figure is the median of the repeats), BENCH_WARMUP (2 s), BENCH_RAW_SECONDS (10),
BENCH_FRESHNESS_SECONDS (30), BENCH_FRESHNESS_RATE (50/s), BENCH_PG_WORKERS (1),
BENCH_SKIP_INDEX (reuse a complete index), BENCH_POSTGRAPHILE (1; 0 skips it), BENCH_QUIET_WAIT
(120 s: how long to wait, before seeding and again before measuring, for other work on the
machine to finish),
BENCH_RESULTS_DIR (bench/ at SCALE=1, else bench/.work/results).
"""

# ruff: noqa: S311, S603  (random test data; we start our own child processes)

import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import numpy as np
import psutil

from api import settings as settings_module
from bench import profile, queries, report, seed, words
from domain.teams import Team
from domain.tokens import new_token, token_hash
from schema import ids
from search.client import create_client
from search.index import index_name
from search.query import SearchRequest
from search.query import search as meili_search
from search.reindex import document_counts, reindex
from store import entries, users
from store.db import create_pool
from store.documents import count_rows

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
BIN = Path(sys.executable).parent
PREFIX = "rapport_bench"
BENCH_EMAIL = "bench-admin@localhost"

SCENARIOS = {
    "timeline": "TimelineUser",
    "callBrief": "CallBriefUser",
    "collectionsQueue": "CollectionsQueueUser",
    "search": "SearchUser",
    "logNote": "LogNoteUser",
}


@dataclass(frozen=True)
class BenchConfig:
    duration: float
    levels: tuple[int, ...]
    scenarios: tuple[str, ...]
    repeat: int
    warmup: float
    raw_seconds: float
    freshness_seconds: float
    freshness_rate: float
    pg_workers: int
    postgraphile: bool
    skip_index: bool
    results_dir: Path

    @classmethod
    def from_env(cls, scale: float) -> "BenchConfig":
        env = os.environ.get
        scenarios = tuple(s for s in env("BENCH_SCENARIOS", ",".join(SCENARIOS)).split(",") if s)
        unknown = set(scenarios) - set(SCENARIOS)
        if unknown:
            raise SystemExit(f"BENCH_SCENARIOS: unknown {sorted(unknown)}; known: {list(SCENARIOS)}")
        default_dir = ROOT / "bench" if scale == 1.0 else WORK / "results"
        return cls(
            duration=float(env("BENCH_DURATION", "20")),
            levels=tuple(int(x) for x in env("BENCH_LEVELS", "1,8,32").split(",")),
            scenarios=scenarios,
            repeat=max(1, int(env("BENCH_REPEAT", "1"))),
            warmup=float(env("BENCH_WARMUP", "2")),
            raw_seconds=float(env("BENCH_RAW_SECONDS", "10")),
            freshness_seconds=float(env("BENCH_FRESHNESS_SECONDS", "30")),
            freshness_rate=float(env("BENCH_FRESHNESS_RATE", "50")),
            pg_workers=int(env("BENCH_PG_WORKERS", "1")),
            postgraphile=env("BENCH_POSTGRAPHILE", "1") != "0",
            skip_index=env("BENCH_SKIP_INDEX", "0") == "1",
            results_dir=Path(env("BENCH_RESULTS_DIR", str(default_dir))),
        )


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentiles(latencies: list[float]) -> dict:
    if not latencies:
        return {"p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    values = np.asarray(latencies, dtype=float)
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "p99": round(float(p99), 2),
        "mean": round(float(values.mean()), 2),
        "max": round(float(values.max()), 2),
    }


def median_of(runs: list[dict]) -> dict:
    """One figure per field: the median over repeated runs (the single run when there is one)."""
    merged = dict(runs[0])
    for key in ("p50", "p95", "p99", "mean", "max", "rps", "peak_rss_mb", "cpu_cores"):
        values = [r[key] for r in runs if r.get(key) is not None]
        merged[key] = round(statistics.median(values), 2) if values else None
    merged["errors"] = sum(r["errors"] for r in runs)
    merged["requests"] = sum(r["requests"] for r in runs)
    merged["repeats"] = len(runs)
    return merged


# ------------------------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """A child process in its own session, logged to bench/.work, stopped by its own process group."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log_path = WORK / f"{name}.log"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_http(self, url: str, timeout: float = 90.0, ok=lambda status: status == 200) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                    if ok(response.status):
                        return
            except urllib.error.HTTPError as error:
                if ok(error.code):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(25)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu_seconds(process: psutil.Process | None) -> float:
    """CPU time of a process tree, including the children its root has reaped (Postgres's
    backends and parallel workers come and go; their time then shows in the postmaster's)."""
    total = 0.0
    for proc in _tree(process) if process else []:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    if process is not None:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.children_user + times.children_system
    return total


def machine_busy(seconds: float = 2.0) -> float:
    """Cores busy across the machine over the next `seconds`."""
    before = _machine_busy_seconds()
    time.sleep(seconds)
    return (_machine_busy_seconds() - before) / seconds


def wait_until_quiet(limit: float) -> dict:
    """Wait (up to `limit` seconds) for a nearly idle machine, so other work does not skew the figures."""
    started = time.monotonic()
    busy = machine_busy()
    while busy > 0.4 and time.monotonic() - started < limit:
        log(f"  the machine is busy ({busy:.2f} cores in use by others); waiting for it to calm down")
        time.sleep(10)
        busy = machine_busy()
    waited = time.monotonic() - started
    if busy > 0.4:
        log(f"  still {busy:.2f} cores busy after {waited:.0f} s; measuring anyway (figures will be noisy)")
    return {"busy_cores_before": round(busy, 2), "waited_s": round(waited), "load_average": os.getloadavg()}


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


class Sampler:
    """Samples the server's RSS (peak, every 200 ms) and the CPU time of everything on the machine.

    `measure()` brackets one run: the server's peak RSS and, in cores (CPU seconds / wall
    seconds), the server, the index worker, Postgres (all its backends), Meilisearch, the
    load generator (children this process reaped meanwhile) and the whole machine.
    """

    def __init__(self, pid: int, others: dict[str, int | None], interval: float = 0.2) -> None:
        self.process = psutil.Process(pid)
        self.others = {name: psutil.Process(p) for name, p in others.items() if p and psutil.pid_exists(p)}
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def rss(self) -> int:
        total = 0
        for proc in _tree(self.process):
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(self.interval)

    def _cpu(self) -> dict[str, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "server": _cpu_seconds(self.process),
            **{name: _cpu_seconds(proc) for name, proc in self.others.items()},
            # The load generator: Locust (a child reaped meanwhile) and this process (the freshness writer).
            "load": children.ru_utime + children.ru_stime + _own_cpu_seconds(),
            "machine": _machine_busy_seconds(),
        }

    @contextlib.contextmanager
    def measure(self):
        self.peak = self.rss()
        started, before = time.monotonic(), self._cpu()
        result: dict = {}
        yield result
        wall = max(0.001, time.monotonic() - started)
        after = self._cpu()
        cores = {name: round((after[name] - before[name]) / wall, 2) for name in before}
        result["peak_rss_mb"] = round(max(self.peak, self.rss()) / 2**20, 1)
        result["cpu_cores"] = cores.pop("server")
        result["cpu"] = cores

    def close(self) -> None:
        self._stop.set()


async def run_locust(
    config: BenchConfig, user_class: str, users_count: int, host: str, fixtures: Path, tag: str
) -> dict:
    out = WORK / f"locust-{tag}-{users_count}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BENCH_FIXTURES": str(fixtures),
        "BENCH_OUT": str(out),
        "BENCH_WARMUP": str(config.warmup),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        user_class,
        "--headless",
        "--users",
        str(users_count),
        "--spawn-rate",
        str(users_count),
        "--run-time",
        f"{config.duration + config.warmup:g}s",
        "--host",
        host,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    with (WORK / f"locust-{tag}.log").open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            await process.wait()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await asyncio.shield(process.wait())
            raise
    if not out.exists():
        raise RuntimeError(f"locust wrote no results for {tag} at {users_count} users; see bench/.work")
    data = json.loads(out.read_text())
    latencies = [x for values in data["latencies_ms"].values() for x in values]
    errors = sum(data["errors"].values())
    result = {
        "users": users_count,
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / data["window_seconds"], 1),
        **percentiles(latencies),
        "error_samples": [s for samples in data["error_samples"].values() for s in samples][:3],
    }
    if len(data["latencies_ms"]) > 1:
        result["by_name"] = {
            name: {
                "requests": len(values),
                "rps": round(len(values) / data["window_seconds"], 1),
                **percentiles(values),
            }
            for name, values in sorted(data["latencies_ms"].items())
        }
    return result


async def load_levels(
    config: BenchConfig, sampler: Sampler, user_class: str, host: str, fixtures: Path, tag: str
) -> list[dict]:
    rows = []
    for level in config.levels:
        runs = []
        for _ in range(config.repeat):
            with sampler.measure() as resources:
                result = await run_locust(config, user_class, level, host, fixtures, tag)
            runs.append({**result, **resources})
        row = median_of(runs)
        log(
            f"  {tag:<18} {level:>3} users: p50 {row['p50']} ms, p99 {row['p99']} ms, "
            f"{row['rps']} req/s, {row['errors']} errors, peak RSS {row['peak_rss_mb']} MB, "
            f"CPU cores: server {row['cpu_cores']}, " + ", ".join(f"{k} {v}" for k, v in row["cpu"].items())
        )
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------- the steps


async def build_index(settings: settings_module.Settings, skip: bool) -> dict:
    uid = index_name(PREFIX)
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    client = create_client(settings.meili_url, settings.meili_master_key, 60)
    try:
        async with pool.acquire() as conn:
            expected = sum((await count_rows(conn)).values())
        if skip:
            with contextlib.suppress(Exception):
                if sum((await document_counts(client, uid)).values()) == expected:
                    log(f"index {uid} already holds {expected:,} documents; reusing it (BENCH_SKIP_INDEX)")
                    return {"documents": expected, "seconds": None, "docs_per_second": None, "reused": True}
        done = [0, 0]

        def progress(count: int) -> None:
            done[0] += count
            if done[0] - done[1] >= 200_000:
                done[1] = done[0]
                log(f"  sent {done[0]:,} of {expected:,} documents")

        started = time.perf_counter()
        total = await reindex(pool, client, uid, progress)
        seconds = time.perf_counter() - started
    finally:
        await client.aclose()
        await pool.close()
    rate = total / seconds
    log(f"indexed {total:,} documents in {seconds:.1f} s: {rate:,.0f} documents/s")
    return {"documents": total, "seconds": round(seconds, 1), "docs_per_second": round(rate), "reused": False}


async def bench_token(url: str) -> str:
    """A fresh token for the benchmark's ADMIN user (earlier ones revoked)."""
    conn = await asyncpg.connect(url)
    try:
        user = await users.user_by_email(conn, BENCH_EMAIL)
        if user is None:
            user = await users.add_user(conn, email=BENCH_EMAIL, name="Benchmark", team=Team.ADMIN)
        await users.revoke_user_tokens(conn, user.id)
        token = new_token()
        await users.add_token(conn, user.id, token_hash(token), "make bench")
        return token
    finally:
        await conn.close()


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


async def make_fixtures(url: str, seed_config: seed.Config, token: str) -> dict:
    rng = random.Random(seed_config.seed + 1)
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT id, name FROM accounts ORDER BY id")
    finally:
        await conn.close()
    sample = rng.sample(list(rows), min(2000, len(rows)))
    codes = words.code_names(random.Random(seed_config.seed), seed.code_count(seed_config))
    names = [r["name"].split() for r in sample[:40]]
    typos = [*words.TYPO_QUERIES, *(f"{_typo(n[1], rng)} {n[2]}" for n in names[:20] if len(n[1]) > 3)]
    since = datetime.combine(seed_config.anchor - timedelta(days=90), datetime.min.time(), UTC)
    filtered = [
        {"q": "plant", "filter": {"kinds": ["NEWS"]}},
        {"q": "payment", "filter": {"types": ["ENTRY"], "since": since.isoformat()}},
        {"q": "reminder", "filter": {"teams": ["AR"], "tags": ["escalation"]}},
        {"q": "delivery", "filter": {"kinds": ["CALL", "EMAIL"], "teams": ["SALES"]}},
        *({"q": "invoice", "filter": {"accountId": ids.encode("Account", r["id"])}} for r in sample[:20]),
    ]
    note_words = sorted({w.strip(".,:").lower() for s in words.SENTENCES for w in s.split() if "{" not in w})
    return {
        "token": token,
        "accounts": [ids.encode("Account", r["id"]) for r in sample],
        "account_uuids": [str(r["id"]) for r in sample],
        "at": f"{seed_config.anchor.isoformat()}T12:00:00Z",
        "as_of": seed_config.anchor.isoformat(),
        "search": {
            "common": list(words.COMMON_QUERIES),
            "rare": rng.sample(codes, min(200, len(codes))),
            "typo": typos,
            "filtered": filtered,
        },
        "note_words": [w for w in note_words if w.isalpha()],
    }


async def raw_floor(url: str, fixtures: dict, config: BenchConfig) -> dict:
    """The timeline page without HTTP: one SQL statement, and the app's own store calls."""
    accounts = [ids.decode_as(a, "Account") for a in fixtures["accounts"]]
    pool = await create_pool(url, min_size=2, max_size=10)

    async def one_statement(conn: asyncpg.Connection, account) -> None:
        await conn.fetch(queries.RAW_TIMELINE, account)

    async def app_store(conn: asyncpg.Connection, account) -> None:
        rows = await entries.timeline(
            conn, account, restricted=True, where=entries.TimelineFilter(), after=None, limit=51
        )
        await entries.invoices_of_entries(conn, [row["id"] for row in rows])

    async def level(call, concurrency: int) -> dict:
        latencies: list[float] = []
        deadline = time.perf_counter() + config.raw_seconds
        warm = time.perf_counter() + min(1.0, config.warmup)

        async def client() -> None:
            while (now := time.perf_counter()) < deadline:
                async with pool.acquire() as conn:
                    await call(conn, random.choice(accounts))
                if now >= warm:
                    latencies.append((time.perf_counter() - now) * 1000)

        await asyncio.gather(*(client() for _ in range(concurrency)))
        window = deadline - warm
        return {
            "users": concurrency,
            "requests": len(latencies),
            "errors": 0,
            "rps": round(len(latencies) / max(0.001, window), 1),
            **percentiles(latencies),
            "peak_rss_mb": None,
            "cpu_cores": None,
        }

    result: dict = {"one_statement": [], "app_store": []}
    try:
        for concurrency in config.levels:
            for name, call in (("one_statement", one_statement), ("app_store", app_store)):
                row = await level(call, concurrency)
                result[name].append(row)
                log(
                    f"  raw SQL {name:<14}{concurrency:>3} clients: p50 {row['p50']} ms, "
                    f"p99 {row['p99']} ms, {row['rps']} queries/s"
                )
    finally:
        await pool.close()
    return result


async def engine_times(settings: settings_module.Settings, fixtures: dict, count: int = 300) -> dict:
    """Meilisearch's own processingTimeMs and our client's round trip, for the same search mix."""
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    uid = index_name(PREFIX)
    rng = random.Random(7)
    engine: list[float] = []
    round_trip: list[float] = []
    terms = fixtures["search"]
    try:
        for i in range(count):
            kind = ("common", "rare", "typo", "filtered")[i % 4]
            if kind == "filtered":
                item = rng.choice(terms["filtered"])
                where = item["filter"]
                request = SearchRequest(
                    query=item["q"],
                    types=where.get("types"),
                    account_id=str(ids.decode_as(where["accountId"], "Account"))
                    if "accountId" in where
                    else None,
                    kinds=where.get("kinds"),
                    teams=where.get("teams"),
                    tags=where.get("tags"),
                    since=int(datetime.fromisoformat(where["since"]).timestamp())
                    if "since" in where
                    else None,
                    restricted=True,
                )
            else:
                request = SearchRequest(query=rng.choice(terms[kind]), restricted=True)
            started = time.perf_counter()
            found = await meili_search(client, uid, request)
            round_trip.append((time.perf_counter() - started) * 1000)
            engine.append(found.engine_ms)
    finally:
        await client.aclose()
    return {
        "engine_ms": percentiles(engine),
        "client_round_trip_ms": percentiles(round_trip),
        "queries": count,
    }


def _letters(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 26)
        out += chr(ord("a") + r)
        if n == 0:
            return out


async def freshness(
    api: str, settings: settings_module.Settings, fixtures: dict, config: BenchConfig
) -> dict:
    """Log notes at a steady rate, each with a unique word; poll Meilisearch until each is found."""
    uid = index_name(PREFIX)
    total = int(config.freshness_seconds * config.freshness_rate)
    nonce = _letters(int(time.time()) % 10**6)
    pending: dict[str, tuple[str, float]] = {}
    delays: list[float] = []
    write_ms: list[float] = []
    failures: list[str] = []
    writing = True
    headers = {"Authorization": f"Bearer {fixtures['token']}"}
    meili_headers = (
        {"Authorization": f"Bearer {settings.meili_master_key}"} if settings.meili_master_key else {}
    )
    rng = random.Random(11)
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with (
        httpx.AsyncClient(base_url=api, headers=headers, timeout=30, limits=limits) as client,
        httpx.AsyncClient(base_url=settings.meili_url, headers=meili_headers, timeout=10) as meili,
    ):

        async def write(i: int) -> None:
            word = f"qz{nonce}x{_letters(i)}vk"
            variables = {
                "input": {"accountId": rng.choice(fixtures["accounts"]), "summary": f"Freshness probe {word}"}
            }
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": queries.LOG_NOTE, "variables": variables})
            acked = time.perf_counter()
            write_ms.append((acked - started) * 1000)
            try:
                entry = response.json()["data"]["logNote"]["entry"]
                _, entry_uuid = ids.decode(entry["id"])
            except (ValueError, KeyError, TypeError):
                failures.append(response.text[:200])
                return
            pending[word] = (f"entry-{entry_uuid}", acked)

        async def poll() -> None:
            deadline_after_writes = 30.0
            stop_at = None
            while writing or pending:
                if not writing and stop_at is None:
                    stop_at = time.perf_counter() + deadline_after_writes
                if stop_at is not None and time.perf_counter() > stop_at:
                    break
                batch = list(pending.items())[:200]
                if batch:
                    sent = time.perf_counter()
                    body = {
                        "queries": [
                            {
                                "indexUid": uid,
                                "q": f'"{word}"',
                                "filter": "type = ENTRY",
                                "limit": 1,
                                "attributesToRetrieve": ["id"],
                            }
                            for word, _ in batch
                        ]
                    }
                    response = await meili.post("/multi-search", json=body)
                    response.raise_for_status()
                    for (word, (doc_id, acked)), result in zip(
                        batch, response.json()["results"], strict=True
                    ):
                        if any(hit["id"] == doc_id for hit in result["hits"]):
                            delays.append((sent - acked) * 1000)
                            pending.pop(word, None)
                await asyncio.sleep(0.05)

        poller = asyncio.create_task(poll())
        started = time.perf_counter()
        tasks = []
        for i in range(total):
            await asyncio.sleep(max(0.0, started + i / config.freshness_rate - time.perf_counter()))
            tasks.append(asyncio.create_task(write(i)))
        await asyncio.gather(*tasks)
        rate = total / (time.perf_counter() - started)
        writing = False
        await poller
    result = {
        "notes": total,
        "target_rate": config.freshness_rate,
        "rate_per_second": round(rate, 1),
        "found": len(delays),
        "not_found_within_30s": len(pending),
        "write_failures": len(failures),
        "poll_interval_ms": 50,
        "delay_ms": percentiles([max(0.0, d) for d in delays]),
        "logNote_ms": percentiles(write_ms),
    }
    log(
        f"  freshness: {len(delays)}/{total} found, p50 {result['delay_ms']['p50']} ms, "
        f"p99 {result['delay_ms']['p99']} ms at {rate:.0f} notes/s"
    )
    return result


async def wait_outbox_drained(url: str, limit: float = 300.0) -> float:
    conn = await asyncpg.connect(url)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < limit:
            pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL")
            if pending == 0:
                return time.perf_counter() - started
            await asyncio.sleep(0.25)
    finally:
        await conn.close()
    raise RuntimeError(f"the outbox did not drain within {limit:.0f} s")


def postgraphile_connection(url: str) -> str:
    """A node-postgres connection string for DATABASE_URL (a unix socket directory goes in ?host=)."""
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [None])[0]
    if host:
        user = parts.username or "postgres"
        password = f":{parts.password}" if parts.password else ""
        return f"postgres://{user}{password}@/{parts.path.lstrip('/')}?host={host}"
    return url


async def server_versions(url: str, settings: settings_module.Settings) -> dict:
    conn = await asyncpg.connect(url)
    try:
        postgres = await conn.fetchval("SHOW server_version")
        shared_buffers = await conn.fetchval("SHOW shared_buffers")
    finally:
        await conn.close()
    meili = "?"
    with contextlib.suppress(Exception):
        headers = (
            {"Authorization": f"Bearer {settings.meili_master_key}"} if settings.meili_master_key else {}
        )
        async with httpx.AsyncClient(headers=headers, timeout=5) as client:
            meili = (await client.get(f"{settings.meili_url}/version")).json()["pkgVersion"]
    return {"postgres": postgres, "postgres_shared_buffers": shared_buffers, "meilisearch": meili}


async def server_pids(url: str, settings: settings_module.Settings) -> dict[str, int | None]:
    """Postgres's postmaster and Meilisearch's process, when they run on this machine (for CPU figures)."""
    found: dict[str, int | None] = {"postgres": None, "meili": None}
    with contextlib.suppress(Exception):
        conn = await asyncpg.connect(url)
        try:
            data_directory = await conn.fetchval("SHOW data_directory")
        finally:
            await conn.close()
        found["postgres"] = int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    with contextlib.suppress(Exception):
        port = urlsplit(settings.meili_url).port
        for connection in psutil.net_connections(kind="tcp"):
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port and connection.pid:
                found["meili"] = connection.pid
    return found


def machine() -> dict:
    def shell(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.rstrip()
        except OSError:
            return "?"

    node = shell("node", "--version") if shutil.which("node") else "not installed"
    postgraphile = "?"
    with contextlib.suppress(OSError, ValueError):
        postgraphile = json.loads((ROOT / "node_modules/postgraphile/package.json").read_text())["version"]
    packages = {}
    for name in ("strawberry-graphql", "starlette", "uvicorn", "asyncpg", "locust", "orjson"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    return {
        "nproc": shell("nproc"),
        "free": shell("free", "-h"),
        "uname": shell("uname", "-a"),
        "python": platform.python_version(),
        "node": node,
        "postgraphile": postgraphile,
        "packages": packages,
    }


# ------------------------------------------------------------------------------------------ main


async def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    seed_config = seed.Config.from_env()
    config = BenchConfig.from_env(seed_config.scale)
    base = settings_module.load()
    started = time.perf_counter()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    results["config"] = {
        "scale": seed_config.scale,
        "seed": seed_config.seed,
        "anchor": seed_config.anchor.isoformat(),
        "duration_s": config.duration,
        "warmup_s": config.warmup,
        "levels": list(config.levels),
        "repeat": config.repeat,
        "pg_workers": config.pg_workers,
        "api_workers": 1,
        "db_pool_max": base.db_pool_max,
    }

    quiet_wait = float(os.environ.get("BENCH_QUIET_WAIT", "120"))
    results["quiet_at_start"] = wait_until_quiet(quiet_wait)
    log("step 1: seed")
    url, seed_meta = await seed.ensure_seeded(base.database_url, seed_config)
    results["seed"] = seed_meta
    settings = replace(base, database_url=url, meili_index_prefix=PREFIX)
    results["versions"] = await server_versions(url, settings)

    log("step 2: search index")
    results["index"] = await build_index(settings, config.skip_index)

    token = await bench_token(url)
    fixtures = await make_fixtures(url, seed_config, token)
    fixtures_path = WORK / "fixtures.json"
    fixtures_path.write_text(json.dumps(fixtures))
    fixtures_path.chmod(0o600)

    results["quiet"] = wait_until_quiet(quiet_wait)
    log("step 3: raw SQL floor and Meilisearch's own search times (no server running)")
    results["raw"] = await raw_floor(url, fixtures, config)
    results["engine"] = await engine_times(settings, fixtures)
    log(
        f"  meilisearch engine p50 {results['engine']['engine_ms']['p50']} ms, "
        f"round trip p50 {results['engine']['client_round_trip_ms']['p50']} ms"
    )

    log("  profiling one request of each read scenario at a time (SQL timed, pyinstrument)")
    profile_settings = replace(settings, rate_limit_per_second=0.0)
    results["profile"] = await profile.profile(
        profile_settings, fixtures, int(os.environ.get("BENCH_PROFILE_N", "10"))
    )
    for name, summary in results["profile"].items():
        log(
            f"  {name}: {summary['request_ms_mean']} ms per request, "
            f"{summary['sql_per_request']} SQL statements taking {summary['sql_ms_per_request']} ms"
        )

    log("step 4: Rapport under load")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEILI_INDEX_PREFIX": PREFIX,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # The benchmark measures capacity: the per-user rate limit (20/s by default) would cap it.
        "RAPPORT_RATE_LIMIT_PER_SECOND": "0",
    }
    results["config"]["rate_limit"] = "off (RAPPORT_RATE_LIMIT_PER_SECOND=0)"
    pids = await server_pids(url, settings)
    api = Service("api", [str(BIN / "rapport"), "serve"], env)
    worker = Service("worker", [str(BIN / "rapport"), "worker"], env)
    results["scenarios"] = {}
    try:
        api.wait_http(f"{api_url}/readyz")
        sampler = Sampler(api.pid, {"worker": worker.pid, **pids})
        for name in config.scenarios:
            log(f"scenario {name}")
            rows = await load_levels(config, sampler, SCENARIOS[name], api_url, fixtures_path, name)
            results["scenarios"][name] = {"rapport": rows}
            if name == "logNote":
                drained = await wait_outbox_drained(url)
                results["scenarios"][name]["outbox_drained_after_s"] = round(drained, 1)
                log(f"  outbox drained {drained:.1f} s after the logNote runs")
        log("freshness: write-to-searchable")
        await wait_outbox_drained(url)
        with sampler.measure() as resources:
            results["freshness"] = await freshness(api_url, settings, fixtures, config)
        results["freshness"]["api"] = resources
        results["api_log_bytes"] = api.log_path.stat().st_size
        sampler.close()
    finally:
        api.stop()
        worker.stop()

    if config.postgraphile and "timeline" in config.scenarios:
        log("step 5: PostGraphile v4 on the same database (timeline page)")
        results["postgraphile"] = await run_postgraphile(config, url, fixtures_path, pids)

    results["total_seconds"] = round(time.perf_counter() - started, 1)
    (WORK / "results.json").write_text(json.dumps(results, indent=2, default=str))
    written = report.write(results, config.results_dir)
    log(f"wrote {written} in {results['total_seconds']:.0f} s in all")


async def run_postgraphile(config: BenchConfig, url: str, fixtures_path: Path, pids: dict) -> dict:
    if not (ROOT / "node_modules" / "postgraphile").is_dir() or not shutil.which("node"):
        reason = "node or node_modules/postgraphile is missing (run `npm ci`)"
        log(f"  skipped: {reason}")
        return {"skipped": reason}
    port = free_port()
    script = str(ROOT / "bench" / "postgraphile.cjs")
    command = ["node", script, postgraphile_connection(url), str(port), str(config.pg_workers)]
    service = Service("postgraphile", command, {**os.environ})
    try:
        service.wait_http(f"http://127.0.0.1:{port}/graphql", ok=lambda status: status in (200, 400, 405))
        sampler = Sampler(service.pid, pids)
        rows = await load_levels(
            config,
            sampler,
            "PostGraphileTimelineUser",
            f"http://127.0.0.1:{port}",
            fixtures_path,
            "postgraphile",
        )
        sampler.close()
        return {"timeline": rows, "workers": config.pg_workers}
    except RuntimeError as error:
        log(f"  PostGraphile failed: {error}")
        return {"skipped": str(error)}
    finally:
        service.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    # `rapport stack` passes Ctrl-C on as SIGTERM: stop the servers we started on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    asyncio.run(main())
