"""Timeline entries: the TimelineEntry interface and one type per family of kinds.

Entries are built from the joined timeline row (author, contact and account in
the same row) with plain fields, so a page resolves without further queries
but one for the invoices of the whole page.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry

from domain import promises
from domain.entries import EntryKind as EntryKindValue
from schema import ids, pagination
from schema.moments import bound, day
from schema.types.common import Money, PageInfo, page_info
from schema.types.node import Node
from schema.types.user import Team, User
from store import entries

if TYPE_CHECKING:
    from schema.types.account import Account
    from schema.types.contact import Contact
    from schema.types.invoice import Invoice, InvoiceStatus

EntryKind = strawberry.enum(EntryKindValue, name="EntryKind")
PromiseStatus = strawberry.enum(
    promises.PromiseStatus,
    name="PromiseStatus",
    description="CANCELLED if cancelled; KEPT if payments from recordedAt up to promisedFor + graceDays "
    "cover the amount; BROKEN once past that date unpaid; else OPEN.",
)
AccountRef = Annotated["Account", strawberry.lazy("schema.types.account")]
ContactRef = Annotated["Contact", strawberry.lazy("schema.types.contact")]
InvoiceRef = Annotated["Invoice", strawberry.lazy("schema.types.invoice")]


@strawberry.enum(description="RESTRICTED: AR and ADMIN only, everywhere.")
class Visibility(Enum):
    ALL_TEAMS = "ALL_TEAMS"
    RESTRICTED = "RESTRICTED"


@strawberry.enum
class Direction(Enum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


@strawberry.enum
class InteractionOutcome(Enum):
    REACHED = "REACHED"
    LEFT_MESSAGE = "LEFT_MESSAGE"
    NO_ANSWER = "NO_ANSWER"
    WRONG_CONTACT = "WRONG_CONTACT"
    BOUNCED = "BOUNCED"


@strawberry.enum
class NewsCategory(Enum):
    DOWNSIZING = "DOWNSIZING"
    EXPANSION = "EXPANSION"
    LEADERSHIP_CHANGE = "LEADERSHIP_CHANGE"
    MERGER_ACQUISITION = "MERGER_ACQUISITION"
    FINANCIAL_DIFFICULTY = "FINANCIAL_DIFFICULTY"
    RELOCATION = "RELOCATION"
    OTHER = "OTHER"


@strawberry.enum
class DisputeReason(Enum):
    PRICING = "PRICING"
    QUANTITY = "QUANTITY"
    QUALITY = "QUALITY"
    NOT_RECEIVED = "NOT_RECEIVED"
    DUPLICATE_BILLING = "DUPLICATE_BILLING"
    BILLING_ERROR = "BILLING_ERROR"
    OTHER = "OTHER"


@strawberry.enum
class DisputeStatus(Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"


@strawberry.type(description="An earlier version of an entry's text.")
class EntryRevision:
    revision: int
    summary: str
    body: str | None
    tags: list[str]
    edited_by: User | None
    edited_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "EntryRevision":
        return cls(
            revision=row["revision"],
            summary=row["summary"],
            body=row["body"],
            tags=list(row["tags"]),
            edited_by=User.from_row(row, "editor_") if row["editor_id"] else None,
            edited_at=row["edited_at"],
        )


@strawberry.interface(description="Something that happened with a customer, on its timeline.")
class TimelineEntry(Node):
    account: AccountRef
    kind: EntryKind
    occurred_at: datetime
    recorded_at: datetime
    author: User | None = strawberry.field(description="Null when written by the service itself.")
    team: Team
    summary: str
    body: str | None
    contact: ContactRef | None
    invoices: list[InvoiceRef]
    tags: list[str]
    pinned: bool
    visibility: Visibility
    revision: int = strawberry.field(description="1 on creation, +1 per edit.")
    entry_id: strawberry.Private[UUID]
    event_cursor: str | None = strawberry.field(
        default=None,
        description="Set on entries delivered by Subscription.timeline: pass it as `after` to resume there.",
    )

    @strawberry.field(description="Earlier versions, newest first.")
    async def revisions(self, info: strawberry.Info) -> list[EntryRevision]:
        rows = await info.context.loaders.revisions.load(self.entry_id)
        return [EntryRevision.from_row(row) for row in rows]


@strawberry.type
class Note(TimelineEntry):
    pass


@strawberry.type(description="A call, email, meeting, letter or text message.")
class Interaction(TimelineEntry):
    direction: Direction
    outcome: InteractionOutcome | None


@strawberry.type(description="Customer news: downsizing, a new CFO, a merger...")
class CustomerNews(TimelineEntry):
    category: NewsCategory


@strawberry.type
class PromiseToPay(TimelineEntry):
    amount: Money
    promised_for: date
    grace_days: int
    rule: strawberry.Private[promises.Promise]

    @strawberry.field(description="Derived on read from the payments received; never stored.")
    async def status(self, info: strawberry.Info, as_of: date | None = None) -> PromiseStatus:
        paid = await info.context.loaders.payments.load(self.account.account_id)
        return promises.status(self.rule, payment_facts(paid), day(as_of))


def payment_facts(rows: list[asyncpg.Record]) -> list[promises.Payment]:
    return [
        promises.Payment(received_on=r["received_on"], amount=r["amount"], currency=r["currency"])
        for r in rows
    ]


def promise_rule(row: asyncpg.Record) -> promises.Promise:
    return promises.Promise(
        amount=row["amount"],
        currency=row["currency"],
        recorded_on=row["recorded_at"].astimezone(UTC).date(),
        promised_for=row["promised_for"],
        grace_days=row["grace_days"],
        cancelled=row["cancelled_at"] is not None,
    )


@strawberry.type
class Dispute(TimelineEntry):
    reason: DisputeReason
    amount: Money | None
    status: DisputeStatus
    resolved_at: datetime | None
    resolution: str | None


@strawberry.type
class Installment:
    due_on: date
    amount: Money


@strawberry.type
class PaymentPlan(TimelineEntry):
    installments: list[Installment]


@strawberry.type(description="Written by the service when an invoice changes status.")
class InvoiceStatusChange(TimelineEntry):
    from_status: Annotated["InvoiceStatus", strawberry.lazy("schema.types.invoice")] | None
    to_status: Annotated["InvoiceStatus", strawberry.lazy("schema.types.invoice")]


@strawberry.type
class PaymentReceived(TimelineEntry):
    amount: Money
    received_on: date
    method: str | None
    reference: str | None


@strawberry.type
class FollowUp(TimelineEntry):
    due_at: datetime
    done: bool
    assignee_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def assignee(self, info: strawberry.Info) -> User | None:
        if self.assignee_id is None:
            return None
        user = await info.context.loaders.user.load(self.assignee_id)
        return User.from_user(user) if user else None


ENTRY_TYPES: tuple[type, ...] = (
    Note,
    Interaction,
    CustomerNews,
    PromiseToPay,
    Dispute,
    PaymentPlan,
    InvoiceStatusChange,
    PaymentReceived,
    FollowUp,
)


def _extras(row: asyncpg.Record) -> tuple[type, dict]:
    from schema.types.invoice import InvoiceStatus

    kind = EntryKindValue(row["kind"])
    money = Money.of(row["amount"], row["currency"])
    match kind:
        case EntryKindValue.NOTE:
            return Note, {}
        case EntryKindValue.NEWS:
            return CustomerNews, {"category": NewsCategory(row["category"])}
        case EntryKindValue.PROMISE_TO_PAY:
            return PromiseToPay, {
                "amount": money,
                "promised_for": row["promised_for"],
                "grace_days": row["grace_days"],
                "rule": promise_rule(row),
            }
        case EntryKindValue.DISPUTE:
            return Dispute, {
                "reason": DisputeReason(row["dispute_reason"]),
                "amount": money,
                "status": DisputeStatus(row["dispute_status"]),
                "resolved_at": row["resolved_at"],
                "resolution": row["resolution"],
            }
        case EntryKindValue.PAYMENT_PLAN:
            return PaymentPlan, {
                "installments": [
                    Installment(
                        due_on=date.fromisoformat(i["dueOn"]),
                        amount=Money.of(Decimal(i["amount"]), row["currency"]),
                    )
                    for i in row["installments"]
                ]
            }
        case EntryKindValue.INVOICE_STATUS:
            return InvoiceStatusChange, {
                "from_status": InvoiceStatus(row["from_status"]) if row["from_status"] else None,
                "to_status": InvoiceStatus(row["to_status"]),
            }
        case EntryKindValue.PAYMENT:
            return PaymentReceived, {
                "amount": money,
                "received_on": row["received_on"],
                "method": row["method"],
                "reference": row["reference"],
            }
        case EntryKindValue.FOLLOW_UP:
            return FollowUp, {
                "due_at": row["due_at"],
                "done": row["done"],
                "assignee_id": row["assignee_id"],
            }
        case _:
            return Interaction, {
                "direction": Direction(row["direction"]),
                "outcome": InteractionOutcome(row["outcome"]) if row["outcome"] else None,
            }


def entry_from_row(row: asyncpg.Record, invoice_rows: list[asyncpg.Record]) -> TimelineEntry:
    """The typed entry for a joined timeline row and its invoices."""
    from schema.types.account import Account
    from schema.types.contact import Contact
    from schema.types.invoice import Invoice

    cls, extras = _extras(row)
    return cls(
        id=strawberry.ID(ids.encode("Entry", row["id"])),
        account=Account.from_row(row, "account_"),
        kind=EntryKindValue(row["kind"]),
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
        **extras,
    )


@strawberry.type
class TimelineEntryEdge:
    cursor: str
    node: TimelineEntry


@strawberry.type
class TimelineEntryConnection:
    edges: list[TimelineEntryEdge]
    page_info: PageInfo


@strawberry.input
class TimelineFilter:
    kinds: list[EntryKind] | None = None
    teams: list[Team] | None = None
    contact_id: strawberry.ID | None = None
    invoice_id: strawberry.ID | None = None
    tags: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def to_store(self) -> entries.TimelineFilter:
        return entries.TimelineFilter(
            kinds=[k.value for k in self.kinds] if self.kinds else None,
            teams=[t.value for t in self.teams] if self.teams else None,
            contact_id=ids.decode_as(self.contact_id, "Contact") if self.contact_id else None,
            invoice_id=ids.decode_as(self.invoice_id, "Invoice") if self.invoice_id else None,
            tags=self.tags or None,
            since=bound(self.since, "since"),
            until=bound(self.until, "until"),
        )


async def entries_with_invoices(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[TimelineEntry]:
    invoices = await entries.invoices_of_entries(conn, [row["id"] for row in rows])
    return [entry_from_row(row, invoices.get(row["id"], [])) for row in rows]


async def timeline_page(
    info: strawberry.Info,
    account_id: UUID,
    where: entries.TimelineFilter,
    first: int | None,
    after: str | None,
) -> TimelineEntryConnection:
    size = pagination.page_size(first)
    key = pagination.decode(after, pagination.TIMESTAMP, pagination.ID)
    context = info.context
    async with context.pool.acquire() as conn:
        rows = await entries.timeline(
            conn,
            account_id,
            restricted=context.sees_restricted,
            where=where,
            after=key,
            limit=size + 1,
        )
        nodes = await entries_with_invoices(conn, rows[:size])
    edges = [
        TimelineEntryEdge(cursor=pagination.encode(row["occurred_at"], row["id"]), node=node)
        for row, node in zip(rows, nodes, strict=False)
    ]
    return TimelineEntryConnection(edges=edges, page_info=page_info(edges, has_next=len(rows) > size))
