"""Mutations that write timeline entries: log, promise, dispute, plan, follow up, edit, pin, delete."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import strawberry

from domain.entries import DEFAULT_GRACE_DAYS, INTERACTION_KINDS, EntryKind
from domain.permissions import Write, may_change_entry
from domain.redaction import redact
from domain.validation import Checker, Problem, Rejected, conflict, forbidden, not_found
from schema.mutations.base import existing_account, parse_id, parse_ids, request_hash, require, run
from schema.mutations.payloads import DeletePayload, EntryPayload
from schema.types.common import display_amount
from schema.types.entry import (
    Direction,
    DisputeReason,
    DisputeStatus,
    InteractionOutcome,
    NewsCategory,
    Visibility,
    entries_with_invoices,
)
from schema.types.entry import (
    EntryKind as EntryKindEnum,
)
from store import changes, contacts, entries, idempotency, invoices, users

GRACE_DAYS_MAX = 90
INSTALLMENTS_MAX = 120


@strawberry.input
class LogNoteInput:
    account_id: strawberry.ID
    summary: str
    body: str | None = None
    contact_id: strawberry.ID | None = None
    invoice_ids: list[strawberry.ID] | None = None
    tags: list[str] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None


@strawberry.input
class LogInteractionInput:
    account_id: strawberry.ID
    kind: EntryKindEnum = strawberry.field(description="CALL, EMAIL, MEETING, LETTER or SMS.")
    direction: Direction
    summary: str
    outcome: InteractionOutcome | None = None
    body: str | None = None
    contact_id: strawberry.ID | None = None
    invoice_ids: list[strawberry.ID] | None = None
    tags: list[str] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None


@strawberry.input
class LogNewsInput:
    account_id: strawberry.ID
    category: NewsCategory
    summary: str
    body: str | None = None
    tags: list[str] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None


@strawberry.input
class RecordPromiseInput:
    account_id: strawberry.ID
    amount: Decimal
    currency: str
    promised_for: date
    grace_days: int | None = strawberry.field(default=None, description="Default 3.")
    invoice_ids: list[strawberry.ID] | None = None
    contact_id: strawberry.ID | None = None
    summary: str | None = None
    body: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class OpenDisputeInput:
    account_id: strawberry.ID
    invoice_ids: list[strawberry.ID]
    reason: DisputeReason
    summary: str
    amount: Decimal | None = None
    body: str | None = None
    contact_id: strawberry.ID | None = None
    idempotency_key: str | None = None


@strawberry.input
class ResolveDisputeInput:
    id: strawberry.ID
    status: DisputeStatus
    resolution: str


@strawberry.input
class InstallmentInput:
    due_on: date
    amount: Decimal


@strawberry.input
class CreatePaymentPlanInput:
    account_id: strawberry.ID
    currency: str
    installments: list[InstallmentInput]
    invoice_ids: list[strawberry.ID] | None = None
    contact_id: strawberry.ID | None = None
    summary: str | None = None
    body: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class CreateFollowUpInput:
    account_id: strawberry.ID
    summary: str
    due_at: datetime
    assignee_id: strawberry.ID | None = None
    body: str | None = None
    idempotency_key: str | None = None
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whom to contact: the call brief suggests this person first."
    )


@strawberry.input
class EditEntryInput:
    id: strawberry.ID
    expected_revision: int
    summary: str | None = None
    body: str | None = None
    tags: list[str] | None = None


def _check_common(check: Checker, data: Any) -> None:
    check.instant("occurredAt", getattr(data, "occurred_at", None))
    check.instant("dueAt", getattr(data, "due_at", None))
    check.summary(getattr(data, "summary", None), required=False)
    if getattr(data, "summary", None) is not None and not data.summary.strip():
        check.add("summary", "summary must not be blank.")
    check.body(getattr(data, "body", None))
    check.tags(getattr(data, "tags", None))
    key = data.idempotency_key
    if key is not None and not 1 <= len(key) <= 200:
        check.add("idempotencyKey", "idempotencyKey must be 1-200 characters.")


async def _entry_payload(conn: asyncpg.Connection, info: strawberry.Info, entry_id: UUID) -> EntryPayload:
    row = (await entries.entries_by_ids(conn, [entry_id], restricted=info.context.sees_restricted)).get(
        entry_id
    )
    if row is None:
        return EntryPayload(entry=None)
    return EntryPayload(entry=(await entries_with_invoices(conn, [row]))[0])


async def _check_links(
    conn: asyncpg.Connection, account_id: UUID, data: Any
) -> tuple[UUID | None, list[UUID], list[asyncpg.Record]]:
    """The contact and invoices an entry names, which must belong to its account."""
    contact_id = None
    if getattr(data, "contact_id", None):
        contact_id = parse_id(data.contact_id, "Contact", ("input", "contactId"), "contact")
        found = (await contacts.contacts_by_ids(conn, [contact_id])).get(contact_id)
        if found is None or found["account_id"] != account_id:
            raise not_found(("input", "contactId"), "contact on this account")
    invoice_ids = parse_ids(getattr(data, "invoice_ids", None), "Invoice", ("input", "invoiceIds"), "invoice")
    found_invoices = await invoices.invoices_by_ids(conn, invoice_ids)
    missing = [
        Problem(("input", "invoiceIds", str(i)), "no invoice with this id on this account.", "NOT_FOUND")
        for i, invoice_id in enumerate(invoice_ids)
        if invoice_id not in found_invoices or found_invoices[invoice_id]["account_id"] != account_id
    ]
    if missing:
        raise Rejected(*missing)
    return contact_id, list(dict.fromkeys(invoice_ids)), [found_invoices[i] for i in invoice_ids]


async def create_entry(
    info: strawberry.Info,
    operation: str,
    data: Any,
    write: Write,
    kind: EntryKind,
    prepare: Any,
    *,
    summary: str | None = None,
) -> EntryPayload:
    """Create an entry of `kind`.

    `prepare(conn, check, account_id, invoice_rows)` checks the kind's own input
    and returns its columns, plus "invoice_ids" to link beyond the input's own.
    `summary` stands in when the input has none.
    """
    user = info.context.user

    async def work(conn: asyncpg.Connection) -> EntryPayload:
        require(info, write)
        check = Checker()
        _check_common(check, data)
        visibility = getattr(data, "visibility", None) or Visibility.ALL_TEAMS
        if visibility == Visibility.RESTRICTED and not info.context.sees_restricted:
            raise forbidden("only AR and ADMIN may restrict an entry.", ("input", "visibility"))
        check.settle()
        account = await existing_account(conn, data.account_id, ("input", "accountId"))
        key = data.idempotency_key
        if key is not None:
            prior = await idempotency.claim(conn, user.id, key, operation, request_hash(operation, data))
            if prior is not None:
                if prior.operation != operation or prior.request_hash != request_hash(operation, data):
                    raise conflict(
                        "this idempotencyKey was already used for a different request.",
                        ("input", "idempotencyKey"),
                    )
                return await _entry_payload(conn, info, prior.result_id)
        contact_id, invoice_ids, invoice_rows = await _check_links(conn, account["id"], data)
        extra = await prepare(conn, check, account["id"], invoice_rows)
        check.settle()
        invoice_ids = list(dict.fromkeys([*invoice_ids, *extra.pop("invoice_ids", [])]))
        fields = {
            "account_id": account["id"],
            "kind": kind.value,
            "occurred_at": getattr(data, "occurred_at", None) or datetime.now(UTC),
            "author_id": user.id,
            "team": user.team.value,
            "summary": redact(getattr(data, "summary", None) or summary),
            "body": redact(getattr(data, "body", None)),
            "contact_id": contact_id,
            "tags": getattr(data, "tags", None) or [],
            "visibility": visibility.value,
            **extra,
        }
        entry_id = await entries.insert_entry(conn, fields, invoice_ids)
        await _record(
            conn,
            info,
            operation,
            account["id"],
            entry_id,
            after={"kind": kind.value, "visibility": visibility.value},
        )
        if key is not None:
            await idempotency.complete(conn, user.id, key, account["id"], entry_id)
        return await _entry_payload(conn, info, entry_id)

    return await run(info, EntryPayload, work)


async def _record(
    conn: asyncpg.Connection,
    info: strawberry.Info,
    action: str,
    account_id: UUID,
    entry_id: UUID,
    *,
    before: dict | None = None,
    after: dict | None = None,
    op: str = "upsert",
) -> None:
    await changes.record(
        conn,
        actor_id=info.context.user.id,
        action=action,
        entity_type="entry",
        account_id=account_id,
        entity_id=entry_id,
        before=before,
        after=after,
        op=op,
    )


def _money(check: Checker, name: str, amount: Decimal | None, currency: str) -> None:
    check.amount(name, amount)
    check.currency("currency", currency)


async def _nothing(conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list) -> dict:
    return {}


async def _change_entry(
    info: strawberry.Info,
    global_id: str,
    action: str,
    change: Any,
    *,
    write: Write | None = None,
    kind: EntryKind | None = None,
    payload: Any = EntryPayload,
    path: tuple[str, ...] = ("id",),
) -> Any:
    """Lock a visible entry (of `kind`, if given), let `change(conn, row)` act, record it.

    `write` is the permission the change needs; without one, `change` decides
    (editing and deleting depend on who wrote the entry). `path` is where the
    entry's id sits in the request: ("id",) or ("input", "id").
    """

    async def work(conn: asyncpg.Connection) -> Any:
        if write is not None:
            require(info, write)
        entry_id = parse_id(global_id, "Entry", path, "entry")
        row = await entries.lock_entry(conn, entry_id, restricted=info.context.sees_restricted, path=path)
        if kind is not None and row["kind"] != kind.value:
            raise Rejected(Problem(path, f"this entry is a {row['kind']}, not a {kind.value}."))
        result = await change(conn, row)
        await _record(conn, info, action, row["account_id"], row["id"], **(result or {}))
        if payload is DeletePayload:
            return DeletePayload(deleted_id=strawberry.ID(global_id))
        return await _entry_payload(conn, info, row["id"])

    return await run(info, payload, work)


@strawberry.type
class EntryMutations:
    @strawberry.mutation
    async def log_note(self, info: strawberry.Info, input: LogNoteInput) -> EntryPayload:
        return await create_entry(info, "logNote", input, Write.NOTES, EntryKind.NOTE, _nothing)

    @strawberry.mutation
    async def log_interaction(
        self,
        info: strawberry.Info,
        input: LogInteractionInput,
    ) -> EntryPayload:
        kind = EntryKind(input.kind.value)

        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            if kind not in INTERACTION_KINDS:
                check.add("kind", "an interaction is a CALL, EMAIL, MEETING, LETTER or SMS.")
            return {
                "direction": input.direction.value,
                "outcome": input.outcome.value if input.outcome else None,
            }

        return await create_entry(info, "logInteraction", input, Write.NOTES, kind, prepare)

    @strawberry.mutation
    async def log_news(self, info: strawberry.Info, input: LogNewsInput) -> EntryPayload:
        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            return {"category": input.category.value}

        return await create_entry(info, "logNews", input, Write.NOTES, EntryKind.NEWS, prepare)

    @strawberry.mutation
    async def record_promise(
        self,
        info: strawberry.Info,
        input: RecordPromiseInput,
    ) -> EntryPayload:
        grace = DEFAULT_GRACE_DAYS if input.grace_days is None else input.grace_days

        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            _money(check, "amount", input.amount, input.currency)
            if not 0 <= grace <= GRACE_DAYS_MAX:
                check.add("graceDays", f"graceDays must be between 0 and {GRACE_DAYS_MAX}.")
            for i, row in enumerate(invoice_rows):
                if row["currency"] != input.currency:
                    check.at("invoiceIds").add(
                        i, f"the invoice is in {row['currency']}, the promise in {input.currency}."
                    )
            return {
                "amount": input.amount,
                "currency": input.currency,
                "promised_for": input.promised_for,
                "grace_days": grace,
            }

        summary = (
            f"Promise to pay {display_amount(input.amount)} {input.currency} by {input.promised_for}"
            if input.amount.is_finite()
            else ""
        )
        return await create_entry(
            info,
            "recordPromise",
            input,
            Write.PROMISES,
            EntryKind.PROMISE_TO_PAY,
            prepare,
            summary=summary,
        )

    @strawberry.mutation
    async def cancel_promise(self, info: strawberry.Info, id: strawberry.ID) -> EntryPayload:
        async def change(conn: asyncpg.Connection, row: asyncpg.Record) -> dict:
            if row["cancelled_at"] is not None:
                raise conflict("this promise is already cancelled.", ("id",))
            await entries.update_entry(conn, row, {"cancelled_at": datetime.now(UTC)})
            return {"after": {"cancelled": True}}

        return await _change_entry(
            info, id, "cancelPromise", change, write=Write.PROMISES, kind=EntryKind.PROMISE_TO_PAY
        )

    @strawberry.mutation
    async def open_dispute(self, info: strawberry.Info, input: OpenDisputeInput) -> EntryPayload:
        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            if not invoice_rows:
                check.add("invoiceIds", "a dispute names at least one invoice.")
                return {}
            currencies = {row["currency"] for row in invoice_rows}
            check.amount("amount", input.amount)
            if input.amount is not None and len(currencies) > 1:
                check.add("amount", "the invoices are in several currencies; dispute them separately.")
            return {
                "dispute_reason": input.reason.value,
                "dispute_status": "OPEN",
                "amount": input.amount,
                "currency": currencies.pop() if input.amount is not None else None,
            }

        return await create_entry(info, "openDispute", input, Write.DISPUTES, EntryKind.DISPUTE, prepare)

    @strawberry.mutation
    async def resolve_dispute(
        self,
        info: strawberry.Info,
        input: ResolveDisputeInput,
    ) -> EntryPayload:
        async def change(conn: asyncpg.Connection, row: asyncpg.Record) -> dict:
            check = Checker()
            check.text("resolution", input.resolution, max_len=5_000, required=True)
            if input.status == DisputeStatus.OPEN:
                check.add("status", "a dispute is resolved as RESOLVED or REJECTED.")
            check.settle()
            if row["dispute_status"] != "OPEN":
                raise conflict(f"this dispute is already {row['dispute_status']}.", ("input", "id"))
            await entries.update_entry(
                conn,
                row,
                {
                    "dispute_status": input.status.value,
                    "resolution": redact(input.resolution),
                    "resolved_at": datetime.now(UTC),
                },
            )
            return {"before": {"status": "OPEN"}, "after": {"status": input.status.value}}

        return await _change_entry(
            info,
            input.id,
            "resolveDispute",
            change,
            write=Write.DISPUTES,
            kind=EntryKind.DISPUTE,
            path=("input", "id"),
        )

    @strawberry.mutation
    async def create_payment_plan(
        self,
        info: strawberry.Info,
        input: CreatePaymentPlanInput,
    ) -> EntryPayload:
        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            check.currency("currency", input.currency)
            if not 1 <= len(input.installments) <= INSTALLMENTS_MAX:
                check.add("installments", f"a plan has 1 to {INSTALLMENTS_MAX} installments.")
            for i, installment in enumerate(input.installments):
                check.at("installments", i).amount("amount", installment.amount)
            plan = sorted(input.installments, key=lambda item: item.due_on)
            return {
                "currency": input.currency,
                "installments": [
                    {"dueOn": item.due_on.isoformat(), "amount": str(item.amount)} for item in plan
                ],
            }

        total = sum((i.amount for i in input.installments if i.amount.is_finite()), Decimal(0))
        count = len(input.installments)
        summary = f"Payment plan: {count} installments, {display_amount(total)} {input.currency} in all"
        return await create_entry(
            info,
            "createPaymentPlan",
            input,
            Write.PROMISES,
            EntryKind.PAYMENT_PLAN,
            prepare,
            summary=summary,
        )

    @strawberry.mutation
    async def create_follow_up(
        self,
        info: strawberry.Info,
        input: CreateFollowUpInput,
    ) -> EntryPayload:
        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            assignee_id = None
            if input.assignee_id:
                path = ("input", "assigneeId")
                assignee_id = parse_id(input.assignee_id, "User", path, "user")
                if not await users.users_by_ids(conn, [assignee_id]):
                    raise not_found(path, "user")
            return {"due_at": input.due_at, "assignee_id": assignee_id, "done": False}

        return await create_entry(info, "createFollowUp", input, Write.NOTES, EntryKind.FOLLOW_UP, prepare)

    @strawberry.mutation
    async def complete_follow_up(self, info: strawberry.Info, id: strawberry.ID) -> EntryPayload:
        async def change(conn: asyncpg.Connection, row: asyncpg.Record) -> dict:
            if row["done"]:
                raise conflict("this follow-up is already done.", ("id",))
            await entries.update_entry(conn, row, {"done": True})
            return {"after": {"done": True}}

        return await _change_entry(
            info, id, "completeFollowUp", change, write=Write.NOTES, kind=EntryKind.FOLLOW_UP
        )

    @strawberry.mutation
    async def edit_entry(self, info: strawberry.Info, input: EditEntryInput) -> EntryPayload:
        user = info.context.user

        async def change(conn: asyncpg.Connection, row: asyncpg.Record) -> dict:
            if not may_change_entry(user.team, user.id, row["author_id"]):
                raise forbidden("you may edit only your own entries (ADMIN may edit any).", ("input", "id"))
            check = Checker()
            check.summary(input.summary, required=False)
            if input.summary is not None and not input.summary.strip():
                check.add("summary", "summary must not be blank.")
            check.body(input.body)
            check.tags(input.tags)
            if input.summary is None and input.body is None and input.tags is None:
                check.add(None, "give a summary, body or tags to change.")
            check.settle()
            if row["revision"] != input.expected_revision:
                raise conflict(
                    f"the entry is at revision {row['revision']}, not {input.expected_revision}: "
                    "someone else edited it; reload and apply your change again.",
                    ("input", "expectedRevision"),
                )
            edits = {
                name: value
                for name, value in (
                    ("summary", redact(input.summary)),
                    ("body", redact(input.body)),
                    ("tags", input.tags),
                )
                if value is not None
            }
            await entries.edit_entry(conn, row, user.id, edits)
            return {
                "before": {"revision": row["revision"]},
                "after": {"revision": row["revision"] + 1},
            }

        return await _change_entry(info, input.id, "editEntry", change, path=("input", "id"))

    @strawberry.mutation
    async def pin_entry(self, info: strawberry.Info, id: strawberry.ID, pinned: bool) -> EntryPayload:
        async def change(conn: asyncpg.Connection, row: asyncpg.Record) -> dict:
            await entries.update_entry(conn, row, {"pinned": pinned})
            return {"before": {"pinned": row["pinned"]}, "after": {"pinned": pinned}}

        return await _change_entry(info, id, "pinEntry", change, write=Write.PIN)

    @strawberry.mutation
    async def delete_entry(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        reason: str,
    ) -> DeletePayload:
        user = info.context.user

        async def change(conn: asyncpg.Connection, row: asyncpg.Record) -> dict:
            if not may_change_entry(user.team, user.id, row["author_id"]):
                raise forbidden("you may delete only your own entries (ADMIN may delete any).", ("id",))
            check = Checker(prefix=())
            check.text("reason", reason, max_len=500, required=True)
            check.settle()
            await entries.soft_delete(conn, row, user.id, redact(reason))
            return {
                "before": {"kind": row["kind"]},
                "after": {"deleted": True, "reason": redact(reason)},
                "op": "delete",
            }

        return await _change_entry(info, id, "deleteEntry", change, payload=DeletePayload)
