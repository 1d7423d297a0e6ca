"""Mutations from billing: bulk invoice upserts by external ref, and payments with allocations."""

from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg
import strawberry

from domain.aging import CLOSED_STATUSES
from domain.entries import EntryKind
from domain.permissions import Write
from domain.records import check_invoice, plausible_ref
from domain.validation import BATCH_MAX, Checker, Problem, Rejected
from schema.mutations.accounts import check_ref
from schema.mutations.base import parse_id, require, run
from schema.mutations.entries import create_entry
from schema.mutations.payloads import EntryPayload, UpsertInvoicesPayload
from schema.types.common import ExternalRefInput, display_amount
from schema.types.invoice import Invoice, InvoiceStatus
from store import accounts, invoices

METHOD_MAX = 100
REFERENCE_MAX = 200


@strawberry.input(description="Keyed by externalRef.")
class InvoiceUpsertInput:
    external_ref: ExternalRefInput
    account_ref: ExternalRefInput = strawberry.field(description="The account's externalRef.")
    number: str
    issued_on: date
    due_on: date
    currency: str
    total: Decimal
    balance: Decimal
    status: InvoiceStatus


@strawberry.input
class PaymentAllocationInput:
    invoice_id: strawberry.ID
    amount: Decimal


@strawberry.input
class RecordPaymentInput:
    account_id: strawberry.ID
    amount: Decimal
    currency: str
    received_on: date
    method: str | None = None
    reference: str | None = None
    allocations: list[PaymentAllocationInput] | None = None
    idempotency_key: str | None = None


def _check_invoice(check: Checker, item: InvoiceUpsertInput) -> None:
    check_ref(check.at("externalRef"), item.external_ref)
    check_ref(check.at("accountRef"), item.account_ref)
    check_invoice(
        check,
        number=item.number,
        currency=item.currency,
        total=item.total,
        balance=item.balance,
        issued_on=item.issued_on,
        due_on=item.due_on,
        status=item.status.value,
    )


async def _resolve_accounts(
    conn: asyncpg.Connection, check: Checker, items: list[InvoiceUpsertInput]
) -> list[invoices.InvoiceUpsert]:
    found = await accounts.account_ids_by_refs(
        conn, [(i.account_ref.system, i.account_ref.id) for i in items if _plausible_ref(i.account_ref)]
    )
    result, seen = [], set()
    for index, item in enumerate(items):
        account_id = found.get((item.account_ref.system, item.account_ref.id))
        key = (item.external_ref.system, item.external_ref.id)
        if account_id is None:
            if _plausible_ref(item.account_ref):
                check.at(index).add("accountRef", "no account has this external ref.", "NOT_FOUND")
            continue
        if key in seen:
            check.at(index).add("externalRef", "this invoice appears twice in the batch.")
        seen.add(key)
        result.append(
            invoices.InvoiceUpsert(
                account_id=account_id,
                system=key[0],
                external_id=key[1],
                number=item.number.strip(),
                issued_on=item.issued_on,
                due_on=item.due_on,
                currency=item.currency,
                total=item.total,
                balance=item.balance,
                status=item.status.value,
            )
        )
    return result


def _plausible_ref(ref: ExternalRefInput) -> bool:
    return plausible_ref(ref.system, ref.id)


def _by_item(problem: Problem) -> tuple[int, ...]:
    """Problems in the order of the items they name; batch-wide ones first."""
    index = problem.field[1] if len(problem.field) > 1 else ""
    return (int(index),) if index.isdigit() else ()


