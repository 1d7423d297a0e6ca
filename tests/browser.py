"""The browser tests' Chromium (scripts/browser.py), found once per session."""

import pytest

from scripts.browser import NotInstalled, executable_path


@pytest.fixture(scope="session")
async def chromium_path() -> str:
    try:
        return await executable_path()
    except NotInstalled as error:
        pytest.fail(str(error))
