"""The graphql-http audit suite finds no error and no warning on /graphql."""

import asyncio
import json

from tests.conftest import ROOT


async def test_graphql_http_audit_passes_without_warnings(live_server, make_caller):
    caller = await make_caller()
    # when
    node = await asyncio.create_subprocess_exec(
        "node",
        str(ROOT / "tests" / "http_audit.mjs"),
        f"{live_server}/graphql",
        caller.token,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(node.communicate(), 120)
    # then
    assert node.returncode == 0, stderr.decode()
    results = [json.loads(line) for line in stdout.decode().splitlines()]
    assert len(results) > 50
    failed = [r for r in results if r["status"] != "ok"]
    assert failed == []
