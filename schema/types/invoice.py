"""Invoice: what the ERP says is owed, with its own slice of the timeline."""

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry

from domain import aging, invoices, promises
from schema import ids
from schema.types.common import Connection, ExternalRef, Money
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.account import Account
    from schema.types.entries.dispute import Dispute
    from schema.types.entries.promise import PromiseToPay
    from schema.types.entries.timeline import TimelineEntryConnection


InvoiceStatus = strawberry.enum(invoices.InvoiceStatus, name="InvoiceStatus")
AgingBucket = strawberry.enum(aging.AgingBucket, name="AgingBucket")


def today() -> date:
    return datetime.now(UTC).date()


@strawberry.type(description="An invoice as the billing system knows it.")
class Invoice(Node):
    number: str
    external_ref: ExternalRef | None
    issued_on: date
    due_on: date
    total: Money
    balance: Money = strawberry.field(description="Still due.")
    status: InvoiceStatus
    invoice_id: strawberry.Private[UUID]
    account_id: strawberry.Private[UUID]

    @strawberry.field
    async def account(
        self, info: strawberry.Info
    ) -> Annotated["Account", strawberry.lazy("schema.types.account")]:
        from schema.types.account import Account

        return Account.from_row(await info.context.loaders.account.load(self.account_id))

    @strawberry.field(description="Days past dueOn; 0 when not yet due, nothing is owed, or closed.")
    def days_overdue(self, as_of: date | None = None) -> int:
        return aging.days_overdue(self.due_on, self.balance.amount, self.status, as_of or today())

    @strawberry.field
    def aging_bucket(self, as_of: date | None = None) -> AgingBucket:
        return aging.bucket(self.days_overdue(as_of))

    @strawberry.field(description="Entries about this invoice, newest first.")
    async def timeline(
        self, info: strawberry.Info, first: int | None = 20, after: str | None = None
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
        from store.promises import payment_facts, promise_rule

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
            if promises.status(promise_rule(row), paid, today()) == promises.PromiseStatus.OPEN:
                return entry_from_row(row, await loaders.entry_invoices.load(row["id"]))
        return None

    @strawberry.field(description="The newest OPEN dispute naming this invoice.")
    async def open_dispute(
        self, info: strawberry.Info
    ) -> Annotated["Dispute", strawberry.lazy("schema.types.entries.dispute")] | None:
        from schema.types.entries.rows import entry_from_row

        loaders = info.context.loaders
        rows = [
            r
            for r in await loaders.invoice_commitments.load(self.invoice_id)
            if r["kind"] == "DISPUTE" and r["dispute_status"] == "OPEN"
        ]
        return entry_from_row(rows[0], await loaders.entry_invoices.load(rows[0]["id"])) if rows else None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Invoice":
        currency = row["currency"]
        return cls(
            id=strawberry.ID(ids.encode("Invoice", row["id"])),
            number=row["number"],
            external_ref=ExternalRef(system=row["ext_system"], id=row["ext_id"])
            if row["ext_system"]
            else None,
            issued_on=row["issued_on"],
            due_on=row["due_on"],
            total=Money.of(row["total"], currency),
            balance=Money.of(row["balance"], currency),
            status=InvoiceStatus(row["status"]),
            invoice_id=row["id"],
            account_id=row["account_id"],
        )


@strawberry.type
class InvoiceConnection(Connection[Invoice]):
    pass


@strawberry.input
class InvoiceFilter:
    status: list[InvoiceStatus] | None = None
    overdue_only: bool | None = None
