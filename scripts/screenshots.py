"""`make screenshots`: the README's pictures of the console, taken from the demo story as a new user
sees it after `make run` (Ada Lindqvist's queue, Northwind's brief and timeline, ...), not from the
browser tests' throwaway data.

Run inside `rapport stack`: every step is the command a user would type, against a database and an
index prefix of its own, dropped at the end, so the dev data is neither read nor touched:
`rapport migrate`, `rapport demo`, `rapport serve` beside `rapport worker` (the two halves of
`make run`), and `rapport tokens issue` for Ada, the demo's AR specialist. A page is saved once the
data it shows are on it, never after a fixed sleep.

    .venv/bin/rapport stack -- .venv/bin/python -m scripts.screenshots [FOLDER]
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from playwright.async_api import Browser, Locator, Page, expect

from api import settings as settings_module
from api.demo_story import USERS
from scripts.browser import ROOT, chromium, executable_path
from scripts.ready import wait_ready
from search.client import create_client
from store.outbox import status as outbox_status

SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
RAPPORT = Path(sys.executable).with_name("rapport")
# The account with the richest brief: sales heard it is downsizing, its promise broke, service logged
# a ticket, and Ada has a follow-up on it.
ACCOUNT = "Northwind Traders"
# A word of the story that finds entries on several accounts: the promises to pay.
SEARCH = "promised"
READY_SECONDS = 60
SHOWN_MS = 30_000  # how long a page may take to show its data on a busy machine (Playwright's default: 5 s)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rapport(env: dict[str, str], *args: str) -> str:
    """One `rapport` command, as typed; its output, or its output in the exception when it fails."""
    done = subprocess.run(  # noqa: S603
        [RAPPORT, *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"rapport {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def running(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen]:
    """A long-running `rapport` command (serve, worker), stopped as Ctrl-C would, at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [RAPPORT, *args], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, server: subprocess.Popen, log: Path) -> None:
    if not wait_ready(url, server, READY_SECONDS):
        raise RuntimeError(f"rapport serve did not become ready: {log.read_text()[-2000:]}")


async def _wait_indexed(database_url: str) -> None:
    """Until the worker has drained the outbox: everything the demo wrote is searchable."""
    conn = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + READY_SECONDS * 3
        while (queue := await outbox_status(conn)).pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker left {queue.pending} outbox rows: {queue.last_error}")
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def scratch(settings: settings_module.Settings) -> AsyncIterator[tuple[str, str]]:
    """A database and an index prefix of their own, dropped at the end: (DATABASE_URL, prefix)."""
    name = f"rapport_shots_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield urlunsplit(urlsplit(settings.database_url)._replace(path=f"/{name}")), name
    finally:
        conn = await asyncpg.connect(settings.database_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        client = create_client(settings.meili_url, settings.meili_master_key, 30)
        try:
            for index in await client.get_indexes(limit=1000) or []:
                if index.uid.startswith(name):
                    await client.index(index.uid).delete()
        finally:
            await client.aclose()


async def _settled(page: Page) -> None:
    """Fonts loaded and two frames painted since the last change of size or content."""
    await page.evaluate(
        "document.fonts.ready.then(() => new Promise((done) => "
        "requestAnimationFrame(() => requestAnimationFrame(done))))"
    )


async def shot(page: Page, folder: Path, name: str, shown: Locator, *, top: Locator | None = None) -> None:
    """`name`-desk.png and `name`-phone.png, each once `shown` is on the page at that size.

    From the top of the page, or of `top` (scrolled to), and at most two screens tall: enough to
    show the page, and a README table row keeps its height.
    """
    for label, size in SIZES.items():
        await page.set_viewport_size(size)
        await expect(shown).to_be_visible()
        if top is not None:
            await top.evaluate("(e) => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }")
        await _settled(page)
        start, height = await page.evaluate(
            "[Math.round(window.scrollY), document.documentElement.scrollHeight]"
        )
        clip = {"x": 0, "y": start, "width": size["width"], "height": min(height - start, 2 * size["height"])}
        await page.screenshot(path=folder / f"{name}-{label}.png", full_page=True, clip=clip)
        print(f"saved {folder / f'{name}-{label}.png'}")
    await page.set_viewport_size(SIZES["desk"])


async def pages(browser: Browser, origin: str, token: str, folder: Path) -> None:
    """Every page of the console, in the order a collector meets them."""
    context = await browser.new_context(viewport=SIZES["desk"])
    page = await context.new_page()
    try:
        await page.goto(f"{origin}/app/")
        await shot(page, folder, "sign-in", page.get_by_role("heading", name="Sign in to Rapport"))

        await page.goto(f"{origin}/app/#token={token}")
        queue = page.locator(".queue li")
        await expect(queue.first).to_be_visible()
        await expect(page.get_by_role("link", name=ACCOUNT)).to_be_visible()
        await shot(page, folder, "queue", queue.last)

        await page.get_by_role("link", name=ACCOUNT).click()
        brief = page.locator(".brief")
        await expect(brief).to_contain_text("Leeds plant")  # the downsizing news sales logged
        entries = page.locator(".entries .entry")
        await expect(entries.first).to_be_visible()
        await shot(page, folder, "account", entries.last)

        await page.get_by_role("link", name="Search").click()
        await page.get_by_label("Search accounts, contacts, invoices and entries").fill(SEARCH)
        hits = page.locator(".hits li")
        promise = hits.filter(has_text=f"{ACCOUNT}: Promise to pay")
        await expect(promise).to_be_visible()
        await shot(page, folder, "search", hits.last)

        await promise.get_by_role("link").click()  # shown above the account's timeline
        found = page.locator(".found")
        await expect(found).to_contain_text("promised to pay NW-1041")
        await expect(page.locator(".entries .entry").first).to_be_visible()
        await shot(page, folder, "timeline", found, top=page.get_by_role("heading", name="Timeline"))

        await page.get_by_role("link", name="My day").click()
        day = page.locator(".myday")
        worklist = day.locator(".queue li").or_(day.get_by_text("Nothing due today."))
        await expect(worklist.first).to_be_visible()
        inbox = day.locator(".inbox li").or_(day.get_by_text("Your inbox is empty."))
        await expect(inbox.first).to_be_visible()
        await shot(page, folder, "my-day", inbox.last)

        await page.get_by_role("link", name="Messages to review").click()
        waiting = page.locator("article").or_(page.get_by_text("No message waits for you."))
        await expect(waiting.first).to_be_visible()
        await shot(page, folder, "review", waiting.last)
    finally:
        await context.close()


async def main(folder: Path) -> None:
    expect.set_options(timeout=SHOWN_MS)
    settings = settings_module.load()
    async with scratch(settings) as (database_url, prefix):
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "MEILI_INDEX_PREFIX": prefix, "PORT": str(port)}
        rapport(env, "migrate")
        rapport(env, "demo")
        token = rapport(env, "tokens", "issue", USERS["ada"].email, "--label", "screenshots").split()[-1]
        with (
            tempfile.TemporaryDirectory(prefix="rapport-screenshots-") as logged,
            running(env, Path(logged, "worker.log"), "worker"),
            running(env, Path(logged, "serve.log"), "serve") as server,
        ):
            origin = f"http://127.0.0.1:{port}"
            await asyncio.to_thread(_wait_ready, origin, server, Path(logged, "serve.log"))
            await _wait_indexed(database_url)
            async with chromium(await executable_path()) as browser:
                await pages(browser, origin, token, folder)


if __name__ == "__main__":
    asyncio.run(main(ROOT / (sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
