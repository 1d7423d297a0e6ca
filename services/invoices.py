"""Invoices from billing: a batch upserted by external ref, with everything such a change owes the others.

A new invoice or a changed status gets an INVOICE_STATUS entry on the timeline
(written as the actor's team, with no author); every written invoice gets an
audit row and an outbox row, and its account a wake-up. An item equal to its
stored invoice writes nothing, so pushing the same invoices again leaves no trace.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.commands.invoices import InvoiceUpsert
from domain.invoices import status_change_summary
from domain.permissions import Write
from domain.records import check_invoice, check_ref, plausible_ref
from domain.validation import BATCH_MAX, Checker, Problem, Rejected
from store import accounts, changes, entries, invoices, receivables_summary


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    rows: list[asyncpg.Record]  # the invoice of each item, in the order given
    created: int
    updated: int
    unchanged: int


async def upsert_invoices(
    conn: asyncpg.Connection,
    actor: Actor,
    items: Sequence[InvoiceUpsert],
    *,
    action: str,
    occurred_at: datetime | None = None,
) -> UpsertOutcome:
    """Create or update invoices by external ref; all or nothing.

    Problems name the item, e.g. ("input", "3", "dueOn"), and come in the order
    of the items. The status entries happen now unless `occurred_at` says otherwise.
    """
    actor.require(Write.INVOICES)
    placed = await _placed(conn, items)
    return await write_invoices(conn, actor, placed, action=action, occurred_at=occurred_at)


async def write_invoices(
    conn: asyncpg.Connection,
    actor: Actor,
    placed: list[invoices.Placed],
    *,
    action: str,
    occurred_at: datetime | None = None,
) -> UpsertOutcome:
    """Write items already checked by domain/records.py's rules, each ref once, with their accounts found.

    The CSV import checks its rows itself, to name their columns; it comes in here.
    """
    actor.require(Write.INVOICES)
    existing = await invoices.lock_by_refs(conn, placed)
    key = lambda p: (p[0], p[1].system, p[1].external_id)  # noqa: E731
    new = [p for p in placed if key(p) not in existing]
    changed = [p for p in placed if key(p) in existing and p[1].differs_from(existing[key(p)])]
    written = {
        (r["account_id"], r["ext_system"], r["ext_id"]): r
        for r in [*await invoices.insert_invoices(conn, new), *await invoices.update_invoices(conn, changed)]
    }
    status_changes = [
        status_change(row, old and old["status"], row["status"])
        for k, row in written.items()
        if (old := existing.get(k)) is None or old["status"] != row["status"]
    ]
    await record_invoices(
        conn,
        actor,
        action,
        [(row["account_id"], row["id"]) for row in written.values()],
        await entries.insert_status_changes(conn, actor.team.value, status_changes, occurred_at),
    )
    return UpsertOutcome(
        rows=[written.get(key(p)) or existing[key(p)] for p in placed],
        created=len(new),
        updated=len(changed),
        unchanged=len(placed) - len(new) - len(changed),
    )


def status_change(invoice: asyncpg.Record, from_status: str | None, to_status: str) -> entries.StatusChange:
    """The INVOICE_STATUS entry for an invoice that is new (no `from_status`) or changed status."""
    return entries.StatusChange(
        account_id=invoice["account_id"],
        invoice_id=invoice["id"],
        summary=status_change_summary(invoice["number"], from_status, to_status),
        from_status=from_status,
        to_status=to_status,
    )


async def record_invoices(
    conn: asyncpg.Connection,
    actor: Actor,
    action: str | None,
    touched: list[tuple[UUID, UUID]],
    status_entries: list[tuple[UUID, UUID]],
) -> None:
    """What written invoices owe the others: (account_id, invoice_id) and (account_id, entry_id) pairs.

    The touched accounts' receivables summary, an audit row per invoice when `action`
    names the change (a payment audits its own entry instead), outbox rows for the invoices and their status
    entries, and a wake-up for each account. Every write of invoices (upserts, the CSV
    import, payments) passes here: the accounts it touched are those of `touched`.
    """
    await receivables_summary.refresh(conn, (a for a, _ in touched))
    if action is not None:
        await changes.audit_many(
            conn, actor_id=actor.user_id, action=action, entity_type="invoice", items=touched
        )
    await changes.enqueue(conn, "invoice", touched)
    await changes.enqueue(conn, "entry", status_entries)
    await changes.notify(conn, [a for a, _ in touched])


async def _placed(conn: asyncpg.Connection, items: Sequence[InvoiceUpsert]) -> list[invoices.Placed]:
    """The items, checked, with the account each names; Rejected with every problem at once."""
    check = Checker()
    check.batch_size(len(items))
    for i, item in enumerate(items):
        _check(check.at(i), item)
    if len(items) > BATCH_MAX:
        raise Rejected(*check.problems)
    # Unknown accounts are reported with the other problems: the client learns all at once.
    found = await accounts.account_ids_by_refs(
        conn, [i.account_ref for i in items if plausible_ref(*i.account_ref)]
    )
    placed, seen = [], set()
    for index, item in enumerate(items):
        account_id = found.get(item.account_ref)
        if account_id is None:
            if plausible_ref(*item.account_ref):
                check.at(index).add("accountRef", "no account has this external ref.", "NOT_FOUND")
            continue
        if item.ref in seen:
            check.at(index).add("externalRef", "this invoice appears twice in the batch.")
        seen.add(item.ref)
        placed.append((account_id, replace(item, number=item.number.strip())))
    if check:
        raise Rejected(*sorted(check.problems, key=_by_item))
    return placed


def _check(check: Checker, item: InvoiceUpsert) -> None:
    check_ref(check.at("externalRef"), *item.ref)
    check_ref(check.at("accountRef"), *item.account_ref)
    check_invoice(
        check,
        number=item.number,
        currency=item.currency,
        total=item.total,
        balance=item.balance,
        issued_on=item.issued_on,
        due_on=item.due_on,
        status=item.status,
    )


def _by_item(problem: Problem) -> tuple[int, ...]:
    """Problems in the order of the items they name; batch-wide ones first."""
    index = problem.field[1] if len(problem.field) > 1 else ""
    return (int(index),) if index.isdigit() else ()