def _money_summary(amount: Decimal, currency: str) -> str:
    return f"Payment of {display_amount(amount)} {currency} received"


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(description="At most 1,000 items; all or nothing.")
    async def upsert_invoices(
        self,
        info: strawberry.Info,
        input: list[InvoiceUpsertInput],
    ) -> UpsertInvoicesPayload:
        user = info.context.user

        async def work(conn: asyncpg.Connection) -> UpsertInvoicesPayload:
            require(info, Write.INVOICES)
            check = Checker()
            check.batch_size(len(input))
            for i, item in enumerate(input):
                _check_invoice(check.at(i), item)
            if len(input) > BATCH_MAX:
                raise Rejected(*check.problems)
            # Unknown accounts are reported with the other problems: the client learns all at once.
            wanted = await _resolve_accounts(conn, check, input)
            if check:
                raise Rejected(*sorted(check.problems, key=_by_item))
            outcome = await invoices.upsert_invoices(
                conn, wanted, actor_id=user.id, team=user.team.value, action="upsertInvoices"
            )
            return UpsertInvoicesPayload(
                invoices=[Invoice.from_row(row) for row in outcome.rows],
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
            )

        return await run(info, UpsertInvoicesPayload, work)

    @strawberry.mutation
    async def record_payment(
        self,
        info: strawberry.Info,
        input: RecordPaymentInput,
    ) -> EntryPayload:
        user = info.context.user

        async def prepare(
            conn: asyncpg.Connection, check: Checker, account_id: UUID, invoice_rows: list
        ) -> dict:
            check.amount("amount", input.amount)
            check.currency("currency", input.currency)
            check.day("receivedOn", input.received_on)
            check.text("method", input.method, max_len=METHOD_MAX)
            check.text("reference", input.reference, max_len=REFERENCE_MAX)
            allocations = input.allocations or []
            for i, allocation in enumerate(allocations):
                check.at("allocations", i).amount("amount", allocation.amount)
            if check:
                return {}
            ids = [
                parse_id(
                    a.invoice_id,
                    "Invoice",
                    ("input", "allocations", str(i), "invoiceId"),
                    "invoice",
                )
                for i, a in enumerate(allocations)
            ]
            if len(set(ids)) != len(ids):
                check.add("allocations", "an invoice appears twice in the allocations.")
                return {}
            locked = await invoices.lock_invoices(conn, account_id, ids)
            problems = []
            for i, (invoice_id, allocation) in enumerate(zip(ids, allocations, strict=True)):
                path = ("input", "allocations", str(i))
                row = locked.get(invoice_id)
                if row is None:
                    problems.append(
                        Problem(
                            (*path, "invoiceId"),
                            "no invoice with this id on this account.",
                            "NOT_FOUND",
                        )
                    )
                elif row["currency"] != input.currency:
                    problems.append(
                        Problem(
                            (*path, "amount"),
                            f"the invoice is in {row['currency']}, the payment in {input.currency}.",
                        )
                    )
                elif row["status"] in CLOSED_STATUSES | {"DRAFT"}:
                    problems.append(
                        Problem(
                            (*path, "invoiceId"),
                            f"the invoice is {row['status']} and takes no payments.",
                        )
                    )
                elif allocation.amount > row["balance"]:
                    problems.append(
                        Problem(
                            (*path, "amount"),
                            f"over-allocation: the invoice's balance is "
                            f"{display_amount(row['balance'])} {row['currency']}.",
                        )
                    )
            if problems:
                raise Rejected(*problems)
            if sum((a.amount for a in allocations), Decimal(0)) > input.amount:
                raise Rejected(
                    Problem(("input", "allocations"), "the allocations add up to more than the payment.")
                )
            payment_id = await invoices.apply_payment(
                conn,
                account_id=account_id,
                amount=input.amount,
                currency=input.currency,
                received_on=input.received_on,
                method=input.method,
                reference=input.reference,
                user_id=user.id,
                team=user.team.value,
                allocations=[(locked[i], a.amount) for i, a in zip(ids, allocations, strict=True)],
            )
            return {
                "amount": input.amount,
                "currency": input.currency,
                "received_on": input.received_on,
                "method": input.method,
                "reference": input.reference,
                "payment_id": payment_id,
                "invoice_ids": ids,
            }

        summary = _money_summary(input.amount, input.currency) if input.amount.is_finite() else ""
        return await create_entry(
            info,
            "recordPayment",
            input,
            Write.INVOICES,
            EntryKind.PAYMENT,
            prepare,
            summary=summary,
        )
