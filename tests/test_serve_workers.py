"""`rapport serve` with RAPPORT_WORKERS: several processes on one port, one set of metrics, one clean exit."""

import asyncio
import re
from pathlib import Path

import httpx

from domain.teams import Team
from tests.conftest import serving

WORKERS = 2


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue  # gone meanwhile
        if re.search(rf"^PPid:\s+{pid}$", text, re.MULTILINE):
            found.append(int(status.parent.name))
    return found


def worker_pids(pid: int) -> set[int]:
    """uvicorn's worker processes: the children of the parent that were spawned to serve."""
    return {
        child
        for child in children_of(pid)
        if b"multiprocessing" in Path(f"/proc/{child}/cmdline").read_bytes()
        and b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    }


def counted(metrics: str, operation: str) -> float:
    match = re.search(
        rf'^rapport_graphql_request_seconds_count\{{operation="{operation}",type="query"\}} (\S+)$',
        metrics,
        re.MULTILINE,
    )
    return float(match.group(1)) if match else 0.0


async def test_workers_share_the_port_and_add_up_their_metrics(settings, tmp_path, make_caller):
    sales = await make_caller(Team.SALES)
    with serving(settings, tmp_path / "serve.log", RAPPORT_WORKERS=str(WORKERS)) as (url, process):
        assert len(worker_pids(process.pid)) == WORKERS
        headers = {"Authorization": f"Bearer {sales.token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:
            answers = await asyncio.gather(
                *(client.post("/graphql", json={"query": "query Mine { me { email } }"}) for _ in range(40))
            )
            assert all(a.json()["data"]["me"]["email"] == sales.user.email for a in answers)
            # when: each scrape reaches whichever process accepts it
            scrapes = [(await client.get("/metrics")).text for _ in range(4)]
        # then: every scrape sees the requests of all processes
        assert [counted(text, "Mine") for text in scrapes] == [40.0] * 4
        assert all("rapport_db_pool_connections" in text for text in scrapes)
        # and SIGTERM stops the workers and the parent cleanly
        process.terminate()
        assert await asyncio.to_thread(process.wait, 30) == 0
    assert "Stopping parent process" in (tmp_path / "serve.log").read_text()
