"""Where a request's time goes: each scenario's request run in-process, in sequence, with every SQL
statement timed (asyncpg's query logger) and the Python side under pyinstrument.

bench/run.py calls this with no server running; the pyinstrument reports go to
<work folder>/profile-<scenario>.txt and .html, the SQL breakdown into the results.

    .venv/bin/rapport stack -- .venv/bin/python -m bench.profile     # after a `make bench`
"""

# ruff: noqa: S311  (random picks of test data)

import asyncio
import json
import random
import re
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import httpx
from pyinstrument import Profiler

from api import settings as settings_module
from bench import queries
from store import db

_statements: list[tuple[str, float]] = []
_original_logger = db._count_query


def _record(record: object) -> None:
    _statements.append((getattr(record, "query", "?"), getattr(record, "elapsed", 0.0) * 1000))
    _original_logger(record)


def _shape(sql: str) -> str:
    """A statement's first meaningful words, whitespace squeezed, for grouping."""
    text = re.sub(r"\s+", " ", sql).strip()
    return text[:150]


def _requests(fixtures: dict) -> dict[str, callable]:
    rng = random.Random(3)
    search = fixtures["search"]
    return {
        "timeline": lambda: (queries.TIMELINE, {"id": rng.choice(fixtures["accounts"])}),
        "accounts": lambda: (queries.ACCOUNTS, {}),
        "node": lambda: (queries.NODE, {"id": rng.choice(fixtures["nodes"]["rapport"])}),
        "callBrief": lambda: (
            queries.CALL_BRIEF,
            {"id": rng.choice(fixtures["accounts"]), "at": fixtures["at"]},
        ),
        "collectionsQueue": lambda: (queries.COLLECTIONS_QUEUE, {"asOf": fixtures["queue_as_of"]}),
        "search": lambda: (queries.SEARCH, {"q": rng.choice(search["common"] + search["rare"])}),
    }


async def profile(settings: settings_module.Settings, fixtures: dict, count: int, out: Path) -> dict:
    """For each read scenario: mean request time, SQL round trips and time, the costliest statements."""
    # Every pool connection registers store.db._count_query when it opens: wrap it before the app starts.
    db._count_query = _record
    from api.app import create_app

    app = create_app(settings)
    results = {}
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {fixtures['token']}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client:
                for name, make in _requests(fixtures).items():
                    await _one(client, make)  # warm caches and connections
                    profiler = Profiler(async_mode="enabled")
                    _statements.clear()
                    elapsed = []
                    profiler.start()
                    for _ in range(count):
                        started = time.perf_counter()
                        await _one(client, make)
                        elapsed.append((time.perf_counter() - started) * 1000)
                    profiler.stop()
                    (out / f"profile-{name}.txt").write_text(
                        profiler.output_text(unicode=True, show_all=False)
                    )
                    (out / f"profile-{name}.html").write_text(profiler.output_html())
                    results[name] = _summary(elapsed, count)
    finally:
        db._count_query = _original_logger
    return results


async def _one(client: httpx.AsyncClient, make) -> None:
    query, variables = make()
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"profile request failed: {response.status_code} {str(body)[:300]}")


def _summary(elapsed: list[float], count: int) -> dict:
    by_shape: dict[str, list[float]] = defaultdict(list)
    for sql, ms in _statements:
        by_shape[_shape(sql)].append(ms)
    top = sorted(by_shape.items(), key=lambda item: -sum(item[1]))[:4]
    return {
        "requests": count,
        "request_ms_mean": round(sum(elapsed) / len(elapsed), 1),
        "sql_per_request": round(len(_statements) / count, 1),
        "sql_ms_per_request": round(sum(ms for _, ms in _statements) / count, 1),
        "top_statements": [
            {
                "sql": shape,
                "calls_per_request": round(len(times) / count, 1),
                "ms_per_call": round(sum(times) / len(times), 2),
                "ms_per_request": round(sum(times) / count, 1),
            }
            for shape, times in top
        ],
    }


def main() -> None:
    from bench.run import BenchConfig
    from bench.seed import Config, with_database

    config = BenchConfig.from_env(Config.from_env().scale)
    base = settings_module.load()
    settings = replace(
        base, database_url=with_database(base.database_url, config.name), meili_index_prefix=config.name
    )
    fixtures = json.loads((config.work / "fixtures.json").read_text())
    print(json.dumps(asyncio.run(profile(settings, fixtures, config.profile_n, config.work)), indent=2))


if __name__ == "__main__":
    main()
