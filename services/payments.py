"""Payments: money received, allocated to the account's invoices, which it pays down.

A payment is a PAYMENT entry on the timeline; `apply_payment` is its own part
of that change: the payment and allocation rows, the invoices' new balances and
statuses, an INVOICE_STATUS entry for each status that moves, and their outbox
rows. The entry itself, its audit row and its idempotency are the entry's.
"""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.commands.payments import METHOD_MAX, REFERENCE_MAX, PaymentRecord
from domain.invoices import NOT_PAYABLE, status_after_payment
from domain.money import display_amount
from domain.redaction import redact
from domain.validation import Checker
from services.invoices import record_invoices, status_change
from store import entries, invoices


def summary(amount: Decimal, currency: str) -> str:
    """The PAYMENT entry's summary; empty for an amount that is not a number (refused anyway)."""
    if not amount.is_finite():
        return ""
    return f"Payment of {display_amount(amount)} {currency} received"


async def apply_payment(
    conn: asyncpg.Connection,
    actor: Actor,
    account_id: UUID,
    payment: PaymentRecord,
    check: Checker,
    *,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """Check and record the payment; the PAYMENT entry's own columns, and "invoice_ids" to link.

    Problems go to `check` (paths under its prefix, e.g. ("input", "allocations",
    "0", "amount")) and are raised as Rejected. The status entries happen now
    unless `occurred_at` says otherwise.
    """
    _check(check, payment)
    check.settle()
    # A caller may type the card it was paid with into either: it is masked like every free text.
    payment = replace(payment, method=redact(payment.method), reference=redact(payment.reference))
    ids = [a.invoice_id for a in payment.allocations]
    if len(set(ids)) != len(ids):
        check.add("allocations", "an invoice appears twice in the allocations.")
        check.settle()
    locked = await invoices.lock_invoices(conn, account_id, ids)
    for i, allocation in enumerate(payment.allocations):
        _check_allocation(
            check.at("allocations", i), locked.get(allocation.invoice_id), allocation.amount, payment
        )
    check.settle()
    if sum((a.amount for a in payment.allocations), Decimal(0)) > payment.amount:
        check.add("allocations", "the allocations add up to more than the payment.")
        check.settle()
    payment_id = await invoices.record_payment(conn, account_id, payment, actor.user_id)
    status_changes = []
    for allocation in payment.allocations:
        row = locked[allocation.invoice_id]
        balance = row["balance"] - allocation.amount
        status = status_after_payment(row["status"], balance)
        await invoices.set_balance(conn, account_id, row["id"], balance, status)
        if status != row["status"]:
            status_changes.append(status_change(row, row["status"], status))
    await record_invoices(
        conn,
        actor,
        None,
        [(account_id, invoice_id) for invoice_id in ids],
        await entries.insert_status_changes(conn, actor.team.value, status_changes, occurred_at),
    )
    return {
        "amount": payment.amount,
        "currency": payment.currency,
        "received_on": payment.received_on,
        "method": payment.method,
        "reference": payment.reference,
        "payment_id": payment_id,
        "invoice_ids": ids,
    }


def _check(check: Checker, payment: PaymentRecord) -> None:
    check.amount("amount", payment.amount)
    check.currency("currency", payment.currency)
    check.day("receivedOn", payment.received_on)
    check.text("method", payment.method, max_len=METHOD_MAX)
    check.text("reference", payment.reference, max_len=REFERENCE_MAX)
    for i, allocation in enumerate(payment.allocations):
        check.at("allocations", i).amount("amount", allocation.amount)


def _check_allocation(
    check: Checker, invoice: asyncpg.Record | None, amount: Decimal, payment: PaymentRecord
) -> None:
    """One allocation against its (locked) invoice: on this account, same currency, open, not overpaid."""
    if invoice is None:
        check.add("invoiceId", "no invoice with this id on this account.", "NOT_FOUND")
    elif invoice["currency"] != payment.currency:
        check.add("amount", f"the invoice is in {invoice['currency']}, the payment in {payment.currency}.")
    elif invoice["status"] in NOT_PAYABLE:
        check.add("invoiceId", f"the invoice is {invoice['status']} and takes no payments.")
    elif amount > invoice["balance"]:
        balance = f"{display_amount(invoice['balance'])} {invoice['currency']}"
        check.add("amount", f"over-allocation: the invoice's balance is {balance}.")
