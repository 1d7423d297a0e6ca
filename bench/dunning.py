"""The dunning planner over the bench dataset: every account owing money (1x), then a tenth of them
(0.1x), each timed inside a transaction that is rolled back, so the dataset is left as it was.

A template and a default policy (+7, +21, +45 with approval) are made inside the same transaction.
Linear scaling means the 1x run takes about ten times the 0.1x run.
"""

import time
from datetime import UTC, datetime

import asyncpg

from domain.actors import Actor
from domain.teams import Team
from services.dunning import Templates, plan_accounts
from store import dunning as facts_store
from store import messages

BATCH = 500
PLANNER = Actor(user_id=None, team=Team.AR)
BODY = "Dear {{ contact.name }},\n" + "{% for i in invoices %}{{ i.number }}: {{ i.amount }}\n{% endfor %}"
STEPS = [
    {"offsetDays": 7, "templateName": "bench-reminder", "requiresApproval": False},
    {"offsetDays": 21, "templateName": "bench-reminder", "requiresApproval": False},
    {"offsetDays": 45, "templateName": "bench-reminder", "requiresApproval": True},
]


async def _run(conn: asyncpg.Connection, account_ids: list, at: datetime) -> tuple[float, int]:
    async with conn.transaction():
        await conn.execute("DELETE FROM account_dunning")
        await conn.execute("UPDATE dunning_policies SET is_default = false")
        await messages.save_template(
            conn,
            None,
            {
                "name": "bench-reminder",
                "language": "en",
                "channel": "EMAIL",
                "subject": "Reminder",
                "body": BODY,
            },
            None,
        )
        await messages.save_policy(conn, None, f"bench-{time.time_ns()}", True, STEPS)
        found = await Templates.load(conn)
        started = time.perf_counter()
        planned = 0
        for i in range(0, len(account_ids), BATCH):
            planned += len(await plan_accounts(conn, PLANNER, at, account_ids[i : i + BATCH], found))
        seconds = time.perf_counter() - started
        raise _RollBack(seconds, planned)


class _RollBack(Exception):
    def __init__(self, seconds: float, planned: int) -> None:
        super().__init__("rolled back")
        self.seconds, self.planned = seconds, planned


async def planner_times(database_url: str) -> dict:
    conn = await asyncpg.connect(database_url)
    try:
        owing, after = [], None
        while batch := await facts_store.accounts_owing(conn, after, 10_000):
            owing += batch
            after = batch[-1]
        at = datetime.now(UTC)
        result: dict = {"accounts_owing": len(owing)}
        for label, ids in (("1x", owing), ("0.1x", owing[: max(1, len(owing) // 10)])):
            try:
                await _run(conn, ids, at)
            except _RollBack as done:
                result[label] = {
                    "accounts": len(ids),
                    "seconds": round(done.seconds, 2),
                    "planned": done.planned,
                    "ms_per_account": round(1000 * done.seconds / max(1, len(ids)), 3),
                }
        return result
    finally:
        await conn.close()
