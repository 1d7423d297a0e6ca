"""A real headless Chromium with nothing downloaded when it runs: the browser tests' and `make screenshots`'.

The browser is npm's @sparticuz/chromium (pinned in package.json, installed by
`npm ci`), whose package holds the binary; its own executablePath() unpacks it.
Playwright (pyproject's dev extra) drives it by executable_path: no `playwright install`.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parents[1]
# What @sparticuz/chromium passes to its browser, less what only AWS Lambda needs: --single-process
# (and --no-zygote with it) is left out, as in one process a closed context takes the browser with it.
BROWSER_ARGS = ["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader"]


class NotInstalled(Exception):
    """@sparticuz/chromium is not installed: `npm ci` (part of `make install`) installs it."""


async def executable_path() -> str:
    """Where @sparticuz/chromium unpacked its browser (it unpacks on first use)."""
    script = "import('@sparticuz/chromium').then(async (m) => console.log(await m.default.executablePath()))"
    node = await asyncio.create_subprocess_exec(
        "node", "-e", script, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(node.communicate(), 120)
    if node.returncode != 0:
        raise NotInstalled(f"@sparticuz/chromium is not installed (npm ci): {err.decode()[-500:]}")
    return out.decode().strip().splitlines()[-1]


@contextlib.asynccontextmanager
async def chromium(path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=BROWSER_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            await browser.close()
