"""The client guide's two typed examples (examples/), run against a live api as a client would.

Each lists a page of a timeline and logs a note. The TypeScript one is generated from
schema.graphql (gql.tada), its documents checked and its code type-checked (tsc) before it runs;
the Python one (gql) validates its documents against schema.graphql before it sends them.
"""

import subprocess
import sys

from domain.teams import Team
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "typescript"
BIN = ROOT / "node_modules" / ".bin"
CREATE = """
mutation ($name: String!) { createAccount(input: {name: $name}) { account { id } userErrors { message } } }
"""
NOTE = "mutation ($input: LogNoteInput!) { logNote(input: $input) { entry { id } userErrors { message } } }"


def _run(*command: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )


async def _account_with_a_note(make_caller, name: str) -> tuple[object, str]:
    caller = await make_caller(Team.AR)
    account = (await caller.gql(CREATE, {"name": name}))["createAccount"]["account"]["id"]
    await caller.gql(NOTE, {"input": {"accountId": account, "summary": f"{name} asked for a copy invoice"}})
    return caller, account


async def _timeline_summaries(caller, account: str) -> list[str]:
    query = "query ($id: ID!) { account(id: $id) { timeline(first: 10) { edges { node { summary } } } } }"
    data = await caller.gql(query, {"id": account})
    return [edge["node"]["summary"] for edge in data["account"]["timeline"]["edges"]]


async def test_the_typescript_example_type_checks_and_runs(live_server, make_caller, pool):
    caller, account = await _account_with_a_note(make_caller, "Tailspin Toys")
    tsconfig = EXAMPLE / "tsconfig.json"
    for step in (
        (BIN / "gql-tada", "generate", "output", "--tsconfig", tsconfig),
        (BIN / "gql-tada", "check", "--tsconfig", tsconfig),
        (BIN / "tsc", "-p", EXAMPLE),
    ):
        done = _run(*step)
        assert done.returncode == 0, f"{step}: {done.stdout}{done.stderr}"

    ran = _run("node", EXAMPLE / "dist" / "timeline.mjs", f"{live_server}/graphql", caller.token, account)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "timeline of Tailspin Toys"
    assert "NOTE Tailspin Toys asked for a copy invoice by AR user" in lines[1]
    assert lines[-1].startswith("logged note ")
    assert lines[-1].endswith(": Called from the TypeScript example")
    assert "Called from the TypeScript example" in await _timeline_summaries(caller, account)
    # It sent hashes (APQ): the server stored its documents the first time it needed their text.
    stored = await pool.fetchval(
        "SELECT count(*) FROM persisted_documents WHERE document LIKE 'query Timeline(%'"
    )
    assert stored == 1


async def test_the_python_example_runs(live_server, make_caller):
    caller, account = await _account_with_a_note(make_caller, "Wingtip Toys")
    ran = _run(
        sys.executable,
        ROOT / "examples" / "python" / "timeline.py",
        f"{live_server}/graphql",
        caller.token,
        account,
    )
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "timeline of Wingtip Toys"
    assert "NOTE Wingtip Toys asked for a copy invoice by AR user" in lines[1]
    assert lines[-1].startswith("logged note ")
    assert lines[-1].endswith(": Called from the Python example")
    assert "Called from the Python example" in await _timeline_summaries(caller, account)
