"""A lean closed-loop HTTP load generator for the read scenarios, so the generator's own CPU does not
decide a comparison between servers that answer in a millisecond or two.

Locust (FastHttpUser, one gevent process) spends about a quarter of a millisecond of CPU per request
on these scenarios: at the ~1,000 req/s a compiled read should reach on 2 cores, that is a quarter of
a core taken from the servers it measures. This generator pre-encodes every request (a few thousand
random picks of the scenario's variables, as whole HTTP/1.1 requests), keeps one kept-alive
connection per client on uvloop, parses answers with httptools (C) and records each latency exactly;
it costs a few tens of microseconds per request.

Each client sends its next request as soon as the last one answered (no think time), like the
Locust users. A non-200 answer or a body with `"errors"` is a failure. Requests that start after the
warm-up and end before the window closes are recorded; the output JSON has the shape of
bench/locustfile.py's (latencies_ms by request name, errors, error_samples, window_seconds) plus
`cpu_seconds`: this process's own CPU time during the measured window.

    python -m bench.loadgen SCENARIO TARGET USERS HOST SECONDS
        SCENARIO: timeline, accounts, node, callBrief, collectionsQueue, worklist, inbox or search
        TARGET: rapport or postgraphile (timeline, accounts and node only)
    Environment: BENCH_FIXTURES, BENCH_OUT, BENCH_WARMUP (seconds not recorded), as for Locust.
"""

# ruff: noqa: S311  (random picks of test data, not secrets)

import asyncio
import base64
import json
import os
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import urlsplit

import httptools

try:
    import uvloop  # uvicorn's; the plain event loop works too, a little slower
except ImportError:
    uvloop = None

from bench import queries

PICKS = 4096  # pre-encoded requests per run; each client walks them from its own offset
# request name, document, variables; and the caller's token when it is not the fixtures' one (the
# worklist and the inbox are the caller's own, so those picks are made by one of many people)
Pick = tuple[str, str, dict] | tuple[str, str, dict, str]


def postgraphile_node_id(table: str, *keys: str) -> str:
    """PostGraphile v4's global id: base64 of the JSON array [table, primary key values...]."""
    return base64.b64encode(json.dumps([table, *keys], separators=(",", ":")).encode()).decode()


def _one_of(fixtures: dict, key: str) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(fixtures[key])


def builders(fixtures: dict) -> dict[tuple[str, str], Callable[[random.Random], Pick]]:
    """(scenario, target) -> a function that picks one request at random."""
    account = _one_of(fixtures, "accounts")
    account_uuid = _one_of(fixtures, "account_uuids")
    search = fixtures["search"]
    nodes = fixtures.get("nodes", {"rapport": [], "postgraphile": []})

    def node(target: str, document: str) -> Callable[[random.Random], Pick]:
        # Half accounts, half timeline entries of every kind: the same picks for both servers.
        def pick(rng: random.Random) -> Pick:
            i = rng.randrange(len(nodes[target]))
            kind = "account" if i % 2 == 0 else "entry"
            return f"node:{kind}", document, {"id": nodes[target][i]}

        return pick

    def search_pick(rng: random.Random) -> Pick:
        # The Locust scenario's weights: common 4, rare 3, typo 2, filtered 2.
        kind = rng.choices(("common", "rare", "typo", "filtered"), weights=(4, 3, 2, 2))[0]
        if kind == "filtered":
            return "search:filtered", queries.SEARCH, rng.choice(search["filtered"])
        return f"search:{kind}", queries.SEARCH, {"q": rng.choice(search[kind])}

    return {
        ("timeline", "rapport"): lambda rng: ("timeline", queries.TIMELINE, {"id": account(rng)}),
        ("timeline", "postgraphile"): lambda rng: (
            "timeline",
            queries.POSTGRAPHILE_TIMELINE,
            {"id": account_uuid(rng)},
        ),
        ("accounts", "rapport"): lambda rng: ("accounts", queries.ACCOUNTS, {}),
        ("accounts", "postgraphile"): lambda rng: ("accounts", queries.POSTGRAPHILE_ACCOUNTS, {}),
        ("node", "rapport"): node("rapport", queries.NODE),
        ("node", "postgraphile"): node("postgraphile", queries.POSTGRAPHILE_NODE),
        ("callBrief", "rapport"): lambda rng: (
            "callBrief",
            queries.CALL_BRIEF,
            {"id": account(rng), "at": fixtures["at"]},
        ),
        ("collectionsQueue", "rapport"): lambda rng: (
            "collectionsQueue",
            queries.COLLECTIONS_QUEUE,
            {"asOf": fixtures["queue_as_of"]},
        ),
        ("worklist", "rapport"): lambda rng: (
            "worklist",
            queries.WORKLIST,
            {"at": fixtures["at"], "dueBy": fixtures["day_end"]},
            rng.choice(fixtures["people"]),
        ),
        ("inbox", "rapport"): lambda rng: ("inbox", queries.INBOX, {}, rng.choice(fixtures["people"])),
        ("search", "rapport"): search_pick,
    }


# The read scenarios this generator drives; the first three are also measured on PostGraphile.
COMPARED = ("timeline", "accounts", "node")
SCENARIOS = (*COMPARED, "callBrief", "collectionsQueue", "worklist", "inbox", "search")


