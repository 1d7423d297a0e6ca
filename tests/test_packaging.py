"""Every room of the code reaches the installed package and the image, not just the checkout."""

import re
import tomllib

from tests.conftest import ROOT

OUTSIDE_THE_PACKAGE = {"tests", "bench", "scripts"}  # tools that run in a checkout, not the api


def rooms() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - OUTSIDE_THE_PACKAGE


def test_every_room_is_in_the_package():
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {f"{room}*" for room in rooms()} <= set(found["include"])


def test_every_room_is_copied_into_the_image():
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert rooms() <= copied


def test_the_image_holds_the_console_and_graphiql_files_where_the_api_looks():
    """The api reads web/dist and node_modules beside its sources, so the image installs in place
    (editable) and copies them from the build stage; a new npm package GraphiQL needs shows here."""
    from api import console, graphiql

    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    copied = set(re.findall(r"^COPY --from=web /app/(\S+) (\S+)$", final_stage, re.MULTILINE))
    needed = {console.BUILD.relative_to(ROOT).as_posix()} | {
        path.relative_to(ROOT).parts[0] + "/" + path.relative_to(ROOT).parts[1]
        for path in graphiql.ASSETS.values()
        if path.is_relative_to(graphiql.NODE_MODULES)
    }
    assert {(path, path) for path in needed} <= copied
    assert re.search(r"^RUN pip install [^\n]*-e \.", final_stage, re.MULTILINE)
