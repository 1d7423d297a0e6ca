"""Invoice: what the ERP says is owed, with its own slice of the timeline."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry

from domain import aging, invoices, promises
from schema import ids
from schema.types.common import Connection, ExternalRef, Money
from schema.types.enums import described_enum
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.account import Account
    from schema.types.entries.dispute import Dispute
    from schema.types.entries.promise import PromiseToPay
    from schema.types.entries.timeline import TimelineEntryConnection


InvoiceStatus = described_enum(
    invoices.InvoiceStatus,
    "InvoiceStatus",
    "An invoice's state, as the billing system reports it.",
    {
        "DRAFT": "Not yet sent; nothing is owed yet.",
        "OPEN": "Sent and unpaid.",
        "PARTIALLY_PAID": "Some of it is paid; balance is what is still due.",
        "PAID": "Settled; its balance is 0.",
        "DISPUTED": "The customer contests it; see openDispute.",
        "WRITTEN_OFF": "Given up as uncollectable; nothing is chased.",
        "VOID": "Cancelled; never owed.",
    },
)
AgingBucket = described_enum(
    aging.AgingBucket,
    "AgingBucket",
    "How long an invoice is past its due date, in days (whole days, UTC).",
    {
        "CURRENT": "Not overdue: not yet due, nothing owed, or closed.",
        "DAYS_1_30": "1 to 30 days past due.",
        "DAYS_31_60": "31 to 60 days past due.",
        "DAYS_61_90": "61 to 90 days past due.",
        "DAYS_91_PLUS": "91 days or more past due: severely overdue.",
    },
)


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class Commitments:
    """An invoice's activePromise and openDispute, judged already by the reader that built it
    (the call brief, from the promises and payments it read), so neither field needs a query."""

    active_promise: "PromiseToPay | None"
    open_dispute: "Dispute | None"


@strawberry.type(description="An invoice as the billing system knows it.")
class Invoice(Node):
    number: str = strawberry.field(description="The invoice number printed on it.")
    external_ref: ExternalRef | None = strawberry.field(
        description="Its id in the billing system; null when it was entered without one."
    )
    issued_on: date = strawberry.field(description="The day it was issued.")
    due_on: date = strawberry.field(description="The day payment is due; overdue from the day after.")
    total: Money = strawberry.field(description="The invoiced amount.")
    balance: Money = strawberry.field(description="Still due.")
    status: InvoiceStatus = strawberry.field(description="Its state, as the billing system reports it.")
    invoice_id: strawberry.Private[UUID]
    account_id: strawberry.Private[UUID]
    commitments: strawberry.Private[Commitments | None] = None

    @strawberry.field(description="The customer billed.")
    async def account(
        self, info: strawberry.Info
    ) -> Annotated["Account", strawberry.lazy("schema.types.account")]:
        from schema.types.account import Account

        return Account.from_row(await info.context.loaders.account.load(self.account_id))

    @strawberry.field(description="Days past dueOn; 0 when not yet due, nothing is owed, or closed.")
    def days_overdue(
        self,
        as_of: Annotated[
            date | None, strawberry.argument(description="The day to count to (UTC); default today.")
        ] = None,
    ) -> int:
        return aging.days_overdue(self.due_on, self.balance.amount, self.status, as_of or today())

    @strawberry.field(description="The aging bucket of daysOverdue.")
    def aging_bucket(
        self,
        as_of: Annotated[
            date | None, strawberry.argument(description="The day to count to (UTC); default today.")
        ] = None,
    ) -> AgingBucket:
        return aging.bucket(self.days_overdue(as_of))

    @strawberry.field(description="Entries about this invoice, newest first.")
    async def timeline(
        self,
        info: strawberry.Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many entries: default 20, at most 100 (more is cut to 100); "
                "negative is INVALID."
            ),
        ] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor this list gave out (pageInfo.endCursor, or an edge's cursor): "
                "the page starts right after it. Null starts at the beginning."
            ),
        ] = None,
    ) -> Annotated["TimelineEntryConnection", strawberry.lazy("schema.types.entries.timeline")]:
        from schema.types.entries.timeline import timeline_page
        from store.entries import TimelineFilter

        return await timeline_page(
            info, self.account_id, TimelineFilter(invoice_id=self.invoice_id), first, after
        )

    @strawberry.field(description="The newest promise naming this invoice that is still OPEN today.")
    async def active_promise(
        self, info: strawberry.Info
    ) -> Annotated["PromiseToPay", strawberry.lazy("schema.types.entries.promise")] | None:
        from schema.types.entries.rows import entry_from_row
        from store.facts import payment_facts, promise_fact

        if self.commitments is not None:
            return self.commitments.active_promise
        loaders = info.context.loaders
        rows = [
            r
            for r in await loaders.invoice_commitments.load(self.invoice_id)
            if r["kind"] == "PROMISE_TO_PAY"
        ]
        if not rows:
            return None
        paid = payment_facts(await loaders.payments.load(self.account_id))
        for row in rows:
            if promises.status(promise_fact(row), paid, today()) == promises.PromiseStatus.OPEN:
                return entry_from_row(row, await loaders.entry_invoices.load(row["id"]))
        return None

    @strawberry.field(description="The newest OPEN dispute naming this invoice.")
    async def open_dispute(
        self, info: strawberry.Info
    ) -> Annotated["Dispute", strawberry.lazy("schema.types.entries.dispute")] | None:
        from schema.types.entries.rows import entry_from_row

        if self.commitments is not None:
            return self.commitments.open_dispute
        loaders = info.context.loaders
        rows = [
            r
            for r in await loaders.invoice_commitments.load(self.invoice_id)
            if r["kind"] == "DISPUTE" and r["dispute_status"] == "OPEN"
        ]
        return entry_from_row(rows[0], await loaders.entry_invoices.load(rows[0]["id"])) if rows else None

    @classmethod
    def from_row(cls, row: asyncpg.Record, prefix: str = "") -> "Invoice":
        currency = row[f"{prefix}currency"]
        return cls(
            id=strawberry.ID(ids.encode("Invoice", row[f"{prefix}id"])),
            number=row[f"{prefix}number"],
            external_ref=ExternalRef(system=row[f"{prefix}ext_system"], id=row[f"{prefix}ext_id"])
            if row[f"{prefix}ext_system"]
            else None,
            issued_on=row[f"{prefix}issued_on"],
            due_on=row[f"{prefix}due_on"],
            total=Money.of(row[f"{prefix}total"], currency),
            balance=Money.of(row[f"{prefix}balance"], currency),
            status=InvoiceStatus(row[f"{prefix}status"]),
            invoice_id=row[f"{prefix}id"],
            account_id=row[f"{prefix}account_id"],
        )


@strawberry.type(description="A page of invoices.")
class InvoiceConnection(Connection[Invoice]):
    pass


@strawberry.input(description="Narrows Account.invoices: an invoice must match every field set.")
class InvoiceFilter:
    status: list[InvoiceStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    overdue_only: bool | None = strawberry.field(
        default=None, description="True: only invoices with money past their due date today."
    )
