"""The jobs loop the worker runs beside the index worker: plan dunning hourly, deliver every few seconds."""

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

import asyncpg

from domain.actors import Actor
from domain.teams import Team
from jobs.delivery import deliver_due
from jobs.mail import Mailer
from services.dunning import Templates, plan_accounts, plan_thanks
from store import dunning as facts_store

log = logging.getLogger("rapport.jobs")

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
        next_plan = 0.0
        while not self.stopping.is_set():
            try:
                if time.monotonic() >= next_plan:
                    planned = await plan_all(self.pool, datetime.now(UTC), self.link_base)
                    log.info("dunning planned %d messages", planned)
                    next_plan = time.monotonic() + PLAN_EVERY_SECONDS
                if self.mailer is not None:
                    while await deliver_due(self.pool, self.mailer):
                        pass
            except Exception:
                log.exception("jobs round failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), DELIVER_EVERY_SECONDS)

    def stop(self) -> None:
        self.stopping.set()
