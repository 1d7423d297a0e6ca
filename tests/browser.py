"""A real headless Chromium for the browser tests, with nothing downloaded at test time.

The browser is npm's @sparticuz/chromium (pinned in package.json, installed by
`npm ci`), whose package holds the binary; its own executablePath() unpacks it.
Playwright (pyproject's dev extra) drives it by executable_path: no `playwright install`.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import ROOT

# What @sparticuz/chromium passes to its browser, less what only AWS Lambda needs: --single-process
# (and --no-zygote with it) is left out, as in one process a closed context takes the browser with it.
BROWSER_ARGS = ["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader"]


@pytest.fixture(scope="session")
async def chromium_path() -> str:
    script = "import('@sparticuz/chromium').then(async (m) => console.log(await m.default.executablePath()))"
    node = await asyncio.create_subprocess_exec(
        "node", "-e", script, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(node.communicate(), 120)
    assert node.returncode == 0, f"@sparticuz/chromium is not installed (npm ci): {err.decode()[-500:]}"
    return out.decode().strip().splitlines()[-1]


@contextlib.asynccontextmanager
async def chromium(path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=BROWSER_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            await browser.close()
