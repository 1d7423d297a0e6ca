"""New timeline entries, written one way for every caller: notes, interactions, news, promises,
disputes, payment plans, follow-ups and payments.

Problems are reported at the input paths the GraphQL mutations use (("input",
"summary"), ...), so userErrors read the same whoever the caller is.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.commands.entries import (
    DisputeDetail,
    FollowUpDetail,
    InteractionDetail,
    NewEntry,
    NewsDetail,
    NoteDetail,
    PlanDetail,
    PromiseDetail,
)
from domain.commands.payments import PaymentRecord
from domain.entries import (
    DEFAULT_GRACE_DAYS,
    GRACE_DAYS_MAX,
    INSTALLMENTS_MAX,
    INTERACTION_KINDS,
    DisputeStatus,
    EntryKind,
    Visibility,
    plan_summary,
    promise_summary,
)
from domain.permissions import Write
from domain.redaction import redact
from domain.validation import Checker, Problem, Rejected, forbidden, not_found
from services import idempotency, notifications, payments
from store import accounts, changes, contacts, entries, invoices, mentions, receivables_summary

IDEMPOTENCY_KEY_MAX = 200

# What a kind adds to the entry's columns: (conn, check, detail, account_id, invoice rows) -> columns,
# plus "invoice_ids" to link beyond the ones the entry names. Problems go to `check`.
Columns = Callable[[asyncpg.Connection, Checker, Any, UUID, list[asyncpg.Record]], Awaitable[dict]]


async def record(
    conn: asyncpg.Connection,
    actor: Actor,
    action: str,
    account_id: UUID,
    entry_id: UUID,
    *,
    before: dict | None = None,
    after: dict | None = None,
    op: str = "upsert",
) -> None:
    """The audit row, outbox row, timeline event and wake-up of one entry change."""
    await changes.record(
        conn,
        actor_id=actor.user_id,
        action=action,
        entity_type="entry",
        account_id=account_id,
        entity_id=entry_id,
        before=before,
        after=after,
        op=op,
    )


def check_text(check: Checker, summary: str | None, body: str | None, tags: tuple[str, ...] | None) -> None:
    """The free-text rules shared by a new entry and an edit (a summary may be left out of both)."""
    check.summary(summary, required=False)
    if summary is not None and not summary.strip():
        check.add("summary", "summary must not be blank.")
    check.body(body)
    check.tags(tags)


def _check_entry(check: Checker, entry: NewEntry, default_summary: str | None) -> None:
    check.instant("occurredAt", entry.occurred_at)
    if isinstance(entry.detail, FollowUpDetail):
        check.instant("dueAt", entry.detail.due_at)
    check_text(check, entry.summary, entry.body, entry.tags)
    if entry.summary is None and default_summary is None:
        check.add("summary", "summary is required.")
    key = entry.idempotency_key
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        check.add("idempotencyKey", f"idempotencyKey must be 1-{IDEMPOTENCY_KEY_MAX} characters.")


async def _links(
    conn: asyncpg.Connection, account_id: UUID, entry: NewEntry
) -> tuple[UUID | None, list[UUID], list[asyncpg.Record]]:
    """The contact and invoices an entry names, which must belong to its account."""
    if entry.contact_id is not None:
        found = (await contacts.contacts_by_ids(conn, [entry.contact_id])).get(entry.contact_id)
        if found is None or found["account_id"] != account_id:
            raise not_found(("input", "contactId"), "contact on this account")
    found_invoices = await invoices.invoices_by_ids(conn, list(entry.invoice_ids))
    missing = [
        Problem(("input", "invoiceIds", str(i)), "no invoice with this id on this account.", "NOT_FOUND")
        for i, invoice_id in enumerate(entry.invoice_ids)
        if invoice_id not in found_invoices or found_invoices[invoice_id]["account_id"] != account_id
    ]
    if missing:
        raise Rejected(*missing)
    invoice_ids = list(dict.fromkeys(entry.invoice_ids))
    return entry.contact_id, invoice_ids, [found_invoices[i] for i in entry.invoice_ids]


async def _no_columns(
    conn: asyncpg.Connection, check: Checker, detail: Any, account_id: UUID, invoice_rows: list
) -> dict:
    return {}


@dataclass(frozen=True, slots=True)
class _KindRules:
    """What differs between kinds of entry; the rest of new_entry is the same for every kind and caller."""

    operation: str
    write: Write
    kind: EntryKind
    columns: Columns = _no_columns
    default_summary: str | None = None


async def _interaction(
    conn: asyncpg.Connection, check: Checker, detail: InteractionDetail, account_id: UUID, invoice_rows: list
) -> dict:
    if detail.kind not in INTERACTION_KINDS:
        check.add("kind", "an interaction is a CALL, EMAIL, MEETING, LETTER or SMS.")
    return {"direction": detail.direction.value, "outcome": detail.outcome.value if detail.outcome else None}


async def _news(
    conn: asyncpg.Connection, check: Checker, detail: NewsDetail, account_id: UUID, invoice_rows: list
) -> dict:
    return {"category": detail.category.value}


async def _promise(
    conn: asyncpg.Connection, check: Checker, detail: PromiseDetail, account_id: UUID, invoice_rows: list
) -> dict:
    grace = DEFAULT_GRACE_DAYS if detail.grace_days is None else detail.grace_days
    check.amount("amount", detail.amount)
    check.currency("currency", detail.currency)
    check.day("promisedFor", detail.promised_for)
    if not 0 <= grace <= GRACE_DAYS_MAX:
        check.add("graceDays", f"graceDays must be between 0 and {GRACE_DAYS_MAX}.")
    for i, row in enumerate(invoice_rows):
        if row["currency"] != detail.currency:
            check.at("invoiceIds").add(
                i, f"the invoice is in {row['currency']}, the promise in {detail.currency}."
            )
    return {
        "amount": detail.amount,
        "currency": detail.currency,
        "promised_for": detail.promised_for,
        "grace_days": grace,
    }


async def _dispute(
    conn: asyncpg.Connection, check: Checker, detail: DisputeDetail, account_id: UUID, invoice_rows: list
) -> dict:
    if not invoice_rows:
        check.add("invoiceIds", "a dispute names at least one invoice.")
        return {}
    currencies = {row["currency"] for row in invoice_rows}
    check.amount("amount", detail.amount)
    if detail.amount is not None and len(currencies) > 1:
        check.add("amount", "the invoices are in several currencies; dispute them separately.")
    return {
        "dispute_reason": detail.reason.value,
        "dispute_status": DisputeStatus.OPEN.value,
        "amount": detail.amount,
        "currency": currencies.pop() if detail.amount is not None else None,
    }


async def _plan(
    conn: asyncpg.Connection, check: Checker, detail: PlanDetail, account_id: UUID, invoice_rows: list
) -> dict:
    check.currency("currency", detail.currency)
    if not 1 <= len(detail.installments) <= INSTALLMENTS_MAX:
        check.add("installments", f"a plan has 1 to {INSTALLMENTS_MAX} installments.")
    for i, installment in enumerate(detail.installments):
        check.at("installments", i).day("dueOn", installment.due_on)
        check.at("installments", i).amount("amount", installment.amount)
    plan = sorted(detail.installments, key=lambda item: item.due_on)
    return {
        "currency": detail.currency,
        "installments": [{"dueOn": item.due_on.isoformat(), "amount": str(item.amount)} for item in plan],
    }


async def _follow_up(
    conn: asyncpg.Connection, check: Checker, detail: FollowUpDetail, account_id: UUID, invoice_rows: list
) -> dict:
    return {"due_at": detail.due_at, "assignee_id": detail.assignee_id, "done": False}


def _payment(actor: Actor, occurred_at: datetime | None) -> Columns:
    """A payment's columns; the invoices' status entries happen when it does (a loaded history's time)."""

    async def columns(
        conn: asyncpg.Connection, check: Checker, detail: PaymentRecord, account_id: UUID, invoice_rows: list
    ) -> dict:
        return await payments.apply_payment(conn, actor, account_id, detail, check, occurred_at=occurred_at)

    return columns


def _rules(actor: Actor, entry: NewEntry) -> _KindRules:
    """How the kind the detail says is written; audited as the mutation that writes that kind."""
    match entry.detail:
        case NoteDetail():
            return _KindRules("logNote", Write.NOTES, EntryKind.NOTE)
        case InteractionDetail(kind=kind):
            return _KindRules("logInteraction", Write.NOTES, kind, _interaction)
        case NewsDetail():
            return _KindRules("logNews", Write.NOTES, EntryKind.NEWS, _news)
        case PromiseDetail(amount=amount, currency=currency, promised_for=promised_for):
            summary = promise_summary(amount, currency, promised_for)
            return _KindRules("recordPromise", Write.PROMISES, EntryKind.PROMISE_TO_PAY, _promise, summary)
        case DisputeDetail():
            return _KindRules("openDispute", Write.DISPUTES, EntryKind.DISPUTE, _dispute)
        case PlanDetail(currency=currency, installments=installments):
            summary = plan_summary((i.amount for i in installments), currency)
            return _KindRules("createPaymentPlan", Write.PROMISES, EntryKind.PAYMENT_PLAN, _plan, summary)
        case FollowUpDetail():
            return _KindRules("createFollowUp", Write.NOTES, EntryKind.FOLLOW_UP, _follow_up)
        case PaymentRecord(amount=amount, currency=currency):
            columns, summary = _payment(actor, entry.occurred_at), payments.summary(amount, currency)
            return _KindRules("recordPayment", Write.INVOICES, EntryKind.PAYMENT, columns, summary)
    raise TypeError(f"no entry kind has the detail {entry.detail!r}")


async def new_entry(
    conn: asyncpg.Connection,
    actor: Actor,
    entry: NewEntry,
    then: Callable[[UUID], Awaitable[object]] | None = None,
) -> UUID | None:
    """Check, redact and write `entry`, of the kind its detail says, with its audit, outbox and event rows.

    Returns the entry's id; a retry under the same idempotency key returns the
    first request's entry (None only if that one left no result). `then` runs
    after the write, in the same transaction, but not on such a retry: what
    follows from the entry happens once.
    """
    rules = _rules(actor, entry)
    actor.require(rules.write)
    check = Checker()
    _check_entry(check, entry, rules.default_summary)
    visibility = entry.visibility or Visibility.ALL_TEAMS
    if visibility == Visibility.RESTRICTED and not actor.sees_restricted:
        raise forbidden("only AR and ADMIN may restrict an entry.", ("input", "visibility"))
    check.settle()
    if not await accounts.accounts_by_ids(conn, [entry.account_id]):
        raise not_found(("input", "accountId"), "account")
    prior = await idempotency.claim(conn, actor, rules.operation, entry)
    if prior is not None:
        return prior.result_id
    contact_id, invoice_ids, invoice_rows = await _links(conn, entry.account_id, entry)
    mention_ids = await notifications.check_people(
        conn, entry.mention_ids, visibility, ("input", "mentionIds")
    )
    assignee_id = entry.detail.assignee_id if isinstance(entry.detail, FollowUpDetail) else None
    if assignee_id is not None:
        await notifications.check_people(
            conn, [assignee_id], visibility, ("input", "assigneeId"), listed=False
        )
    extra = await rules.columns(conn, check, entry.detail, entry.account_id, invoice_rows)
    check.settle()
    invoice_ids = list(dict.fromkeys([*invoice_ids, *extra.pop("invoice_ids", [])]))
    fields = {
        "account_id": entry.account_id,
        "kind": rules.kind.value,
        "occurred_at": entry.occurred_at or datetime.now(UTC),
        "author_id": actor.user_id,
        "team": actor.team.value,
        "summary": redact(entry.summary or rules.default_summary),
        "body": redact(entry.body),
        "contact_id": contact_id,
        "tags": list(entry.tags or []),
        "visibility": visibility.value,
        **extra,
    }
    entry_id = await entries.insert_entry(conn, fields, invoice_ids)
    if mention_ids:
        await mentions.set_mentions(conn, entry.account_id, entry_id, mention_ids)
    await notifications.notify(
        conn,
        actor,
        entry.account_id,
        entry_id,
        kind=rules.kind,
        visibility=visibility,
        mentioned=mention_ids,
        assignee_id=assignee_id,
    )
    after = {"kind": rules.kind.value, "visibility": visibility.value}
    await record(conn, actor, rules.operation, entry.account_id, entry_id, after=after)
    if then is not None:
        await then(entry_id)
    if rules.kind in receivables_summary.KINDS:  # after `then`: a payment's rows are written there
        await receivables_summary.refresh(conn, [entry.account_id])
    await idempotency.complete(conn, actor, entry, entry.account_id, entry_id)
    return entry_id
