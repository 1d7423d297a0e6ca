"""A stored entry row, joined with its author, contact and account, as its typed entry."""

import asyncpg
import strawberry

from domain.entries import INTERACTION_KINDS, EntryKind
from schema import ids
from schema.types.entries.billing import InvoiceStatusChange, PaymentReceived
from schema.types.entries.common import TimelineEntry
from schema.types.entries.conversation import CustomerNews, Interaction, Note
from schema.types.entries.dispute import Dispute
from schema.types.entries.enums import Visibility
from schema.types.entries.follow_up import FollowUp
from schema.types.entries.plan import PaymentPlan
from schema.types.entries.promise import PromiseToPay
from schema.types.user import Team, User
from store import entries

TYPE_OF_KIND: dict[EntryKind, type[TimelineEntry]] = {
    EntryKind.NOTE: Note,
    **dict.fromkeys(INTERACTION_KINDS, Interaction),
    EntryKind.NEWS: CustomerNews,
    EntryKind.PROMISE_TO_PAY: PromiseToPay,
    EntryKind.DISPUTE: Dispute,
    EntryKind.PAYMENT_PLAN: PaymentPlan,
    EntryKind.INVOICE_STATUS: InvoiceStatusChange,
    EntryKind.PAYMENT: PaymentReceived,
    EntryKind.FOLLOW_UP: FollowUp,
}
ENTRY_TYPES: tuple[type, ...] = tuple(dict.fromkeys(TYPE_OF_KIND.values()))


def entry_from_row(row: asyncpg.Record, invoice_rows: list[asyncpg.Record]) -> TimelineEntry:
    """The typed entry for a joined timeline row and its invoices."""
    from schema.types.account import Account
    from schema.types.contact import Contact
    from schema.types.invoice import Invoice

    kind = EntryKind(row["kind"])
    cls = TYPE_OF_KIND[kind]
    return cls(
        id=strawberry.ID(ids.encode("Entry", row["id"])),
        account=Account.from_row(row, "account_"),
        kind=kind,
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        author=User.from_row(row, "author_") if row["author_id"] else None,
        team=Team(row["team"]),
        summary=row["summary"],
        body=row["body"],
        contact=Contact.from_row(row, "contact_") if row["contact_id"] else None,
        invoices=[Invoice.from_row(invoice) for invoice in invoice_rows],
        tags=list(row["tags"]),
        pinned=row["pinned"],
        visibility=Visibility(row["visibility"]),
        revision=row["revision"],
        entry_id=row["id"],
        **cls.details(row),
    )


async def entries_with_invoices(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[TimelineEntry]:
    invoices = await entries.invoices_of_entries(conn, [row["id"] for row in rows])
    return [entry_from_row(row, invoices.get(row["id"], [])) for row in rows]
