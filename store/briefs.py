"""What the AR rules read: open invoices with their dispute state, payments, and the
entries a call brief shows, each section in one query for a batch of accounts."""

from datetime import date, datetime
from uuid import UUID

import asyncpg

from domain.entries import CONVERSATION_KINDS
from store.entries import ENTRY_SELECT
from store.sql import INVOICE, USER, columns, group_by

# An invoice counts as disputed when its status says so or an open dispute names it. The lateral
# probe looks for that dispute per invoice through entry_invoices_invoice_idx: as an EXISTS under the
# OR, Postgres may hash every open dispute of every account instead (10 ms for a big account).
_DISPUTED = "(i.status = 'DISPUTED' OR named.dispute IS NOT NULL)"
_OPEN_DISPUTE_NAMING = """
LEFT JOIN LATERAL (
    SELECT d.id AS dispute FROM entry_invoices ei
      JOIN entries d ON d.account_id = ei.account_id AND d.id = ei.entry_id
     WHERE ei.account_id = i.account_id AND ei.invoice_id = i.id AND d.kind = 'DISPUTE'
       AND d.dispute_status = 'OPEN' AND d.deleted_at IS NULL AND ($2 OR d.visibility = 'ALL_TEAMS')
     LIMIT 1) named ON true
"""
# What domain.receivables.is_open counts as owed, in the words of the invoices_open_idx predicate.
_OWED = "i.status NOT IN ('PAID', 'VOID', 'WRITTEN_OFF', 'DRAFT') AND i.balance > 0"

# A promise not cancelled, with the deadline (entries_promise_deadline_idx's expression) compared to
# domain.promises.earliest_deadline_that_matters: only those can be OPEN or broken recently.
_PROMISE_THAT_MATTERS = "e.kind = 'PROMISE_TO_PAY' AND e.cancelled_at IS NULL"

RECENT_INTERACTIONS = 10


async def open_invoices(
    conn: asyncpg.Connection, account_ids: list[UUID], *, restricted: bool
) -> dict[UUID, list[asyncpg.Record]]:
    """Invoices still owed (not PAID, VOID or WRITTEN_OFF), oldest due first, with `disputed`."""
    rows = await conn.fetch(
        f"SELECT {columns('i', INVOICE)}, {_DISPUTED} AS disputed FROM invoices i {_OPEN_DISPUTE_NAMING}"
        " WHERE i.account_id = ANY($1::uuid[]) AND i.status NOT IN ('PAID', 'VOID', 'WRITTEN_OFF')"
        " ORDER BY i.due_on, i.number, i.id",
        account_ids,
        restricted,
    )
    return group_by(rows, "account_id")


async def owed_invoices(
    conn: asyncpg.Connection, account_id: UUID, *, restricted: bool
) -> list[asyncpg.Record]:
    """The invoices something is owed on (domain.receivables.is_open), oldest due first, with
    `disputed`: what the call brief ages, without the account's paid, void or draft history."""
    return await conn.fetch(
        f"SELECT {columns('i', INVOICE)}, {_DISPUTED} AS disputed FROM invoices i {_OPEN_DISPUTE_NAMING}"
        f" WHERE i.account_id = $1 AND {_OWED} ORDER BY i.due_on, i.number, i.id",
        account_id,
        restricted,
    )


async def payments(conn: asyncpg.Connection, account_ids: list[UUID]) -> dict[UUID, list[asyncpg.Record]]:
    rows = await conn.fetch(
        "SELECT account_id, received_on, amount, currency FROM payments"
        " WHERE account_id = ANY($1::uuid[]) ORDER BY received_on",
        account_ids,
    )
    return group_by(rows, "account_id")


async def payments_towards_promises(
    conn: asyncpg.Connection, account_id: UUID, deadlines_from: date
) -> list[asyncpg.Record]:
    """The payments received between the earliest day a promise `brief_entries` reads was recorded
    and its latest deadline, oldest first: all that can count towards those promises."""
    return await conn.fetch(
        f"""
        SELECT p.account_id, p.received_on, p.amount, p.currency
          FROM (SELECT min((e.recorded_at AT TIME ZONE 'UTC')::date) AS first,
                       max(e.promised_for + e.grace_days) AS last
                  FROM entries e
                 WHERE e.account_id = $1 AND e.deleted_at IS NULL AND {_PROMISE_THAT_MATTERS}
                   AND e.promised_for + e.grace_days >= $2) promised
          JOIN payments p ON p.account_id = $1 AND p.received_on BETWEEN promised.first AND promised.last
         ORDER BY p.received_on
        """,
        account_id,
        deadlines_from,
    )


