"""Locust scenarios for `make bench`; bench/run.py starts one headless run per scenario and level.

Each user sends its next request as soon as the last one answered (no think
time), so N users keep N requests in flight. A GraphQL answer with `errors`
(or userErrors, for mutations) counts as a failure. Every request after the
warm-up is recorded exactly and written as JSON to BENCH_OUT when Locust quits;
run.py computes the percentiles from that, not from Locust's rounded buckets.

Environment: BENCH_FIXTURES (the JSON run.py writes: token, accounts, search
terms), BENCH_OUT, BENCH_WARMUP (seconds not recorded at the start).
"""

# ruff: noqa: S311  (random picks of test data, not secrets)

import json
import os
import random
import time
from collections import defaultdict

from locust import FastHttpUser, constant, events, task

from bench import queries

FIXTURES = json.loads(open(os.environ["BENCH_FIXTURES"]).read())  # noqa: SIM115
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
_state = {"start": None, "stop": None}
_latencies: dict[str, list[float]] = defaultdict(list)
_errors: dict[str, int] = defaultdict(int)
_samples: dict[str, list[str]] = defaultdict(list)


@events.test_start.add_listener
def _started(**_: object) -> None:
    _state["start"] = time.time()


@events.test_stop.add_listener
def _stopped(**_: object) -> None:
    _state["stop"] = time.time()


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
                "latencies_ms": _latencies,
                "errors": _errors,
                "error_samples": _samples,
            },
            handle,
        )


class GraphQLUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    endpoint = "/graphql"

    def graphql(self, name: str, query: str, variables: dict, *, mutation: str | None = None) -> None:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if FIXTURES.get("token") and self.endpoint == "/graphql":
            headers["Authorization"] = f"Bearer {FIXTURES['token']}"
        with self.client.post(
            self.endpoint,
            data=json.dumps({"query": query, "variables": variables}),
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            body = response.content or b""
            if b'"errors"' in body or (mutation and b'"userErrors":[]' not in body.replace(b" ", b"")):
                response.failure(body[:300].decode(errors="replace"))
            else:
                response.success()


class TimelineUser(GraphQLUser):
    @task
    def timeline(self) -> None:
        self.graphql("timeline", queries.TIMELINE, {"id": random.choice(FIXTURES["accounts"])})


class PostGraphileTimelineUser(GraphQLUser):
    @task
    def timeline(self) -> None:
        account = random.choice(FIXTURES["account_uuids"])
        self.graphql("timeline", queries.POSTGRAPHILE_TIMELINE, {"id": account})


class CallBriefUser(GraphQLUser):
    @task
    def call_brief(self) -> None:
        variables = {"id": random.choice(FIXTURES["accounts"]), "at": FIXTURES["at"]}
        self.graphql("callBrief", queries.CALL_BRIEF, variables)


class CollectionsQueueUser(GraphQLUser):
    @task
    def collections_queue(self) -> None:
        self.graphql("collectionsQueue", queries.COLLECTIONS_QUEUE, {"asOf": FIXTURES["as_of"]})


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
