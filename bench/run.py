"""`make bench`: seed, index, load-test every scenario, compare, and write bench/RESULTS.md.

Runs inside `rapport stack` (DATABASE_URL and MEILI_URL point at the dev stack or
your own servers). Steps:

1. seed the dataset's database (bench/seed.py; reused when the same seed and scale are there);
2. rebuild its search index `<name>_search` with search.reindex, timed;
3. the raw-SQL floor of the timeline page (asyncpg, no HTTP), Meilisearch's own query times for
   the search mix, and a profile of one request of each read scenario, with no server running;
4. `rapport serve` (BENCH_API_WORKERS processes, RAPPORT_COMPILED_READS=on as shipped) and
   `rapport worker` on free ports; for the compared reads (timeline, accounts, node) also a second
   `rapport serve` with RAPPORT_COMPILED_READS=off ("executor", the before; BENCH_EXECUTOR=0 skips
   it) and PostGraphile v4 (BENCH_PG_WORKERS Node cluster workers, the same pool size per process) on
   the same database, each level and repeat run on the three in turn. Then every other scenario on
   the first server: the reads first (callBrief, collectionsQueue, worklist and inbox, each as
   one of the seed's 50 people, search), then the writes
   (logNote, upsertInvoices in batches of 1,000), then live subscriptions (on two fresh
   `rapport serve` processes, subscribers spread over both), then write-to-searchable freshness.
   Each scenario runs at each concurrency level for a fixed duration, sampling the servers' RSS
   and CPU; the read scenarios are driven by bench/loadgen.py (a lean generator: its own CPU over
   the measured window is reported), the writes and subscriptions by Locust. After each read
   scenario the first server's /metrics gives how many of its queries took the compiled path and
   how many fell back to the executor (rapport_read_path_total);
5. RESULTS.md and one PNG per scenario (bench/report.py).

Settings (environment): SCALE (1.0), BENCH_NAME (the database, the index prefix and the work
folder: rapport_bench at SCALE=1.0, else rapport_bench_<scale>), BENCH_WORK_DIR (logs and raw
figures: bench/.work for rapport_bench, else bench/.work/<name>), BENCH_DURATION (8 s per
level and run), BENCH_LEVELS (1,8,16), BENCH_INVOICE_LEVELS (1,4: concurrent pushers of 1,000-invoice
batches), BENCH_SCENARIOS (timeline,accounts,node,callBrief,collectionsQueue,worklist,inbox,search,
logNote,upsertInvoices,subscriptions; always run in that order), BENCH_GENERATOR (loadgen: bench/loadgen.py
drives the read scenarios; locust: Locust drives them too, for comparison), BENCH_EXECUTOR (1; 0
skips the RAPPORT_COMPILED_READS=off server), BENCH_REPEAT (3: each figure is the median
of the repeats), BENCH_WARMUP (2 s), BENCH_RAW_SECONDS (10), BENCH_ENGINE_QUERIES (300),
BENCH_PROFILE_N (10), BENCH_FRESHNESS_SECONDS (30), BENCH_FRESHNESS_RATE (50/s),
BENCH_LIVE_SUBSCRIPTIONS (1000), BENCH_LIVE_ACCOUNTS (100), BENCH_LIVE_PER_CONNECTION (10),
BENCH_LIVE_RATE (50 notes/s), BENCH_LIVE_WRITERS (25), BENCH_API_WORKERS (2) and
BENCH_PG_WORKERS (2): server processes, the same CPU budget for each server, one per core here;
BENCH_SKIP_INDEX (reuse a complete index), BENCH_POSTGRAPHILE (1; 0 skips it), BENCH_QUIET_WAIT
(120 s: how long to wait, before seeding and again before measuring, for other work on the
machine to finish; 0 does not look), BENCH_RESULTS_DIR (bench/ for rapport_bench, else
bench/.work/results).
"""

# ruff: noqa: S311, S603  (random test data; we start our own child processes)

import asyncio
import contextlib
import json
import math
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
import websockets

from api import settings as settings_module
from bench import dunning, loadgen, profile, queries, report, seed, words
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
BIN = Path(sys.executable).parent
BENCH_EMAIL = "bench-admin@localhost"

# In the order they run: reads first, so that the writes cannot change what the reads measure.
SCENARIOS = {
    "timeline": "TimelineUser",
    "accounts": "AccountsUser",
    "node": "NodeUser",
    "callBrief": "CallBriefUser",
    "collectionsQueue": "CollectionsQueueUser",
    "worklist": "WorklistUser",
    "inbox": "InboxUser",
    "search": "SearchUser",
    "logNote": "LogNoteUser",
    "upsertInvoices": "UpsertInvoicesUser",
    "subscriptions": "LiveSubscriberUser LiveWriterUser",
}
WRITES = ("logNote", "upsertInvoices")
# Measured on three servers, interleaved: Rapport compiled, Rapport's executor, PostGraphile.
COMPARED = loadgen.COMPARED
POSTGRAPHILE_USERS = {
    "timeline": "PostGraphileTimelineUser",
    "accounts": "PostGraphileAccountsUser",
    "node": "PostGraphileNodeUser",
}
INVOICE_BATCH = 1000


