"""The rows search documents are built from, by id (the worker) or in batches (reindex).

Each query returns exactly what a document needs, with the account name,
contact name and invoice numbers joined in, so one query serves a whole batch.
"""

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg

_ENTRY = """
SELECT e.id, e.account_id, e.kind, e.team, e.tags, e.visibility, e.occurred_at, e.summary, e.body,
       a.name AS account_name, c.name AS contact_name,
       coalesce((SELECT array_agg(i.number ORDER BY i.number)
                   FROM entry_invoices ei
                   JOIN invoices i ON i.account_id = ei.account_id AND i.id = ei.invoice_id
                  WHERE ei.account_id = e.account_id AND ei.entry_id = e.id), '{}') AS invoice_numbers
  FROM entries e
  JOIN accounts a ON a.id = e.account_id
  LEFT JOIN contacts c ON c.account_id = e.account_id AND c.id = e.contact_id
 WHERE e.deleted_at IS NULL
"""
_ACCOUNT = (
    "SELECT a.id, a.id AS account_id, a.name AS account_name, a.tags, a.status, a.updated_at FROM accounts a"
)
_CONTACT = """
SELECT c.id, c.account_id, a.name AS account_name, c.name, c.title, c.email, c.phone, c.updated_at
  FROM contacts c JOIN accounts a ON a.id = c.account_id
"""
_INVOICE = """
SELECT i.id, i.account_id, a.name AS account_name, i.number, i.status, i.currency, i.total, i.balance,
       i.due_on, i.updated_at
  FROM invoices i JOIN accounts a ON a.id = i.account_id
"""

QUERIES = {"entry": _ENTRY, "account": _ACCOUNT, "contact": _CONTACT, "invoice": _INVOICE}
_ALIAS = {"entry": "e", "account": "a", "contact": "c", "invoice": "i"}


def _where(entity_type: str, clause: str) -> str:
    query = QUERIES[entity_type]
    return f"{query} {'AND' if 'WHERE' in query else 'WHERE'} {clause}"


async def rows_by_ids(conn: asyncpg.Connection, entity_type: str, ids: list[UUID]) -> list[asyncpg.Record]:
    """The live rows among `ids`; a deleted or missing one is simply absent."""
    alias = _ALIAS[entity_type]
    return await conn.fetch(_where(entity_type, f"{alias}.id = ANY($1::uuid[])"), ids)


async def all_rows(
    conn: asyncpg.Connection, entity_type: str, batch: int
) -> AsyncIterator[list[asyncpg.Record]]:
    """Every live row of a type, in id order, `batch` rows at a time (keyset, no OFFSET)."""
    alias = _ALIAS[entity_type]
    after = UUID(int=0)
    query = _where(entity_type, f"{alias}.id > $1 ORDER BY {alias}.id LIMIT $2")
    while True:
        rows = await conn.fetch(query, after, batch)
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]


async def count_rows(conn: asyncpg.Connection) -> dict[str, int]:
    row = await conn.fetchrow(
        """
        SELECT (SELECT count(*) FROM entries WHERE deleted_at IS NULL) AS entry,
               (SELECT count(*) FROM accounts) AS account,
               (SELECT count(*) FROM contacts) AS contact,
               (SELECT count(*) FROM invoices) AS invoice
        """
    )
    return dict(row)


async def account_ids_of(conn: asyncpg.Connection, account_id: UUID) -> dict[str, list[UUID]]:
    """The ids of every indexed row of one account, by type (for a rename)."""
    rows = await conn.fetch(
        """
        SELECT 'entry' AS t, id FROM entries WHERE account_id = $1 AND deleted_at IS NULL
        UNION ALL SELECT 'contact', id FROM contacts WHERE account_id = $1
        UNION ALL SELECT 'invoice', id FROM invoices WHERE account_id = $1
        """,
        account_id,
    )
    result: dict[str, list[UUID]] = {}
    for row in rows:
        result.setdefault(row["t"], []).append(row["id"])
    return result
