"""What a server process imports: each library it holds costs every worker its memory, idle or not.

`rapport serve` runs RAPPORT_WORKERS processes; issue #16 measured 104 MB each
at idle. Migrating (alembic, SQLAlchemy), identity-provider JWTs when none is
configured, the test and bench tools: none of them belongs in a worker.
"""

import subprocess
import sys

from tests.conftest import ROOT

# Imported by the processes `rapport serve` starts: the app, and the command line the spawn re-reads.
SERVER = "import api.app, api.cli, api.serving"
ABSENT = (
    "alembic",
    "sqlalchemy",
    "jwt",
    "cryptography",
    "hypothesis",
    "pytest",
    "playwright",
    "locust",
    "numpy",
    "matplotlib",
    "pyinstrument",
    "psutil",
)


def imported(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(done.stdout.split())


def test_a_server_process_imports_none_of_the_heavy_libraries_it_does_not_use():
    assert imported(SERVER) & set(ABSENT) == set()


def test_the_check_sees_a_library_where_it_is_used():
    assert {"alembic", "sqlalchemy"} <= imported("import api.migrate, alembic.command")