@dataclass(frozen=True)
class LiveConfig:
    subscriptions: int
    accounts: int
    per_connection: int
    rate: float
    writers: int

    @property
    def connections(self) -> int:
        return -(-self.subscriptions // self.per_connection)


@dataclass(frozen=True)
class BenchConfig:
    name: str
    work: Path
    duration: float
    levels: tuple[int, ...]
    invoice_levels: tuple[int, ...]
    scenarios: tuple[str, ...]
    repeat: int
    warmup: float
    raw_seconds: float
    engine_queries: int
    profile_n: int
    freshness_seconds: float
    freshness_rate: float
    live: LiveConfig
    api_workers: int
    pg_workers: int
    postgraphile: bool
    executor: bool
    generator: str
    skip_index: bool
    quiet_wait: float
    results_dir: Path

    @classmethod
    def from_env(cls, scale: float) -> "BenchConfig":
        env = os.environ.get
        wanted = [s for s in env("BENCH_SCENARIOS", ",".join(SCENARIOS)).split(",") if s]
        unknown = set(wanted) - set(SCENARIOS)
        if unknown:
            raise SystemExit(f"BENCH_SCENARIOS: unknown {sorted(unknown)}; known: {list(SCENARIOS)}")
        generator = env("BENCH_GENERATOR", "loadgen")
        if generator not in ("loadgen", "locust"):
            raise SystemExit(f"BENCH_GENERATOR: {generator!r}; known: loadgen, locust")
        name = seed.name_from_env(scale)
        full = name == seed.DATABASE
        work = Path(env("BENCH_WORK_DIR") or ROOT / "bench" / ".work" / ("" if full else name))
        live = LiveConfig(
            subscriptions=int(env("BENCH_LIVE_SUBSCRIPTIONS", "1000")),
            accounts=int(env("BENCH_LIVE_ACCOUNTS", "100")),
            per_connection=int(env("BENCH_LIVE_PER_CONNECTION", "10")),
            rate=float(env("BENCH_LIVE_RATE", "50")),
            writers=int(env("BENCH_LIVE_WRITERS", "25")),
        )
        return cls(
            name=name,
            work=work,
            duration=float(env("BENCH_DURATION", "8")),
            levels=tuple(int(x) for x in env("BENCH_LEVELS", "1,8,16").split(",")),
            invoice_levels=tuple(int(x) for x in env("BENCH_INVOICE_LEVELS", "1,4").split(",")),
            scenarios=tuple(s for s in SCENARIOS if s in wanted),
            repeat=max(1, int(env("BENCH_REPEAT", "3"))),
            warmup=float(env("BENCH_WARMUP", "2")),
            raw_seconds=float(env("BENCH_RAW_SECONDS", "10")),
            engine_queries=int(env("BENCH_ENGINE_QUERIES", "300")),
            profile_n=int(env("BENCH_PROFILE_N", "10")),
            freshness_seconds=float(env("BENCH_FRESHNESS_SECONDS", "30")),
            freshness_rate=float(env("BENCH_FRESHNESS_RATE", "50")),
            live=live,
            api_workers=int(env("BENCH_API_WORKERS", "2")),
            pg_workers=int(env("BENCH_PG_WORKERS", "2")),
            postgraphile=env("BENCH_POSTGRAPHILE", "1") != "0",
            executor=env("BENCH_EXECUTOR", "1") != "0",
            generator=generator,
            skip_index=env("BENCH_SKIP_INDEX", "0") == "1",
            quiet_wait=float(env("BENCH_QUIET_WAIT", "120")),
            results_dir=Path(
                env("BENCH_RESULTS_DIR") or (ROOT / "bench" if full else ROOT / "bench" / ".work" / "results")
            ),
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
    for key in ("p50", "p95", "p99", "mean", "max", "rps", "peak_rss_mb", "cpu_cores", "generator_cores"):
        values = [r[key] for r in runs if r.get(key) is not None]
        digits = 4 if key == "generator_cores" else 2
        merged[key] = round(statistics.median(values), digits) if values else None
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
    """A child process in its own session, logged to the work folder, stopped by its own process group."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], work: Path) -> None:
        self.name = name
        self.log_path = work / f"{name}.log"
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


def wait_until_quiet(limit: float) -> dict | None:
    """Wait (up to `limit` seconds) for a nearly idle machine, so other work does not skew the figures."""
    if limit <= 0:
        return None
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


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for proc in _tree(process):
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


class Sampler:
    """Samples the servers' RSS (peak, every 200 ms) and the CPU time of everything on the machine.

    `measure()` brackets one run: the highest peak RSS of a server process (tree) and, in cores
    (CPU seconds / wall seconds), the servers together, the index worker, Postgres (all its
    backends), Meilisearch, the load generator (children this process reaped meanwhile) and the
    whole machine.
    """

    def __init__(self, servers: list[int], others: dict[str, int | None], interval: float = 0.2) -> None:
        self.servers = [psutil.Process(pid) for pid in servers]
        self.others = {name: psutil.Process(p) for name, p in others.items() if p and psutil.pid_exists(p)}
        self.interval = interval
        self.peaks = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def rss(self) -> list[int]:
        return [tree_rss(server) for server in self.servers]

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peaks = [max(peak, now) for peak, now in zip(self.peaks, self.rss(), strict=True)]
            time.sleep(self.interval)

    def _cpu(self) -> dict[str, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "server": sum(_cpu_seconds(server) for server in self.servers),
            **{name: _cpu_seconds(proc) for name, proc in self.others.items()},
            # The load generator: Locust (a child reaped meanwhile) and this process (the freshness writer).
            "load": children.ru_utime + children.ru_stime + _own_cpu_seconds(),
            "machine": _machine_busy_seconds(),
        }

    @contextlib.contextmanager
    def measure(self):
        self.peaks = self.rss()
        started, before = time.monotonic(), self._cpu()
        result: dict = {}
        yield result
        wall = max(0.001, time.monotonic() - started)
        after = self._cpu()
        cores = {name: round((after[name] - before[name]) / wall, 2) for name in before}
        peaks = [round(max(peak, now) / 2**20, 1) for peak, now in zip(self.peaks, self.rss(), strict=True)]
        result["peak_rss_mb"] = max(peaks)
        if len(peaks) > 1:
            result["peak_rss_mb_each"] = peaks
        result["cpu_cores"] = cores.pop("server")
        result["cpu"] = cores

    def close(self) -> None:
        self._stop.set()


async def start_locust(
    config: BenchConfig,
    user_classes: str,
    users_count: int,
    host: str,
    fixtures: Path,
    tag: str,
    run_time: float,
    extra_env: dict[str, str] | None = None,
) -> tuple[asyncio.subprocess.Process, Path]:
    """A headless Locust run in the background; `locust_results` waits for it and reads its figures."""
    out = config.work / f"locust-{tag}-{users_count}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BENCH_FIXTURES": str(fixtures),
        "BENCH_OUT": str(out),
        "BENCH_WARMUP": str(config.warmup),
        **(extra_env or {}),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        *user_classes.split(),
        "--headless",
        "--users",
        str(users_count),
        "--spawn-rate",
        str(users_count),
        "--run-time",
        f"{math.ceil(run_time)}s",  # Locust takes whole seconds only
        "--host",
        host,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    with (config.work / f"locust-{tag}.log").open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    return process, out


async def locust_results(process: asyncio.subprocess.Process, out: Path) -> dict:
    try:
        await process.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await asyncio.shield(process.wait())
        raise
    return _read_results(out)


def _read_results(out: Path) -> dict:
    if not out.exists():
        raise RuntimeError(f"locust wrote no results ({out.name}); see its log beside it")
    return json.loads(out.read_text())


async def start_loadgen(
    config: BenchConfig,
    scenario: str,
    target: str,
    users_count: int,
    host: str,
    fixtures: Path,
    tag: str,
    run_time: float,
    extra_env: dict[str, str] | None = None,
) -> tuple[asyncio.subprocess.Process, Path]:
    """A bench/loadgen.py run in the background; its results have Locust's shape."""
    out = config.work / f"loadgen-{tag}-{users_count}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BENCH_FIXTURES": str(fixtures),
        "BENCH_OUT": str(out),
        "BENCH_WARMUP": str(config.warmup),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "bench.loadgen", scenario, target, str(users_count), host, str(run_time)]
    with (config.work / f"loadgen-{tag}.log").open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    return process, out


def uses_loadgen(config: BenchConfig, scenario: str) -> bool:
    return config.generator == "loadgen" and scenario in loadgen.SCENARIOS


async def run_load(
    config: BenchConfig,
    scenario: str,
    target: str,
    users_count: int,
    host: str,
    fixtures: Path,
    tag: str,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """One run of a scenario at one level against one server (target "rapport" or "postgraphile"):
    bench/loadgen.py for the reads (BENCH_GENERATOR=loadgen), else Locust."""
    run_time = config.duration + config.warmup
    if uses_loadgen(config, scenario):
        process, out = await start_loadgen(
            config, scenario, target, users_count, host, fixtures, tag, run_time, extra_env
        )
    else:
        user_class = POSTGRAPHILE_USERS[scenario] if target == "postgraphile" else SCENARIOS[scenario]
        process, out = await start_locust(
            config, user_class, users_count, host, fixtures, tag, run_time, extra_env
        )
    data = await locust_results(process, out)
    latencies = [x for values in data["latencies_ms"].values() for x in values]
    errors = sum(data["errors"].values())
    window = data["window_seconds"]
    cpu_seconds = data.get("cpu_seconds")
    result = {
        "users": users_count,
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / window, 1),
        **percentiles(latencies),
        "error_samples": [s for samples in data["error_samples"].values() for s in samples][:3],
        "generator": data.get("generator", "locust"),
        # The load generator's own CPU over the measured window only (start-up and warm-up excluded).
        "generator_cores": None if cpu_seconds is None else round(cpu_seconds / window, 4),
    }
    if len(data["latencies_ms"]) > 1:
        result["by_name"] = {
            name: {
                "requests": len(values),
                "rps": round(len(values) / window, 1),
                **percentiles(values),
            }
            for name, values in sorted(data["latencies_ms"].items())
        }
    return result


def _log_row(tag: str, level: int, row: dict) -> None:
    cores = row.get("generator_cores")
    generator = "" if cores is None else f" ({row['generator']} {cores})"
    log(
        f"  {tag:<18} {level:>3} users: p50 {row['p50']} ms, p99 {row['p99']} ms, "
        f"{row['rps']} req/s, {row['errors']} errors, peak RSS {row['peak_rss_mb']} MB, "
        f"CPU cores: server {row['cpu_cores']}, "
        + ", ".join(f"{k} {v}" for k, v in row["cpu"].items())
        + generator
    )


async def load_levels(
    config: BenchConfig,
    sampler: Sampler,
    scenario: str,
    host: str,
    fixtures: Path,
    tag: str,
    levels: tuple[int, ...] | None = None,
    target: str = "rapport",
) -> list[dict]:
    rows = []
    for level in levels or config.levels:
        runs = []
        for repeat in range(config.repeat):
            # Each run gets its own name, so upsertInvoices' new invoices are new in every run.
            with sampler.measure() as resources:
                result = await run_load(
                    config, scenario, target, level, host, fixtures, tag, {"BENCH_RUN": f"{level}x{repeat}"}
                )
            runs.append({**result, **resources})
        row = median_of(runs)
        _log_row(tag, level, row)
        rows.append(row)
    return rows


@dataclass
class System:
    """A server a compared scenario runs against: its label in the results, how it is addressed, and
    the sampler of its processes."""

    label: str
    target: str
    host: str
    sampler: Sampler


async def compare_levels(config: BenchConfig, systems: list[System], scenario: str, fixtures: Path) -> dict:
    """Each level and repeat on every system in turn, so a change in the machine's load over the run
    falls on all of them alike; each figure is the median of the repeats."""
    rows: dict[str, list[dict]] = {system.label: [] for system in systems}
    for level in config.levels:
        runs: dict[str, list[dict]] = {system.label: [] for system in systems}
        for repeat in range(config.repeat):
            for system in systems:
                with system.sampler.measure() as resources:
                    result = await run_load(
                        config,
                        scenario,
                        system.target,
                        level,
                        system.host,
                        fixtures,
                        f"{scenario}-{system.label}",
                        {"BENCH_RUN": f"{level}x{repeat}"},
                    )
                runs[system.label].append({**result, **resources})
        for system in systems:
            row = median_of(runs[system.label])
            _log_row(f"{scenario} {system.label}", level, row)
            rows[system.label].append(row)
    return rows


async def read_paths(api: str) -> dict[str, dict[str, float]]:
    """rapport_read_path_total from a server's /metrics: {operation: {"compiled": n, "fallback": n}}."""
    async with httpx.AsyncClient(timeout=10) as client:
        return parse_read_paths((await client.get(f"{api}/metrics")).text)


def parse_read_paths(text: str) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        if not line.startswith("rapport_read_path_total{"):
            continue
        labels, value = line[len("rapport_read_path_total{") :].rsplit("} ", 1)
        fields = dict(part.split("=", 1) for part in labels.split(","))
        operation, path = fields["operation"].strip('"'), fields["path"].strip('"')
        found.setdefault(operation, {})[path] = float(value)
    return found


def paths_delta(before: dict, after: dict) -> dict[str, dict[str, int]]:
    """What a scenario added to the read-path counters, per operation."""
    delta = {}
    for operation, paths in after.items():
        counts = {
            path: round(paths.get(path, 0) - before.get(operation, {}).get(path, 0))
            for path in ("compiled", "fallback")
        }
        if any(counts.values()):
            delta[operation] = counts
    return delta


# ---------------------------------------------------------------------------------------- the steps


async def build_index(settings: settings_module.Settings, skip: bool) -> dict:
    uid = index_name(settings.meili_index_prefix)
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


async def issue_tokens(url: str, team: Team, people: list[tuple[str, str]]) -> list[str]:
    """Fresh tokens for benchmark users, given as (email, name); created when missing, earlier tokens revoked.

    Their emails match 'bench-%@localhost', which is how the next run finds and removes what they wrote.
    """
    conn = await asyncpg.connect(url)
    try:
        tokens = []
        for email, name in people:
            user = await users.user_by_email(conn, email)
            if user is None:
                user = await users.add_user(conn, email=email, name=name, team=team)
            await users.revoke_user_tokens(conn, user.id)
            token = new_token()
            await users.add_token(conn, user.id, token_hash(token), "make bench")
            tokens.append(token)
        return tokens
    finally:
        await conn.close()


async def bench_token(url: str) -> str:
    """A fresh token for the benchmark's ADMIN user."""
    return (await issue_tokens(url, Team.ADMIN, [(BENCH_EMAIL, "Benchmark")]))[0]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


async def make_fixtures(url: str, seed_config: seed.Config, token: str) -> dict:
    rng = random.Random(seed_config.seed + 1)
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT id, name FROM accounts ORDER BY id")
        sample = rng.sample(list(rows), min(2000, len(rows)))
        # upsertInvoices bills the sampled accounts by their ERP refs, in the currency they mostly use.
        billed = await conn.fetch(
            """
            SELECT r.external_id,
                   coalesce((SELECT mode() WITHIN GROUP (ORDER BY i.currency) FROM invoices i
                              WHERE i.account_id = r.account_id), 'EUR') AS currency
              FROM account_refs r
             WHERE r.system = 'erp' AND r.account_id = ANY($1::uuid[])
             ORDER BY r.external_id
            """,
            [r["id"] for r in sample],
        )
        # node(id) looks up these entries (any kind, not deleted) and the sampled accounts, alternately.
        picked = await conn.fetch(
            """
            SELECT account_id, id FROM entries
             WHERE account_id = ANY($1::uuid[]) AND deleted_at IS NULL
             ORDER BY md5(id::text) LIMIT 1000
            """,
            [r["id"] for r in sample],
        )
        people = [
            (r["email"], r["name"])
            for r in await conn.fetch(
                "SELECT email, name FROM users WHERE team <> 'INTEGRATION' AND email LIKE $1 ORDER BY email",
                f"%@{seed.BENCH_EMAIL_DOMAIN}",
            )
        ]
    finally:
        await conn.close()
    nodes: dict[str, list[str]] = {"rapport": [], "postgraphile": []}
    for account, entry in zip(sample, picked, strict=False):
        nodes["rapport"] += [ids.encode("Account", account["id"]), ids.encode("Entry", entry["id"])]
        nodes["postgraphile"] += [
            loadgen.postgraphile_node_id("accounts", str(account["id"])),
            loadgen.postgraphile_node_id("entries", str(entry["account_id"]), str(entry["id"])),
        ]
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
        "seed": seed_config.seed,
        "accounts": [ids.encode("Account", r["id"]) for r in sample],
        "account_uuids": [str(r["id"]) for r in sample],
        "nodes": nodes,
        "at": f"{seed_config.anchor.isoformat()}T12:00:00Z",
        "day_end": f"{seed_config.anchor.isoformat()}T23:59:59Z",
        # The worklist and the inbox are the caller's own: one token for each of the seed's 50 people.
        "people": await issue_tokens(url, Team.AR, people),
        "as_of": seed_config.anchor.isoformat(),
        # The queue for today reads the receivables summary the worker keeps at today (bench/seed.py).
        "queue_as_of": datetime.now(UTC).date().isoformat(),
        "search": {
            "common": list(words.COMMON_QUERIES),
            "rare": rng.sample(codes, min(200, len(codes))),
            "typo": typos,
            "filtered": filtered,
        },
        "note_words": [w for w in note_words if w.isalpha()],
        "invoice_accounts": [[r["external_id"], r["currency"].strip()] for r in billed],
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


async def engine_times(settings: settings_module.Settings, fixtures: dict, count: int) -> dict:
    """Meilisearch's own processingTimeMs and our client's round trip, for the same search mix."""
    client = create_client(settings.meili_url, settings.meili_master_key, 10)
    uid = index_name(settings.meili_index_prefix)
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
    uid = index_name(settings.meili_index_prefix)
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
        # A fresh connection per poll, as search/client.py explains: a kept-alive one stalls 40 ms.
        httpx.AsyncClient(
            base_url=settings.meili_url,
            headers=meili_headers,
            timeout=10,
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as meili,
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


LIVE_IDLE_SECONDS = 1.0  # after the last subscription opened, before the idle RSS is read
LIVE_DRAIN_SECONDS = 2.0  # after the last note, for its deliveries to arrive


def _gauge(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise RuntimeError(f"/metrics has no {name}")


async def open_subscriptions(
    apis: list[str], wanted: int, locust: asyncio.subprocess.Process, limit: float = 120.0
) -> int:
    """How many subscriptions the api processes hold, once all `wanted` are open (or at the time limit).

    The servers' own gauge (refreshed every few seconds) is the only place that knows: the
    protocol does not acknowledge a subscribe.
    """
    deadline = time.monotonic() + limit
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            counts = [
                _gauge((await client.get(f"{api}/metrics")).text, "rapport_subscriptions") for api in apis
            ]
            if sum(counts) >= wanted or time.monotonic() > deadline:
                return int(sum(counts))
            if locust.returncode is not None:
                raise RuntimeError(
                    "locust quit before the subscriptions were open; see locust-subscriptions.log"
                )
            await asyncio.sleep(0.25)


async def warm_socket(api: str, token: str, account: str) -> None:
    """Open, use and close one subscription, so the code a first subscriber loads is not counted
    as memory of the idle ones."""
    async with websockets.connect(
        api.replace("http", "ws", 1) + "/graphql", subprotocols=["graphql-transport-ws"], open_timeout=30
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(socket.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"{api} refused the warm-up subscription: {ack}")
        subscribe = {"query": queries.LIVE_TIMELINE, "variables": {"account": account}}
        await socket.send(json.dumps({"id": "warm", "type": "subscribe", "payload": subscribe}))
        await asyncio.sleep(0.5)


async def live_subscriptions(
    config: BenchConfig,
    url: str,
    env: dict[str, str],
    fixtures: dict,
    fixtures_path: Path,
    others: dict[str, int | None],
) -> dict:
    """Commit-to-client latency of Subscription.timeline over two api processes, and memory per subscription.

    The scenario gets two fresh `rapport serve` processes: the first one's heap has grown on the
    earlier scenarios, which would hide what subscriptions take. Locust opens the subscriptions and
    waits; once the servers report all of them open and idle, their RSS is read, and only then do
    its writers log notes, for BENCH_DURATION seconds, alternating between the two processes.
    """
    live = config.live
    ports = [free_port(), free_port()]
    apis = [f"http://127.0.0.1:{port}" for port in ports]
    services = [
        Service(
            f"api-live-{i + 1}",
            [str(BIN / "rapport"), "serve"],
            {**env, "PORT": str(port), "RAPPORT_WORKERS": "1"},
            config.work,
        )
        for i, port in enumerate(ports)
    ]
    try:
        for service, api in zip(services, apis, strict=True):
            service.wait_http(f"{api}/readyz")
        # One user per connection keeps every user far below the per-user subscription cap.
        people = [(f"bench-live-{i:04d}@localhost", f"Live screen {i}") for i in range(live.connections)]
        tokens = await issue_tokens(url, Team.AR, people)
        accounts = fixtures["accounts"][: live.accounts]
        await asyncio.gather(*(warm_socket(api, fixtures["token"], accounts[0]) for api in apis))
        go = config.work / "live-go"
        go.unlink(missing_ok=True)
        live_path = config.work / "live.json"
        live_path.write_text(
            json.dumps(
                {
                    "apis": apis,
                    "tokens": tokens,
                    "accounts": accounts,
                    "connections": live.connections,
                    "per_connection": live.per_connection,
                    "writers": live.writers,
                    "rate": live.rate,
                    "go": str(go),
                }
            )
        )
        live_path.chmod(0o600)
        servers = [psutil.Process(service.pid) for service in services]
        rss_none = [tree_rss(server) for server in servers]
        wanted = live.connections * live.per_connection
        started = time.monotonic()
        process, out = await start_locust(
            config,
            SCENARIOS["subscriptions"],
            live.connections + live.writers,
            apis[0],
            fixtures_path,
            "subscriptions",
            run_time=config.duration + 600,
            extra_env={"BENCH_LIVE": str(live_path), "BENCH_WARMUP": "0"},
        )
        try:
            opened = await open_subscriptions(apis, wanted, process)
            open_after = time.monotonic() - started
            await asyncio.sleep(LIVE_IDLE_SECONDS)
            rss_idle = [tree_rss(server) for server in servers]
            # Locust is still running while measured, so it counts as a process, not as a reaped child.
            sampler = Sampler([service.pid for service in services], {**others, "locust": process.pid})
            with sampler.measure() as resources:
                go.touch()
                await asyncio.sleep(config.duration)
                go.unlink()
                await asyncio.sleep(LIVE_DRAIN_SECONDS)
            sampler.close()
            cpu = resources["cpu"]
            cpu["load"] = round(cpu["load"] + cpu.pop("locust", 0.0), 2)
        finally:
            go.unlink(missing_ok=True)
            # SIGTERM: Locust writes its figures and quits.
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        data = await locust_results(process, out)
    finally:
        for service in services:
            service.stop()
    latencies = data["latencies_ms"].get("subscription", [])
    counts = data["live"]
    result = {
        "api_processes": 2,
        "subscriptions": wanted,
        "open": opened,
        "open_after_s": round(open_after, 1),
        "accounts": len(accounts),
        "connections": live.connections,
        "per_connection": live.per_connection,
        "target_rate": live.rate,
        "notes": counts["notes_written"],
        "rate_per_second": round(counts["notes_written"] / config.duration, 1),
        "expected_deliveries": counts["expected_deliveries"],
        "delivered": counts["delivered"],
        "duplicates": counts["duplicates"],
        "errors": sum(data["errors"].values()),
        "error_samples": [s for samples in data["error_samples"].values() for s in samples][:3],
        "latency_ms": percentiles(latencies),
        "latency_curve": [round(float(x), 1) for x in np.percentile(latencies, range(101))]
        if latencies
        else [],
        "logNote_ms": percentiles(data["latencies_ms"].get("logNote", [])),
        "rss_mb_none": [round(x / 2**20, 1) for x in rss_none],
        "rss_mb_idle": [round(x / 2**20, 1) for x in rss_idle],
        "kib_per_idle_subscription": round((sum(rss_idle) - sum(rss_none)) / max(1, opened) / 1024, 1),
        **resources,
    }
    log(
        f"  {opened}/{wanted} subscriptions open after {open_after:.1f} s on 2 api processes; "
        f"{result['kib_per_idle_subscription']} KiB per idle subscription; {result['notes']} notes at "
        f"{result['rate_per_second']}/s; {result['delivered']}/{result['expected_deliveries']} deliveries, "
        f"{result['duplicates']} duplicates, {result['errors']} errors; commit-to-client p50 "
        f"{result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms"
    )
    return result


async def wait_outbox_drained(url: str, limit: float = 600.0) -> float:
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


async def postgraphile_index(url: str) -> None:
    """The index PostGraphile's account list needs: it orders by (name, id), while Rapport orders by
    (lower(name), id), which its migrations index. Without it PostGraphile would sort every account
    for each page; with it both servers read 50 rows through an index (the order is the same but for
    case). Rapport never uses it."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE INDEX IF NOT EXISTS bench_postgraphile_accounts_name_idx ON accounts (name, id)"
        )
    finally:
        await conn.close()


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
    seed_config = seed.Config.from_env()
    config = BenchConfig.from_env(seed_config.scale)
    config.work.mkdir(parents=True, exist_ok=True)
    base = settings_module.load()
    started_at = time.perf_counter()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    results["config"] = {
        "name": config.name,
        "scale": seed_config.scale,
        "seed": seed_config.seed,
        "anchor": seed_config.anchor.isoformat(),
        "duration_s": config.duration,
        "warmup_s": config.warmup,
        "levels": list(config.levels),
        "invoice_levels": list(config.invoice_levels),
        "invoice_batch": INVOICE_BATCH,
        "repeat": config.repeat,
        "pg_workers": config.pg_workers,
        "api_workers": config.api_workers,
        "db_pool_max": base.db_pool_max,
    }

    results["quiet_at_start"] = wait_until_quiet(config.quiet_wait)
    log("step 1: seed")
    url, seed_meta = await seed.ensure_seeded(base.database_url, seed_config, config.name)
    results["seed"] = seed_meta
    settings = replace(base, database_url=url, meili_index_prefix=config.name)
    results["versions"] = await server_versions(url, settings)

    log("step 2: search index")
    results["index"] = await build_index(settings, config.skip_index)

    await postgraphile_index(url)
    token = await bench_token(url)
    fixtures = await make_fixtures(url, seed_config, token)
    fixtures_path = config.work / "fixtures.json"
    fixtures_path.write_text(json.dumps(fixtures))
    fixtures_path.chmod(0o600)

    results["quiet"] = wait_until_quiet(config.quiet_wait)
    log("step 3: raw SQL floor and Meilisearch's own search times (no server running)")
    results["raw"] = await raw_floor(url, fixtures, config)
    results["engine"] = await engine_times(settings, fixtures, config.engine_queries)
    results["dunning"] = await dunning.planner_times(settings.database_url)
    full, tenth = results["dunning"]["1x"], results["dunning"]["0.1x"]
    log(
        f"  dunning planner: {full['seconds']} s for {full['accounts']} accounts (1x),"
        f" {tenth['seconds']} s for {tenth['accounts']} (0.1x)"
    )
    log(
        f"  meilisearch engine p50 {results['engine']['engine_ms']['p50']} ms, "
        f"round trip p50 {results['engine']['client_round_trip_ms']['p50']} ms"
    )

    log("  profiling one request of each read scenario at a time (SQL timed, pyinstrument)")
    profile_settings = replace(settings, rate_limit_per_second=0.0)
    results["profile"] = await profile.profile(profile_settings, fixtures, config.profile_n, config.work)
    for name, summary in results["profile"].items():
        log(
            f"  {name}: {summary['request_ms_mean']} ms per request, "
            f"{summary['sql_per_request']} SQL statements taking {summary['sql_ms_per_request']} ms"
        )

    log("step 4: Rapport under load (the compared reads also on the executor and on PostGraphile)")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEILI_INDEX_PREFIX": config.name,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # The servers run this tree's code, as the harness does (not what an editable install points at).
        "PYTHONPATH": str(ROOT),
        # The benchmark measures capacity: the per-user rate limit (20/s by default) would cap it.
        "RAPPORT_RATE_LIMIT_PER_SECOND": "0",
        # The live scenario reads the servers' subscription gauge, the reads the read-path counters.
        "RAPPORT_METRICS": "on",
        "RAPPORT_WORKERS": str(config.api_workers),
        # The shipped default: reads the compiler covers take one SQL statement.
        "RAPPORT_COMPILED_READS": "on",
    }
    results["config"]["rate_limit"] = "off (RAPPORT_RATE_LIMIT_PER_SECOND=0)"
    results["config"]["generator"] = config.generator
    compared = [name for name in config.scenarios if name in COMPARED]
    pids = await server_pids(url, settings)
    api = Service("api", [str(BIN / "rapport"), "serve"], env, config.work)
    worker = Service("worker", [str(BIN / "rapport"), "worker"], env, config.work)
    extra: list[Service] = []
    results["scenarios"] = {}
    try:
        api.wait_http(f"{api_url}/readyz")
        others = {"worker": worker.pid, **pids}
        sampler = Sampler([api.pid], others)
        systems = [System("compiled", "rapport", api_url, sampler)]
        if compared and config.executor:
            executor_url = start_executor(config, env, extra)
            systems.append(System("executor", "rapport", executor_url, Sampler([extra[-1].pid], others)))
        if compared and config.postgraphile:
            pg_url, skipped = start_postgraphile(config, url, extra)
            if pg_url is None:
                results["postgraphile"] = {"skipped": skipped}
            else:
                pg_sampler = Sampler([extra[-1].pid], pids)
                systems.append(System("postgraphile", "postgraphile", pg_url, pg_sampler))
                results["postgraphile"] = {"workers": config.pg_workers}
        for name in compared:
            log(f"scenario {name}: {', '.join(system.label for system in systems)}, interleaved")
            before = await read_paths(api_url)
            rows = await compare_levels(config, systems, name, fixtures_path)
            paths = paths_delta(before, await read_paths(api_url))
            results["scenarios"][name] = {
                "rapport": rows["compiled"],
                **{label: found for label, found in rows.items() if label != "compiled"},
                "read_paths": paths,
            }
            log(f"  read paths on the compiled server: {paths or 'none counted'}")
        for service in extra:
            service.stop()
        for system in systems[1:]:
            system.sampler.close()
        for name in config.scenarios:
            if name in COMPARED:
                continue
            log(f"scenario {name}")
            if name == "subscriptions":
                results["scenarios"][name] = await live_subscriptions(
                    config, url, env, fixtures, fixtures_path, others
                )
                continue
            levels = config.invoice_levels if name == "upsertInvoices" else config.levels
            before = await read_paths(api_url)
            rows = await load_levels(config, sampler, name, api_url, fixtures_path, name, levels)
            if name == "upsertInvoices":
                for row in rows:
                    row["invoices_per_second"] = round(row["rps"] * INVOICE_BATCH)
            results["scenarios"][name] = {"rapport": rows}
            if name not in WRITES:
                results["scenarios"][name]["read_paths"] = paths_delta(before, await read_paths(api_url))
            if name in WRITES:
                drained = await wait_outbox_drained(url)
                results["scenarios"][name]["outbox_drained_after_s"] = round(drained, 1)
                log(f"  outbox drained {drained:.1f} s after the {name} runs")
        log("freshness: write-to-searchable")
        await wait_outbox_drained(url)
        with sampler.measure() as resources:
            results["freshness"] = await freshness(api_url, settings, fixtures, config)
        results["freshness"]["api"] = resources
        results["api_log_bytes"] = api.log_path.stat().st_size
        sampler.close()
    finally:
        for service in [api, worker, *extra]:
            service.stop()

    results["total_seconds"] = round(time.perf_counter() - started_at, 1)
    (config.work / "results.json").write_text(json.dumps(results, indent=2, default=str))
    written = report.write(results, config.results_dir)
    log(f"wrote {written} in {results['total_seconds']:.0f} s in all")


def start_executor(config: BenchConfig, env: dict[str, str], started: list["Service"]) -> str:
    """A second `rapport serve`, the same processes and pool, answering every read with the executor
    (RAPPORT_COMPILED_READS=off): the before of the compiled reads."""
    port = free_port()
    service = Service(
        "api-executor",
        [str(BIN / "rapport"), "serve"],
        {**env, "PORT": str(port), "RAPPORT_COMPILED_READS": "off"},
        config.work,
    )
    started.append(service)
    url = f"http://127.0.0.1:{port}"
    service.wait_http(f"{url}/readyz")
    return url


def start_postgraphile(config: BenchConfig, url: str, started: list["Service"]) -> tuple[str | None, str]:
    """PostGraphile v4 (BENCH_PG_WORKERS cluster workers) on the same database: (its URL, "") or
    (None, why not)."""
    if not (ROOT / "node_modules" / "postgraphile").is_dir() or not shutil.which("node"):
        reason = "node or node_modules/postgraphile is missing (run `npm ci`)"
        log(f"  PostGraphile skipped: {reason}")
        return None, reason
    port = free_port()
    script = str(ROOT / "bench" / "postgraphile.cjs")
    command = ["node", script, postgraphile_connection(url), str(port), str(config.pg_workers)]
    service = Service("postgraphile", command, {**os.environ}, config.work)
    started.append(service)
    try:
        service.wait_http(f"http://127.0.0.1:{port}/graphql", ok=lambda status: status in (200, 400, 405))
    except RuntimeError as error:
        log(f"  PostGraphile failed: {error}")
        started.remove(service)
        service.stop()
        return None, str(error)
    return f"http://127.0.0.1:{port}", ""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    # `rapport stack` passes Ctrl-C on as SIGTERM: stop the servers we started on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    asyncio.run(main())