async def invoice_promises_and_disputes(
    conn: asyncpg.Connection, invoice_ids: list[UUID], *, restricted: bool
) -> dict[UUID, list[asyncpg.Record]]:
    """Promises and disputes naming each invoice, newest first, keyed by invoice id."""
    links = await conn.fetch(
        "SELECT x.invoice_id, x.entry_id FROM entry_invoices x"
        " JOIN entries e ON e.account_id = x.account_id AND e.id = x.entry_id"
        " WHERE x.invoice_id = ANY($1::uuid[]) AND e.kind IN ('PROMISE_TO_PAY', 'DISPUTE')"
        " AND e.deleted_at IS NULL",
        invoice_ids,
    )
    rows = await conn.fetch(
        f"{ENTRY_SELECT} WHERE e.id = ANY($1::uuid[]) AND ($2 OR e.visibility = 'ALL_TEAMS')"
        " ORDER BY e.occurred_at DESC, e.id DESC",
        [link["entry_id"] for link in links],
        restricted,
    )
    by_entry = {row["id"]: row for row in rows}
    result: dict[UUID, list[asyncpg.Record]] = {}
    for link in links:
        if link["entry_id"] in by_entry:
            result.setdefault(link["invoice_id"], []).append(by_entry[link["entry_id"]])
    for entries in result.values():
        entries.sort(key=lambda row: (row["occurred_at"], row["id"]), reverse=True)
    return result


_NEWEST = "e.occurred_at DESC, e.id DESC"
# Each section: which entries, in what order, how many. `position` keeps that order in the result.
_SECTIONS = {
    "disputes": ("e.kind = 'DISPUTE' AND e.dispute_status = 'OPEN'", _NEWEST, None),
    "news": ("e.kind = 'NEWS' AND e.occurred_at > $3 AND e.occurred_at <= $4", _NEWEST, None),
    "interactions": ("e.kind = ANY($5::text[]) AND e.occurred_at <= $4", _NEWEST, RECENT_INTERACTIONS),
    "follow_ups": ("e.kind = 'FOLLOW_UP' AND NOT e.done", "e.due_at, e.id", None),
    "pinned": ("e.pinned", _NEWEST, None),
    "promises": (f"{_PROMISE_THAT_MATTERS} AND e.promised_for + e.grace_days >= $6", _NEWEST, None),
}
# What a caller may see: $2 is whether it sees RESTRICTED entries.
_VISIBLE = "e.deleted_at IS NULL AND ($2 OR e.visibility = 'ALL_TEAMS')"
_PICKED = " UNION ALL ".join(
    f"(SELECT '{name}' AS section, e.id, row_number() OVER (ORDER BY {order}) AS position FROM entries e"
    f" WHERE e.account_id = $1 AND {_VISIBLE} AND {where}"
    f" ORDER BY {order}{f' LIMIT {limit}' if limit else ''})"
    for name, (where, order, limit) in _SECTIONS.items()
)
# The invoices an entry names (as store.entries.invoices_of_entries orders them) and a follow-up's
# assignee (assigned_*) come along, so the brief needs no query for either.
_BRIEF_ENTRIES = f"""
SELECT p.section, x.*, {columns("assigned", USER, "assigned_")},
       array(SELECT i FROM entry_invoices ei
               JOIN invoices i ON i.account_id = ei.account_id AND i.id = ei.invoice_id
              WHERE ei.account_id = $1 AND ei.entry_id = x.id ORDER BY i.number, i.id) AS named_invoices
  FROM ({_PICKED}) p
 CROSS JOIN LATERAL ({ENTRY_SELECT} WHERE e.account_id = $1 AND e.id = p.id) x
  LEFT JOIN users assigned ON assigned.id = x.assignee_id
 ORDER BY p.section, p.position
"""


async def brief_entries(
    conn: asyncpg.Connection,
    account_id: UUID,
    *,
    restricted: bool,
    at: datetime,
    news_since: datetime,
    deadlines_from: date,
) -> dict[str, list[asyncpg.Record]]:
    """The entry sections of a call brief in one round trip: open disputes, recent news, the last
    interactions, open follow-ups, pinned entries, and the promises not cancelled whose deadline is
    on or after `deadlines_from` (the rules judge which count); each row with `named_invoices`, the
    invoices rows it names, and its assignee's columns prefixed `assigned_` (null without one)."""
    conversations = sorted(kind.value for kind in CONVERSATION_KINDS)
    rows = await conn.fetch(
        _BRIEF_ENTRIES, account_id, restricted, news_since, at, conversations, deadlines_from
    )
    sections: dict[str, list[asyncpg.Record]] = {name: [] for name in _SECTIONS}
    for row in rows:
        sections[row["section"]].append(row)
    return sections


async def follow_ups_naming_contacts(
    conn: asyncpg.Connection, account_ids: list[UUID], *, restricted: bool
) -> dict[UUID, list[asyncpg.Record]]:
    """The open follow-ups that name a contact, soonest due first: the brief's own section, for a
    batch of accounts, so a queue page can say whom to call without a brief per account."""
    where, order, _ = _SECTIONS["follow_ups"]
    rows = await conn.fetch(
        "SELECT e.account_id, e.contact_id, e.summary, e.due_at FROM entries e"
        f" WHERE e.account_id = ANY($1::uuid[]) AND {_VISIBLE} AND {where} AND e.contact_id IS NOT NULL"
        f" ORDER BY e.account_id, {order}",
        account_ids,
        restricted,
    )
    return group_by(rows, "account_id")
