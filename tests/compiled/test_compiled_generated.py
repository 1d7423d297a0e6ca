"""Generated reads over the compilable part of the schema: the compiled answer is the executor's.

4 teams x 500 operations, the same ones every run (derandomized); each costs
two requests, about 40 ms of CPU on the executor, plus ~60 ms to draw it. Each goes to
both apps; the bodies must be equal, and an answer without errors must have
come from the compiled path (a query of the compilable part that falls back is
a gap in the compiler, or a field to move to NOT_COMPILED in generated.py), unless
it holds a value some argument refuses (generated.refused).
"""

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from domain.teams import Team
from tests.compiled.generated import operations, pools, refused
from tests.compiled.harness import diff as describe

# Per team; RAPPORT_TEST_GENERATED_READS=50 for a quick run, more for a deeper one.
EXAMPLES = int(os.environ.get("RAPPORT_TEST_GENERATED_READS", "500"))
# No explain phase: on Python 3.11 it traces every line, and explaining a failure would take minutes.
GENERATED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)


@pytest.mark.timeout(900)  # shrinking a failure replays it many times, two requests each
@pytest.mark.parametrize("team", [Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN], ids=lambda team: team.value)
@GENERATED
@given(data=st.data())
async def test_generated_reads_answer_the_same(world, team, data):
    diff, w = world
    document, variables, name = data.draw(operations(pools(w)), label="operation")
    executor, compiled = await diff.answers(document, variables, team, name)
    where = f"as {team.value}:\n{document}\nvariables: {variables}"
    assert compiled.status == executor.status, (executor.body, compiled.body, where)
    assert compiled.body == executor.body, f"{describe(executor.body, compiled.body)}\n{where}"
    if "errors" not in executor.body and not any(value in where for value in refused(w)):
        assert compiled.read_path == "compiled", (compiled.read_path, where)
