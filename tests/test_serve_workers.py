"""`rapport serve` with RAPPORT_WORKERS: several processes on one port, one set of metrics, one clean exit."""

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from domain.teams import Team
from tests.conftest import free_port, serving

WORKERS = 2
QUERY = "query Mine { me { email } }"


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
    """The server processes: the children the parent spawned (not multiprocessing's resource tracker)."""
    return {
        child for child in children_of(pid) if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    }


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def counted(metrics: str, operation: str) -> float:
    match = re.search(
        rf'^rapport_graphql_request_seconds_count\{{operation="{operation}",type="query"\}} (\S+)$',
        metrics,
        re.MULTILINE,
    )
    return float(match.group(1)) if match else 0.0


async def test_workers_share_the_port_and_the_load_and_add_up_their_metrics(settings, tmp_path, make_caller):
    sales = await make_caller(Team.SALES)
    with serving(settings, tmp_path / "serve.log", RAPPORT_WORKERS=str(WORKERS)) as (url, process):
        workers = worker_pids(process.pid)
        assert len(workers) == WORKERS
        busy_before = {pid: cpu_seconds(pid) for pid in workers}
        headers = {"Authorization": f"Bearer {sales.token}"}
        # 40 kept-alive connections opened at once, as a load balancer or a load test would
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:

            async def asks(times: int) -> list[httpx.Response]:
                return [await client.post("/graphql", json={"query": QUERY}) for _ in range(times)]

            answers = [a for batch in await asyncio.gather(*(asks(10) for _ in range(40))) for a in batch]
            assert all(a.json()["data"]["me"]["email"] == sales.user.email for a in answers)
            # when: each scrape reaches whichever process accepts it
            scrapes = [(await client.get("/metrics")).text for _ in range(4)]
        # then: every process took a share of the connections
        assert all(cpu_seconds(pid) - busy_before[pid] > 0.05 for pid in workers)
        # and every scrape sees the requests of all processes
        assert [counted(text, "Mine") for text in scrapes] == [400.0] * 4
        assert all("rapport_db_pool_connections" in text for text in scrapes)
        # and SIGTERM stops the workers and the parent cleanly
        process.terminate()
        assert await asyncio.to_thread(process.wait, 30) == 0
        assert not any(alive(pid) for pid in workers)


def test_a_worker_that_cannot_start_stops_the_server_with_status_1(settings, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            env={
                **os.environ,
                "DATABASE_URL": settings.database_url,
                "MEILI_INDEX_PREFIX": settings.meili_index_prefix,
                "PORT": str(port),
                "RAPPORT_WORKERS": str(WORKERS),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # The parent found the port free; taken before the workers bind it, it fails them all.
        deadline = time.monotonic() + 30
        while f"serving http://127.0.0.1:{port} once started" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.01)
        with socket.socket() as taken:  # held without SO_REUSEPORT: the workers cannot bind it
            taken.bind(("127.0.0.1", port))
            taken.listen()
            status = process.wait(60)
    finally:
        if process.poll() is None:
            process.terminate()  # the parent stops its workers
            process.wait(30)
    assert status == 1
    assert "could not start" in log.read_text()
