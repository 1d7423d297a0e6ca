"""What the dunning planner reads, a batch of accounts at a time, and converts to domain facts.

Each section is one query for the whole batch, so planning 10,000 accounts is
a few dozen round trips, not tens of thousands.
"""

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from domain import dunning
from domain.risk import FINANCIAL_NEWS, NEWS_LOOKBACK_DAYS
from store import briefs, contacts, messages
from store.facts import payment_facts, promise_fact, window_rules
from store.sql import group_by, literals

_OWED = "status NOT IN ('PAID', 'VOID', 'WRITTEN_OFF') AND balance > 0"


async def accounts_owing(
    conn: asyncpg.Connection, after: UUID | None, limit: int, only: UUID | None = None
) -> list[UUID]:
    """Accounts with money owed, in id order (keyset batches)."""
    rows = await conn.fetch(
        f"SELECT DISTINCT account_id FROM invoices WHERE {_OWED}"
        " AND ($1::uuid IS NULL OR account_id > $1) AND ($3::uuid IS NULL OR account_id = $3)"
        " ORDER BY account_id LIMIT $2",
        after,
        limit,
        only,
    )
    return [row["account_id"] for row in rows]


async def facts(
    conn: asyncpg.Connection, account_ids: list[UUID], at: datetime
) -> dict[UUID, dunning.AccountFacts]:
    owed = await briefs.open_invoices(conn, account_ids, restricted=True)
    people = await contacts.contacts_of_accounts(conn, account_ids)
    windows = await contacts.windows_of_contacts(conn, [p["id"] for ps in people.values() for p in ps])
    paid = await briefs.payments(conn, account_ids)
    promised = group_by(
        await conn.fetch(
            "SELECT account_id, amount, currency, promised_for, grace_days, recorded_at, cancelled_at"
            " FROM entries WHERE account_id = ANY($1::uuid[]) AND kind = 'PROMISE_TO_PAY'"
            " AND deleted_at IS NULL ORDER BY account_id, occurred_at",
            account_ids,
        ),
        "account_id",
    )
    news = group_by(
        await conn.fetch(
            "SELECT account_id, category, summary, occurred_at FROM entries"
            " WHERE account_id = ANY($1::uuid[]) AND kind = 'NEWS'"
            f" AND category IN ({literals(FINANCIAL_NEWS)})"
            " AND deleted_at IS NULL AND occurred_at > $2 AND occurred_at <= $3",
            account_ids,
            at - timedelta(days=NEWS_LOOKBACK_DAYS),
            at,
        ),
        "account_id",
    )
    settings = await messages.account_dunning(conn, account_ids)
    result = {}
    for account_id in account_ids:
        setting = settings.get(account_id)
        result[account_id] = dunning.AccountFacts(
            invoices=[
                dunning.OpenInvoice(
                    id=row["id"],
                    number=row["number"],
                    due_on=row["due_on"],
                    balance=row["balance"],
                    currency=row["currency"],
                    disputed=row["disputed"],
                )
                for row in owed.get(account_id, [])
            ],
            people=[
                dunning.Person(
                    id=p["id"],
                    name=p["name"],
                    email=p["email"],
                    roles=tuple(p["roles"]),
                    do_not_contact=p["do_not_contact"],
                    language=p["language"],
                    time_zone=p["effective_time_zone"],
                    windows=tuple(window_rules(windows.get(p["id"], []))),
                )
                for p in people.get(account_id, [])
            ],
            promises=[promise_fact(row) for row in promised.get(account_id, [])],
            payments=payment_facts(paid.get(account_id, [])),
            financial_news=[
                dunning.News(category=n["category"], summary=n["summary"], occurred_at=n["occurred_at"])
                for n in news.get(account_id, [])
            ],
            paused_until=setting["paused_until"] if setting else None,
            pause_reason=setting["pause_reason"] if setting else None,
        )
    return result


async def account_policies(conn: asyncpg.Connection, account_ids: list[UUID]) -> dict[UUID, UUID | None]:
    settings = await messages.account_dunning(conn, account_ids)
    return {a: settings[a]["policy_id"] if a in settings else None for a in account_ids}


async def account_names(conn: asyncpg.Connection, account_ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT a.id, a.name, u.name AS owner_name, u.email AS owner_email FROM accounts a"
        " LEFT JOIN users u ON u.id = a.owner_id WHERE a.id = ANY($1::uuid[])",
        account_ids,
    )
    return {row["id"]: row for row in rows}
