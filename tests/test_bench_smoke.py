"""`make bench-smoke` inside `make test`: the benchmark harness runs end to end on a tiny dataset.

It runs under a name derived from this worker's database and index prefix, so it never
touches `rapport_bench`, another worker's data or a full benchmark running meanwhile.
"""

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.timeout(600)
def test_the_benchmark_harness_runs_every_scenario_without_errors(settings, tmp_path):
    name = f"{settings.meili_index_prefix}_bench"
    result = subprocess.run(
        [sys.executable, "-m", "bench.smoke", "--name", name, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=540,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    from bench import smoke  # here, not at the top: it loads matplotlib, which only this test needs

    assert smoke.check(tmp_path) == []
