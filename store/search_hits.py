"""The rows behind a page of search hits, whatever their types, in one statement.

Meilisearch answers with document ids in rank order; each becomes one row here,
as Postgres holds it now: an entry with its author, contact and account (as
the timeline reads it), a contact or an invoice with its account, or an
account. A hit whose row is gone, or an entry the caller may not see, has no
row, so it is dropped rather than shown as the index remembers it.
"""

from uuid import UUID

import asyncpg

from store.sql import ACCOUNT, CONTACT, INVOICE, USER, columns

# The hit's own columns carry prefixes of their own: an entry's columns (`e.*`) have no prefix and
# already hold `account_id` and `contact_id`, equal to its account's and contact's ids but null for
# the other types of hit.
ACCOUNT_PREFIX = "hit_account_"
CONTACT_PREFIX = "hit_contact_"
INVOICE_PREFIX = "hit_invoice_"

_HITS = f"""
SELECT h.type AS hit_type, h.id AS hit_id,
       e.*,
       {columns("u", USER, "author_")},
       {columns("ec", CONTACT, "contact_")},
       coalesce(ec.time_zone, a.time_zone) AS contact_effective_time_zone,
       {columns("a", ACCOUNT, "account_")},
       {columns("a", ACCOUNT, ACCOUNT_PREFIX)},
       {columns("c", CONTACT, CONTACT_PREFIX)},
       coalesce(c.time_zone, a.time_zone) AS {CONTACT_PREFIX}effective_time_zone,
       {columns("i", INVOICE, INVOICE_PREFIX)}
  FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS h(type, id, n)
  LEFT JOIN entries e ON h.type = 'entry' AND e.id = h.id AND e.deleted_at IS NULL
                     AND ($3 OR e.visibility = 'ALL_TEAMS')
  LEFT JOIN contacts c ON h.type = 'contact' AND c.id = h.id
  LEFT JOIN invoices i ON h.type = 'invoice' AND i.id = h.id
  JOIN accounts a ON a.id = CASE h.type WHEN 'entry' THEN e.account_id
                                        WHEN 'contact' THEN c.account_id
                                        WHEN 'invoice' THEN i.account_id
                                        WHEN 'account' THEN h.id END
  LEFT JOIN users u ON u.id = e.author_id
  LEFT JOIN contacts ec ON ec.account_id = e.account_id AND ec.id = e.contact_id
 ORDER BY h.n
"""


async def hit_rows(
    conn: asyncpg.Connection, hits: list[tuple[str, UUID]], *, restricted: bool
) -> list[asyncpg.Record]:
    """One row per (type, id) hit that still exists and the caller may see, in the hits' order.

    `restricted` says the caller sees RESTRICTED entries; without it they have no row,
    whatever the index said.
    """
    if not hits:
        return []
    return await conn.fetch(_HITS, [t for t, _ in hits], [i for _, i in hits], restricted)
