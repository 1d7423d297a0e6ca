"""Locust scenarios for `make bench`; bench/run.py starts one headless run per scenario and level.

Each user sends its next request as soon as the last one answered (no think
time), so N users keep N requests in flight; only the live scenario's note
writers keep a fixed rate instead. A GraphQL answer with `errors` (or
userErrors, for mutations) counts as a failure. Every request after the
warm-up is recorded exactly and written as JSON to BENCH_OUT when Locust quits;
run.py computes the percentiles from that, not from Locust's rounded buckets.

Environment: BENCH_FIXTURES (the JSON run.py writes: token, accounts, search
terms), BENCH_OUT, BENCH_WARMUP (seconds not recorded at the start), BENCH_RUN
(names this run, so each run's invoices are new), and for the live scenario
BENCH_LIVE (the JSON run.py writes: api URLs, one token per connection, the
accounts, the notes' rate, and a file the writers write only while it exists).
"""

# ruff: noqa: S311  (random picks of test data, not secrets)

import itertools
import json
import os
import random
import resource
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime

import gevent
import websocket
from locust import FastHttpUser, User, constant, constant_throughput, events, task
from locust.exception import StopUser

from bench import queries
from bench.invoice_feed import InvoiceFeed

FIXTURES = json.loads(open(os.environ["BENCH_FIXTURES"]).read())  # noqa: SIM115
LIVE = json.loads(open(os.environ["BENCH_LIVE"]).read()) if os.environ.get("BENCH_LIVE") else {}  # noqa: SIM115
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
RUN = os.environ.get("BENCH_RUN", "0")
_state = {"start": None, "stop": None, "cpu_warm": None, "cpu_stop": None}
_latencies: dict[str, list[float]] = defaultdict(list)
_errors: dict[str, int] = defaultdict(int)
_samples: dict[str, list[str]] = defaultdict(list)
# The live scenario's bookkeeping: who follows which account, which notes were written, what arrived.
_subscribed: Counter = Counter()
_written: Counter = Counter()
_delivered: set[tuple[int, str, str]] = set()
_live = {"duplicates": 0}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm() -> None:
    gevent.sleep(WARMUP)
    _state["cpu_warm"] = _cpu()


@events.test_start.add_listener
def _started(**_: object) -> None:
    _state["start"] = time.time()
    gevent.spawn(_warm)


@events.test_stop.add_listener
def _stopped(**_: object) -> None:
    _state["stop"] = time.time()
    _state["cpu_stop"] = _cpu()


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **kw: object) -> None:
    started = kw.get("start_time") or time.time()
    if _state["start"] is None or started < _state["start"] + WARMUP:
        return
    if exception is None:
        _latencies[name].append(response_time)
    else:
        _errors[name] += 1
        if len(_samples[name]) < 3:
            _samples[name].append(str(exception)[:300])


@events.quitting.add_listener
def _write(**_: object) -> None:
    out = os.environ.get("BENCH_OUT")
    if not out:
        return
    start = (_state["start"] or time.time()) + WARMUP
    stop = _state["stop"] or time.time()
    with open(out, "w") as handle:
        json.dump(
            {
                "window_seconds": max(0.001, stop - start),
                # Locust's own CPU time over the measured window (after the warm-up, until it stopped).
                "cpu_seconds": round(_state["cpu_stop"] - _state["cpu_warm"], 4)
                if _state["cpu_warm"] is not None and _state["cpu_stop"] is not None
                else None,
                "generator": "locust",
                "latencies_ms": _latencies,
                "errors": _errors,
                "error_samples": _samples,
                "live": {
                    "notes_written": sum(_written.values()),
                    "expected_deliveries": sum(n * _subscribed[a] for a, n in _written.items()),
                    "delivered": len(_delivered),
                    "duplicates": _live["duplicates"],
                }
                if LIVE
                else None,
            },
            handle,
        )


class GraphQLUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    endpoint = "/graphql"

    def graphql(
        self,
        name: str,
        query: str,
        variables: dict,
        *,
        mutation: str | None = None,
        url: str | None = None,
        check: Callable[[bytes], str | None] | None = None,
        token: str | None = None,
    ) -> bool:
        """Send one request; True when it succeeded. `check` may find fault with a 200 answer's body.

        `token`: the caller's, when not the fixtures' one (the worklist and the inbox are one's own)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if (token or FIXTURES.get("token")) and self.endpoint == "/graphql":
            headers["Authorization"] = f"Bearer {token or FIXTURES['token']}"
        with self.client.post(
            url or self.endpoint,
            data=json.dumps({"query": query, "variables": variables}),
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            body = response.content or b""
            if response.status_code != 200:
                failure = f"HTTP {response.status_code}: {response.text[:200]}"
            elif b'"errors"' in body or (mutation and b'"userErrors":[]' not in body.replace(b" ", b"")):
                failure = body[:300].decode(errors="replace")
            else:
                failure = check(body) if check else None
            if failure:
                response.failure(failure)
                return False
            response.success()
            return True


class TimelineUser(GraphQLUser):
    @task
    def timeline(self) -> None:
        self.graphql("timeline", queries.TIMELINE, {"id": random.choice(FIXTURES["accounts"])})


class PostGraphileTimelineUser(GraphQLUser):
    @task
    def timeline(self) -> None:
        account = random.choice(FIXTURES["account_uuids"])
        self.graphql("timeline", queries.POSTGRAPHILE_TIMELINE, {"id": account})


class AccountsUser(GraphQLUser):
    @task
    def accounts(self) -> None:
        self.graphql("accounts", queries.ACCOUNTS, {})


class PostGraphileAccountsUser(GraphQLUser):
    @task
    def accounts(self) -> None:
        self.graphql("accounts", queries.POSTGRAPHILE_ACCOUNTS, {})


def _node_pick(target: str) -> tuple[str, dict]:
    """Half accounts, half timeline entries (the fixtures alternate them), the same for both servers."""
    nodes = FIXTURES["nodes"][target]
    i = random.randrange(len(nodes))
    return ("node:account" if i % 2 == 0 else "node:entry"), {"id": nodes[i]}


class NodeUser(GraphQLUser):
    @task
    def node(self) -> None:
        name, variables = _node_pick("rapport")
        self.graphql(name, queries.NODE, variables)


class PostGraphileNodeUser(GraphQLUser):
    @task
    def node(self) -> None:
        name, variables = _node_pick("postgraphile")
        self.graphql(name, queries.POSTGRAPHILE_NODE, variables)


class CallBriefUser(GraphQLUser):
    @task
    def call_brief(self) -> None:
        variables = {"id": random.choice(FIXTURES["accounts"]), "at": FIXTURES["at"]}
        self.graphql("callBrief", queries.CALL_BRIEF, variables)


class CollectionsQueueUser(GraphQLUser):
    @task
    def collections_queue(self) -> None:
        self.graphql("collectionsQueue", queries.COLLECTIONS_QUEUE, {"asOf": FIXTURES["queue_as_of"]})


class WorklistUser(GraphQLUser):
    @task
    def worklist(self) -> None:
        variables = {"at": FIXTURES["at"], "dueBy": FIXTURES["day_end"]}
        self.graphql("worklist", queries.WORKLIST, variables, token=random.choice(FIXTURES["people"]))


class InboxUser(GraphQLUser):
    @task
    def inbox(self) -> None:
        self.graphql("inbox", queries.INBOX, {}, token=random.choice(FIXTURES["people"]))


class SearchUser(GraphQLUser):
    """Common words, rare words, typos and filtered searches, in fixed proportions."""

    @task(4)
    def common(self) -> None:
        self.graphql("search:common", queries.SEARCH, {"q": random.choice(FIXTURES["search"]["common"])})

    @task(3)
    def rare(self) -> None:
        self.graphql("search:rare", queries.SEARCH, {"q": random.choice(FIXTURES["search"]["rare"])})

    @task(2)
    def typo(self) -> None:
        self.graphql("search:typo", queries.SEARCH, {"q": random.choice(FIXTURES["search"]["typo"])})

    @task(2)
    def filtered(self) -> None:
        self.graphql("search:filtered", queries.SEARCH, random.choice(FIXTURES["search"]["filtered"]))


class LogNoteUser(GraphQLUser):
    @task
    def log_note(self) -> None:
        words = FIXTURES["note_words"]
        summary = f"Benchmark note: {' '.join(random.sample(words, 6))}"
        variables = {"input": {"accountId": random.choice(FIXTURES["accounts"]), "summary": summary}}
        self.graphql("logNote", queries.LOG_NOTE, variables, mutation="logNote")


_pushers = itertools.count()


class UpsertInvoicesUser(GraphQLUser):
    """An ERP pushing invoices in batches of 1,000: mostly new, some changed, a few resent unchanged."""

    def on_start(self) -> None:
        accounts = [tuple(a) for a in FIXTURES["invoice_accounts"]]
        stream = f"{FIXTURES['seed']}:{RUN}:u{next(_pushers)}"
        anchor = date.fromisoformat(FIXTURES["as_of"])
        self.feed = InvoiceFeed(stream, accounts, anchor)

    @task
    def push(self) -> None:
        items, expected = self.feed.batch()

        def counts(body: bytes) -> str | None:
            got = json.loads(body)["data"]["upsertInvoices"]
            wanted = {
                "created": expected.created,
                "updated": expected.updated,
                "unchanged": expected.unchanged,
            }
            answered = {key: got[key] for key in wanted}
            return None if answered == wanted else f"counts {answered}, expected {wanted}"

        self.graphql(
            "upsertInvoices",
            queries.UPSERT_INVOICES,
            {"input": items},
            mutation="upsertInvoices",
            check=counts,
        )


_connections = itertools.count()
_note_writers = itertools.count()


class LiveSubscriberUser(User):
    """A timeline screen: one websocket to one of the api processes, following several accounts.

    Connection i goes to api i % 2; connections 2k and 2k+1 follow the same accounts, so every
    account has followers on both processes and every note also reaches a process it was not
    written through. A delivery's latency is its arrival here minus the entry's recordedAt
    (Postgres's now() in the writing transaction, on this machine's clock): that instant comes
    before the commit, so the figure errs on the slow side.
    """

    fixed_count = LIVE.get("connections", 0)
    wait_time = constant(0)

    def on_start(self) -> None:
        self.index = next(_connections)
        per = LIVE["per_connection"]
        accounts = LIVE["accounts"]
        self.socket = None
        try:
            url = LIVE["apis"][self.index % 2].replace("http", "ws", 1) + "/graphql"
            self.socket = websocket.create_connection(url, subprotocols=["graphql-transport-ws"], timeout=30)
            token = LIVE["tokens"][self.index]
            self._send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            ack = json.loads(self.socket.recv())
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            for k in range(per):
                account = accounts[((self.index // 2) * per + k) % len(accounts)]
                variables = {"account": account}
                self._send(
                    {
                        "id": str(k),
                        "type": "subscribe",
                        "payload": {"query": queries.LIVE_TIMELINE, "variables": variables},
                    }
                )
                _subscribed[account] += 1
            self.socket.settimeout(1)
        except Exception as error:  # whatever stops a screen from following is an error of the run
            self._failed(repr(error))
            raise StopUser from None

    def _send(self, message: dict) -> None:
        self.socket.send(json.dumps(message))

    def _failed(self, message: str) -> None:
        events.request.fire(
            request_type="WS",
            name="subscription",
            response_time=0,
            response_length=0,
            exception=RuntimeError(message[:300]),
            context={},
            start_time=time.time(),
        )

    @task
    def receive(self) -> None:
        try:
            raw = self.socket.recv()
        except websocket.WebSocketTimeoutException:
            return
        except websocket.WebSocketException as error:
            self._failed(f"connection lost: {error!r}")
            raise StopUser from None
        received = time.time()
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "ping":
            self._send({"type": "pong"})
            return
        payload = message.get("payload") or {}
        if kind != "next" or payload.get("errors"):
            self._failed(f"{kind}: {raw[:250]}")
            return
        entry = payload["data"]["timeline"]
        key = (self.index, message["id"], entry["id"])
        if key in _delivered:
            _live["duplicates"] += 1
        _delivered.add(key)
        latency = (received - datetime.fromisoformat(entry["recordedAt"]).timestamp()) * 1000
        events.request.fire(
            request_type="WS",
            name="subscription",
            response_time=latency,
            response_length=len(raw),
            exception=None,
            context={},
            start_time=received,
        )

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()


class LiveWriterUser(GraphQLUser):
    """Logs notes on the followed accounts at LIVE["rate"] notes/s in all, alternating api processes."""

    fixed_count = LIVE.get("writers", 0)
    wait_time = constant_throughput(LIVE["rate"] / LIVE["writers"]) if LIVE else constant(0)

    def on_start(self) -> None:
        self.number = next(_note_writers)
        self.rng = random.Random(f"{FIXTURES['seed']}:live:{self.number}")
        self.sent = 0

    @task
    def write(self) -> None:
        if not os.path.exists(LIVE["go"]):
            return
        account = self.rng.choice(LIVE["accounts"])
        api = LIVE["apis"][(self.number + self.sent) % 2]
        self.sent += 1
        summary = (
            f"Live probe {self.number}-{self.sent}: {' '.join(self.rng.sample(FIXTURES['note_words'], 4))}"
        )
        variables = {"input": {"accountId": account, "summary": summary}}
        if self.graphql("logNote", queries.LOG_NOTE, variables, mutation="logNote", url=f"{api}/graphql"):
            _written[account] += 1