def encode_requests(host: str, token: str | None, picks: list[Pick]) -> list[tuple[str, bytes]]:
    """Each pick as the whole HTTP/1.1 request the generator writes."""
    parts = urlsplit(host)
    base = (
        f"POST /graphql HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        "Accept: application/json\r\n"
    )
    out = []
    for name, document, variables, *caller in picks:
        head = base
        if caller or token:
            head += f"Authorization: Bearer {caller[0] if caller else token}\r\n"
        body = json.dumps({"query": document, "variables": variables}).encode()
        out.append((name, f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body))
    return out


class Run:
    """The shared state of one run: the requests, the clock, and what was recorded."""

    def __init__(self, requests: list[tuple[str, bytes]], warmup: float, duration: float) -> None:
        self.requests = requests
        now = time.perf_counter()
        self.warm_at = now + warmup
        self.stop_at = self.warm_at + duration
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, list[str]] = defaultdict(list)
        self.in_flight = 0
        self.idle = asyncio.Event()

    def record(self, name: str, started: float, ended: float, failure: str | None) -> None:
        if started < self.warm_at or ended > self.stop_at:
            return
        if failure is None:
            self.latencies[name].append((ended - started) * 1000)
        else:
            self.errors[name] += 1
            if len(self.samples[name]) < 3:
                self.samples[name].append(failure[:300])


class Client(asyncio.Protocol):
    """One kept-alive connection that sends the next request as soon as the last one is answered."""

    def __init__(self, run: Run, offset: int, reconnect: Callable[["Client"], None]) -> None:
        self.run = run
        self.next = offset
        self.reconnect = reconnect
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.name = ""
        self.started = 0.0
        self.body: list[bytes] = []
        self.waiting = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.send()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self.fail(f"bad HTTP answer: {error}")

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting:
            self.fail(f"connection lost: {exc!r}", close=False)
        self.transport = None
        if time.perf_counter() < self.run.stop_at:
            self.reconnect(self)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.body = []

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        ended = time.perf_counter()
        status = self.parser.get_status_code()
        body = b"".join(self.body)
        if status != 200:
            failure = f"HTTP {status}: {body[:200].decode(errors='replace')}"
        elif b'"errors"' in body:
            failure = body[:300].decode(errors="replace")
        else:
            failure = None
        self.done(ended, failure)
        if not self.parser.should_keep_alive():
            self.transport.close()  # connection_lost reconnects
        else:
            self.send()

    # ours
    def send(self) -> None:
        run = self.run
        if time.perf_counter() >= run.stop_at or self.transport is None:
            return
        self.name, raw = run.requests[self.next % len(run.requests)]
        self.next += 1
        self.waiting = True
        run.in_flight += 1
        self.started = time.perf_counter()
        self.transport.write(raw)

    def done(self, ended: float, failure: str | None) -> None:
        self.waiting = False
        self.run.in_flight -= 1
        self.run.record(self.name, self.started, ended, failure)
        if self.run.in_flight == 0 and ended >= self.run.stop_at:
            self.run.idle.set()

    def fail(self, failure: str, close: bool = True) -> None:
        if self.waiting:
            self.done(time.perf_counter(), failure)
        if close and self.transport is not None:
            self.transport.close()


async def drive(
    host: str, users: int, requests: list[tuple[str, bytes]], warmup: float, duration: float
) -> dict:
    loop = asyncio.get_running_loop()
    parts = urlsplit(host)
    run = Run(requests, warmup, duration)
    cpu: dict[str, float] = {}

    def cpu_now() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)  # microseconds; os.times() counts 10 ms ticks
        return usage.ru_utime + usage.ru_stime

    connecting: set[asyncio.Task] = set()

    def reconnect(client: Client) -> None:
        fresh = Client(run, client.next, reconnect)
        task = loop.create_task(loop.create_connection(lambda: fresh, parts.hostname, parts.port))
        connecting.add(task)
        task.add_done_callback(connecting.discard)

    loop.call_at(loop.time() + warmup, lambda: cpu.__setitem__("warm", cpu_now()))
    loop.call_at(loop.time() + warmup + duration, lambda: cpu.__setitem__("stop", cpu_now()))
    step = max(1, len(requests) // max(1, users))
    for i in range(users):
        client = Client(run, i * step, reconnect)
        await loop.create_connection(lambda client=client: client, parts.hostname, parts.port)
    await asyncio.sleep(max(0.0, run.stop_at - time.perf_counter()))
    if run.in_flight:
        # The last answers close the window's books; a server that hangs does not hold us here.
        await asyncio.wait_for(run.idle.wait(), timeout=10)
    return {
        "window_seconds": duration,
        "latencies_ms": run.latencies,
        "errors": run.errors,
        "error_samples": run.samples,
        "cpu_seconds": round(cpu.get("stop", cpu_now()) - cpu.get("warm", 0.0), 4),
        "generator": "loadgen",
        "live": None,
    }


def main() -> None:
    scenario, target, users, host, seconds = sys.argv[1:6]
    fixtures = json.loads(open(os.environ["BENCH_FIXTURES"]).read())  # noqa: SIM115
    warmup = float(os.environ.get("BENCH_WARMUP", "2"))
    make = builders(fixtures).get((scenario, target))
    if make is None:
        raise SystemExit(f"loadgen: no scenario {scenario!r} for {target!r}")
    rng = random.Random(f"{fixtures.get('seed')}:{scenario}:{os.environ.get('BENCH_RUN', '0')}")
    requests = encode_requests(host, fixtures.get("token"), [make(rng) for _ in range(PICKS)])
    runner = uvloop.run if uvloop else asyncio.run
    duration = max(0.001, float(seconds) - warmup)
    result = runner(drive(host, int(users), requests, warmup, duration))
    with open(os.environ["BENCH_OUT"], "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
