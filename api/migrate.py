"""Alembic, driven from code so `rapport migrate` works from any directory.

Alembic (and SQLAlchemy under it) is imported only to migrate: the server and
the readiness check need just the head revision, which the migration files
state as plain assignments, and the two libraries would add some 20 MB to each
server process.
"""

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def _config(database_url: str) -> "Config":
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    rest = database_url.split("://", 1)[1]
    # '%' is ConfigParser's interpolation character; URL-escaped passwords contain it.
    config.set_main_option("sqlalchemy.url", f"postgresql+asyncpg://{rest}".replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(_config(database_url), revision)


def _revisions(path: Path) -> tuple[str, str | None]:
    """A migration file's `revision` and `down_revision`, read without running it."""
    found = {
        target.id: node.value.value
        for node in ast.parse(path.read_text(), str(path)).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision")
    }
    return found["revision"], found.get("down_revision")


@cache
def head_revision() -> str:
    """The one revision no other migration follows (tests/test_migrations.py holds it to alembic's)."""
    pairs = [_revisions(path) for path in sorted((MIGRATIONS / "versions").glob("*.py"))]
    heads = {revision for revision, _ in pairs} - {down for _, down in pairs}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()
