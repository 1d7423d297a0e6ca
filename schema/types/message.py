"""Customer communication types: templates, dunning policies, outbound messages, statement links."""

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry

from schema import ids
from schema.types.common import Connection
from schema.types.contact import Channel, Contact
from schema.types.entries.common import TimelineEntry
from schema.types.entries.rows import entry_from_row
from schema.types.invoice import Invoice
from schema.types.node import Node
from schema.types.user import User
from store import messages

if TYPE_CHECKING:
    from schema.types.account import Account


@strawberry.enum(description="Where a customer message is in its life.")
class MessageStatus(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Waiting for a person to approve or cancel it.")
    SCHEDULED = strawberry.enum_value("SCHEDULED", description="Will be sent at scheduledFor.")
    SENT = strawberry.enum_value("SENT", description="Handed to the mail server; on the timeline.")
    FAILED = strawberry.enum_value("FAILED", description="Could not be sent after retries; reason says why.")
    SKIPPED = strawberry.enum_value("SKIPPED", description="The planner did not send it; reason says why.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="A person cancelled it; reason says why.")


def _status(value: str) -> MessageStatus:
    """SENDING (between the hand-over and its record) reads as SCHEDULED: it has not been confirmed sent."""
    return MessageStatus.SCHEDULED if value == "SENDING" else MessageStatus(value)


def store_statuses(status: MessageStatus | None) -> list[str] | None:
    if status is None:
        return None
    return [status.value, "SENDING"] if status == MessageStatus.SCHEDULED else [status.value]


@strawberry.type(description="A named, versioned message text for one language and channel.")
class MessageTemplate(Node):
    name: str = strawberry.field(description='Unique with language, e.g. "overdue-summary".')
    language: str = strawberry.field(description='BCP 47, e.g. "de" or "fr-CH".')
    channel: Channel = strawberry.field(description="EMAIL, LETTER or SMS.")
    subject: str | None = strawberry.field(description="A Jinja2 template for the subject (EMAIL).")
    body: str = strawberry.field(description="A Jinja2 template with the documented placeholders.")
    version: int = strawberry.field(description="Starts at 1; each save adds one.")
    updated_at: datetime = strawberry.field(description="When this version was saved.")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "MessageTemplate":
        return cls(
            id=strawberry.ID(ids.encode("MessageTemplate", row["id"])),
            name=row["name"],
            language=row["language"],
            channel=Channel(row["channel"]),
            subject=row["subject"],
            body=row["body"],
            version=row["version"],
            updated_at=row["updated_at"],
        )


@strawberry.type(description="One reminder of a policy.")
class DunningStep:
    offset_days: int = strawberry.field(
        description="Days relative to the oldest overdue invoice's due date; negative is before it falls due."
    )
    template_name: str = strawberry.field(description="The template the message is rendered from.")
    requires_approval: bool = strawberry.field(description="A person approves the draft before it goes.")


@strawberry.type(description="When to remind customers, and with which templates.")
class DunningPolicy(Node):
    name: str = strawberry.field(description="Unique.")
    is_default: bool = strawberry.field(description="Used by every account without a policy of its own.")
    steps: list[DunningStep] = strawberry.field(description="By offsetDays, earliest first.")
    version: int = strawberry.field(description="Optimistic concurrency token.")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "DunningPolicy":
        return cls(
            id=strawberry.ID(ids.encode("DunningPolicy", row["id"])),
            name=row["name"],
            is_default=row["is_default"],
            steps=[
                DunningStep(
                    offset_days=s["offsetDays"],
                    template_name=s["templateName"],
                    requires_approval=s.get("requiresApproval", False),
                )
                for s in messages.policy_steps(row)
            ],
            version=row["version"],
        )


async def _invoices(info: strawberry.Info, invoice_ids: list[UUID]) -> list[Invoice]:
    rows = await info.context.loaders.invoice.load_many(invoice_ids)
    return [Invoice.from_row(row) for row in rows if row is not None]


async def _contact(info: strawberry.Info, contact_id: UUID | None) -> Contact | None:
    if contact_id is None:
        return None
    row = await info.context.loaders.contact.load(contact_id)
    return Contact.from_row(row) if row else None


@strawberry.type(
    description="A message to a customer: one per account and step, covering every invoice the step is about."
)
class OutboundMessage(Node):
    channel: Channel = strawberry.field(description="EMAIL, LETTER or SMS.")
    status: MessageStatus = strawberry.field(description="Where the message is in its life.")
    subject: str | None = strawberry.field(description="As rendered (or as the approver edited it).")
    body: str = strawberry.field(description="As rendered (or as the approver edited it).")
    template_name: str | None = strawberry.field(description="The template it was rendered from.")
    step: int | None = strawberry.field(description="The policy step's offsetDays.")
    scheduled_for: datetime | None = strawberry.field(
        description="When it goes: inside the contact's reachable hours, in their time zone."
    )
    sent_at: datetime | None = strawberry.field(description="When the mail server took it.")
    reason: str | None = strawberry.field(
        description="Why it was scheduled then, skipped or failed, in a sentence."
    )
    account_id: strawberry.Private[UUID]
    contact_id: strawberry.Private[UUID | None]
    invoice_ids: strawberry.Private[list[UUID]]
    entry_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The customer it is for.")
    async def account(
        self, info: strawberry.Info
    ) -> Annotated["Account", strawberry.lazy("schema.types.account")]:
        from schema.types.account import Account

        return Account.from_row(await info.context.loaders.account.load(self.account_id))

    @strawberry.field(description="The person it is addressed to.")
    async def contact(self, info: strawberry.Info) -> Contact | None:
        return await _contact(info, self.contact_id)

    @strawberry.field(description="Every invoice the message is about.")
    async def invoices(self, info: strawberry.Info) -> list[Invoice]:
        return await _invoices(info, self.invoice_ids)

    @strawberry.field(description="The EMAIL or LETTER entry written when it was sent.")
    async def entry(self, info: strawberry.Info) -> TimelineEntry | None:
        if self.entry_id is None:
            return None
        row = await info.context.loaders.entry.load(self.entry_id)
        return (
            entry_from_row(row, await info.context.loaders.entry_invoices.load(self.entry_id))
            if row
            else None
        )

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "OutboundMessage":
        return cls(
            id=strawberry.ID(ids.encode("OutboundMessage", row["id"])),
            channel=Channel(row["channel"]),
            status=_status(row["status"]),
            subject=row["subject"],
            body=row["body"],
            template_name=row["template_name"],
            step=row["step"],
            scheduled_for=row["scheduled_for"],
            sent_at=row["sent_at"],
            reason=row["reason"],
            account_id=row["account_id"],
            contact_id=row["contact_id"],
            invoice_ids=list(row["invoice_ids"]),
            entry_id=row["entry_id"],
        )


@strawberry.type(description="Customer messages, a page at a time.")
class OutboundMessageConnection(Connection[OutboundMessage]):
    pass


@strawberry.type(description="A template rendered for a real account, as the customer would read it.")
class RenderedMessage:
    subject: str | None = strawberry.field(description="The rendered subject.")
    body: str = strawberry.field(description="The rendered body.")
    language: str = strawberry.field(
        description="The template's language the contact's language fell back to."
    )
    contact: Contact | None = strawberry.field(description="Whom it would go to.")
    invoices: list[Invoice] = strawberry.field(description="The invoices it lists.")


@strawberry.type(
    description="A signed link a customer opens to see their statement, promise to pay or dispute an invoice."
)
class StatementLink(Node):
    url: str | None = strawberry.field(description="Shown once, when created; null afterwards.")
    expires_at: datetime = strawberry.field(description="After this the link shows the not-found page.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    views: int = strawberry.field(description="How often the page was opened.")
    last_viewed_at: datetime | None = strawberry.field(description="The last time the page was opened.")
    contact_id: strawberry.Private[UUID | None]
    created_by_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The person it was made for.")
    async def contact(self, info: strawberry.Info) -> Contact | None:
        return await _contact(info, self.contact_id)

    @strawberry.field(description="Who made it.")
    async def created_by(self, info: strawberry.Info) -> User | None:
        if self.created_by_id is None:
            return None
        user = await info.context.loaders.user.load(self.created_by_id)
        return User.from_user(user) if user else None

    @classmethod
    def from_row(cls, row: asyncpg.Record, url: str | None = None) -> "StatementLink":
        return cls(
            id=strawberry.ID(ids.encode("StatementLink", row["id"])),
            url=url,
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
            views=row["views"],
            last_viewed_at=row["last_viewed_at"],
            contact_id=row["contact_id"],
            created_by_id=row["created_by"],
        )
