"""The import direction of docs/design.md (the "Layout" section), checked by a program, not by memory.

Each room may import only the rooms listed for it; api/ is the edge and may
import any room, and no room imports api/. Tests and bench are outside the rooms.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("api", "schema", "compiler", "services", "jobs", "search", "store", "domain")
MAY_IMPORT = {
    "api": set(ROOMS),
    "schema": {"compiler", "services", "search", "store", "domain"},
    "compiler": {"store", "domain"},
    "services": {"search", "store", "domain"},
    "jobs": {"services", "search", "store", "domain"},
    "search": {"store", "domain"},
    "store": {"domain"},
    "domain": set(),
}


def imported_rooms(path: Path) -> set[tuple[str, int]]:
    """Every room a module imports, with the line, whether at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in ROOMS}
    return found


@pytest.mark.parametrize("room", ROOMS)
def test_a_room_imports_only_the_rooms_below_it(room: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {other}/"
        for path in sorted((ROOT / room).rglob("*.py"))
        for other, line in sorted(imported_rooms(path))
        if other != room and other not in MAY_IMPORT[room]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from schema.ids import encode\n")
    assert ("schema", 2) in imported_rooms(module)
