"""What a sent message leaves behind: its OUTBOUND entry on the timeline, and its status.

The entry is written by the service itself (no author, team AR) through the
same path as any interaction, with the rendered subject and body and the
invoices the message covered; the message then points at it.
"""

import asyncpg

from domain.actors import Actor
from domain.commands.entries import InteractionDetail, NewEntry
from domain.entries import Direction, EntryKind
from domain.teams import Team
from domain.validation import BODY_MAX, SUMMARY_MAX
from services.entries import new_entry
from store import changes, deliveries

SERVICE = Actor(user_id=None, team=Team.AR)
_KINDS = {"EMAIL": EntryKind.EMAIL, "LETTER": EntryKind.LETTER, "SMS": EntryKind.SMS}


async def record_sent(conn: asyncpg.Connection, row: asyncpg.Record, reason: str) -> None:
    subject = (row["subject"] or f"{row['channel'].title()} to the customer").strip()
    entry_id = await new_entry(
        conn,
        SERVICE,
        NewEntry(
            account_id=row["account_id"],
            detail=InteractionDetail(kind=_KINDS[row["channel"]], direction=Direction.OUTBOUND),
            summary=subject[:SUMMARY_MAX],
            body=row["body"][:BODY_MAX] or None,
            contact_id=row["contact_id"],
            invoice_ids=tuple(row["invoice_ids"]),
            tags=("dunning",) if row["kind"] == "DUNNING" else ("thank-you",),
        ),
    )
    await deliveries.sent(conn, row, entry_id, reason)
    await changes.audit(
        conn,
        actor_id=None,
        action="sendMessage",
        entity_type="outbound_message",
        entity_id=row["id"],
        account_id=row["account_id"],
        after={"status": "SENT", "messageId": row["message_id"]},
    )
