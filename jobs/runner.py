"""The jobs loop the worker runs beside the index worker: move the receivables summary to the new
day within a minute of midnight UTC, notice broken promises every few minutes, plan dunning hourly,
deliver every few seconds. A job that fails is tried again at its next turn;
the others keep their turns."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from datetime import UTC, datetime

import asyncpg

from domain.actors import Actor
from domain.teams import Team
from jobs import receivables_day
from jobs.delivery import deliver_due
from jobs.mail import Mailer
from jobs.promise_breaks import run_pass
from services.dunning import Templates, plan_accounts, plan_thanks
from store import dunning as facts_store

log = logging.getLogger("rapport.jobs")

SUMMARY_DAY_EVERY_SECONDS = 60  # one SELECT when the day has not turned
PROMISES_EVERY_SECONDS = 300  # a promise's deadline is a day: noticing within minutes is soon enough
PLAN_EVERY_SECONDS = 3600
DELIVER_EVERY_SECONDS = 5.0
# The planner acts as the system: it writes for AR, and its audit rows name no user.
PLANNER = Actor(user_id=None, team=Team.AR)


async def plan_all(pool: asyncpg.Pool, at: datetime, link_base: str | None = None, batch: int = 500) -> int:
    """Plan every account owing money, one transaction per batch, so a long run holds no long locks."""
    planned = 0
    after = None
    async with pool.acquire() as conn:
        found = await Templates.load(conn)
        while ids := await facts_store.accounts_owing(conn, after, batch):
            async with conn.transaction():
                planned += len(await plan_accounts(conn, PLANNER, at, ids, found, link_base))
            after = ids[-1]
        async with conn.transaction():
            planned += len(await plan_thanks(conn, PLANNER, at, found))
    return planned


class JobRunner:
    def __init__(self, pool: asyncpg.Pool, mailer: Mailer | None, link_base: str | None = None) -> None:
        self.pool = pool
        self.mailer = mailer
        self.link_base = link_base
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        next_promises = next_plan = next_day = 0.0
        while not self.stopping.is_set():
            if time.monotonic() >= next_day:
                next_day = time.monotonic() + SUMMARY_DAY_EVERY_SECONDS
                await self._turn(
                    "receivables summary day", receivables_day.run_pass(self.pool, datetime.now(UTC).date())
                )
            if time.monotonic() >= next_promises:
                next_promises = time.monotonic() + PROMISES_EVERY_SECONDS
                await self._turn("broken-promise pass", run_pass(self.pool, datetime.now(UTC).date()))
            if time.monotonic() >= next_plan:
                next_plan = time.monotonic() + PLAN_EVERY_SECONDS
                planned = await self._turn(
                    "dunning planner", plan_all(self.pool, datetime.now(UTC), self.link_base)
                )
                if planned is not None:
                    log.info("dunning planned %d messages", planned)
            if self.mailer is not None:
                await self._turn("delivery", self._deliver_all())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), DELIVER_EVERY_SECONDS)

    async def _deliver_all(self) -> None:
        while await deliver_due(self.pool, self.mailer):
            pass

    @staticmethod
    async def _turn(name: str, job: Coroutine) -> object:
        try:
            return await job
        except Exception:
            log.exception("the %s failed; trying again at its next turn", name)
            return None

    def stop(self) -> None:
        self.stopping.set()
