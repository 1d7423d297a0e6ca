"""One database of its own for the differential tests, so `accounts` lists only this world."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from api import migrate
from api.settings import Settings
from domain.teams import Team
from schema import ids
from store.db import create_pool
from tests.compiled import dataset
from tests.compiled.harness import Differential, add_user, differential
from tests.conftest import create_database, drop_database

CURSORS = """
query($id: ID!, $invoice: ID!) {
  accounts(first: 100) { edges { cursor } }
  account(id: $id) {
    timeline(first: 100) { edges { cursor } }
    invoices(first: 100) { edges { cursor } }
  }
  node(id: $invoice) { ... on Invoice { timeline(first: 100) { edges { cursor } } } }
}
"""


class Setup:
    """The differential and its world; `diff, world = setup`. Short to print in a Hypothesis report."""

    def __init__(self, diff: Differential, world: dataset.World) -> None:
        self.diff, self.world = diff, world

    def __iter__(self) -> Iterator:
        return iter((self.diff, self.world))

    def __repr__(self) -> str:
        return f"Setup({self.diff.counts})"


@pytest.fixture(scope="session")
async def compiled_settings(settings: Settings) -> AsyncIterator[Settings]:
    name = f"{settings.meili_index_prefix}_compiled_{uuid.uuid4().hex[:6]}"
    url = await create_database(settings.database_url, name)
    await asyncio.to_thread(migrate.upgrade, url)
    yield replace(settings, database_url=url)
    await drop_database(settings.database_url, name)


@pytest.fixture(scope="session")
async def world(compiled_settings: Settings) -> AsyncIterator[Setup]:
    pool = await create_pool(compiled_settings.database_url, min_size=1, max_size=2)
    tokens, user_ids = {}, {}
    async with pool.acquire() as conn:
        for team in (Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN):
            user, token = await add_user(conn, team, f"{team.value.title()} {dataset.ODD[:14]}")
            tokens[team], user_ids[team] = token, ids.encode("User", user.id)
    await pool.close()
    async with differential(compiled_settings, tokens) as diff:
        world = await dataset.build(dataset.Writer(diff.off, tokens), user_ids)
        data = await diff.check(CURSORS, {"id": world.main, "invoice": world.invoices[0]}, compiled=None)
        data = data["data"]
        world.cursors = {
            "accounts": [e["cursor"] for e in data["accounts"]["edges"]],
            "timeline": [e["cursor"] for e in data["account"]["timeline"]["edges"]],
            "invoices": [e["cursor"] for e in data["account"]["invoices"]["edges"]],
            "invoice timeline": [e["cursor"] for e in data["node"]["timeline"]["edges"]],
        }
        yield Setup(diff, world)
