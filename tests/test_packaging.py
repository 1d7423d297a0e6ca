"""Every room of the code reaches the installed package and the image, not just the checkout."""

import re
import tomllib

from tests.conftest import ROOT

OUTSIDE_THE_PACKAGE = {"tests", "bench"}


def rooms() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - OUTSIDE_THE_PACKAGE


def test_every_room_is_in_the_package():
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {f"{room}*" for room in rooms()} <= set(found["include"])


def test_every_room_is_copied_into_the_image():
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert rooms() <= copied
