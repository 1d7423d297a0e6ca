"""Fields the executor computes with domain/'s rules, in SQL twins of those rules.

Each twin says which rule it restates; the differential tests run both paths
over the same data, so a twin that drifts from its rule fails them.
"""

from collections.abc import Callable

from compiler import rules
from compiler.builder import Build, Field
from compiler.rules import ENTRY_ORDER, LIVE_ENTRIES, Rule
from domain.aging import AgingBucket, bucket
from domain.entries import DisputeStatus, EntryKind
from domain.invoices import NOT_PAYABLE
from domain.promises import PromiseStatus
from store.sql import literals

# Each bucket's last day, found from domain.aging.bucket itself so the two cannot drift apart.
AGING_BOUNDS = tuple((days, bucket(days).value) for days in range(1000) if bucket(days) != bucket(days + 1))


def _days_overdue(build: Build, field: Field, row: str) -> str:
    """domain.aging.days_overdue in SQL: 0 when nothing is owed or the invoice is closed."""
    as_of = build.argument(field, "date", lambda a, r: a.get("asOf") or r.today())
    return (
        f"CASE WHEN {row}.balance <= 0 OR {row}.status IN ({literals(NOT_PAYABLE)}) THEN 0"
        f" ELSE greatest(0, {as_of} - {row}.due_on) END"
    )


def _aging_bucket(build: Build, field: Field, row: str) -> str:
    """domain.aging.bucket of the days overdue; its bounds come from the domain's."""
    days = _days_overdue(build, field, row)
    limits = " ".join(f"WHEN {days} <= {bound} THEN '{name}'" for bound, name in AGING_BOUNDS)
    return f"CASE {limits} ELSE '{AgingBucket.DAYS_91_PLUS.value}' END"


def _promise_status(build: Build, field: Field, row: str) -> str:
    return promise_status(row, build.argument(field, "date", lambda a, r: r.day(a.get("asOf"))))


def promise_status(row: str, as_of: str) -> str:
    """domain.promises.status in SQL: payments in the promise's currency from the day it was recorded
    up to its deadline (or asOf, if sooner) keep it; past the deadline unpaid it is broken."""
    deadline = f"({row}.promised_for + {row}.grace_days)"
    paid = (
        f"(SELECT coalesce(sum(pay.amount), 0) FROM payments pay"
        f" WHERE pay.account_id = {row}.account_id AND pay.currency = {row}.currency"
        f" AND pay.received_on >= ({row}.recorded_at AT TIME ZONE 'UTC')::date"
        f" AND pay.received_on <= least({deadline}, {as_of}))"
    )
    return (
        f"CASE WHEN {row}.cancelled_at IS NOT NULL THEN '{PromiseStatus.CANCELLED.value}'"
        f" WHEN {paid} >= {row}.amount THEN '{PromiseStatus.KEPT.value}'"
        f" WHEN {as_of} > {deadline} THEN '{PromiseStatus.BROKEN.value}'"
        f" ELSE '{PromiseStatus.OPEN.value}' END"
    )


def _newest_naming(kind: EntryKind, condition: Callable[[Build, str], str]) -> Rule:
    """The newest live, visible entry of a kind naming the invoice and meeting a condition, or null."""

    def rule(build: Build, field: Field, row: str) -> str:
        child = build.alias()
        return (
            f"(SELECT {build.value(field, child)}"
            f" FROM {LIVE_ENTRIES.format(c=child)}{rules.visible(build, child)}"
            f" AND {child}.account_id = {row}.account_id AND {child}.kind = '{kind.value}'"
            f" AND EXISTS (SELECT 1 FROM entry_invoices x WHERE x.account_id = {row}.account_id"
            f" AND x.entry_id = {child}.id AND x.invoice_id = {row}.id)"
            f" AND {condition(build, child)} ORDER BY {ENTRY_ORDER.format(c=child)} LIMIT 1)"
        )

    return rule


def _open_today(build: Build, promise: str) -> str:
    today = build.param("date", lambda binding: binding.readers.today())
    return f"{promise_status(promise, today)} = '{PromiseStatus.OPEN.value}'"


INVOICE_FIELDS = {
    "activePromise": _newest_naming(EntryKind.PROMISE_TO_PAY, _open_today),
    "openDispute": _newest_naming(
        EntryKind.DISPUTE, lambda build, dispute: f"{dispute}.dispute_status = '{DisputeStatus.OPEN.value}'"
    ),
    "daysOverdue": _days_overdue,
    "agingBucket": _aging_bucket,
}
PROMISE_FIELDS = {"status": _promise_status}
