"""What an account owes, per currency, with the five aging buckets.

Amounts in different currencies are never added up or converted: a total
across currencies would need a rate and a date, and AR chases each currency
on its own. The queue restates these rules in SQL (store/collections.py); a
test compares both, so a change here must be made there too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from domain.aging import AgingBucket, bucket, days_overdue
from domain.invoices import NOT_PAYABLE


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    currency: str
    due_on: date
    balance: Decimal
    status: str  # InvoiceStatus name, e.g. "OPEN", "DISPUTED", "PAID"
    disputed: bool  # status DISPUTED or an OPEN dispute names the invoice


@dataclass(frozen=True, slots=True)
class Receivables:
    currency: str
    open: Decimal  # balances of invoices not PAID, VOID, WRITTEN_OFF, nor DRAFT (not yet owed)
    overdue: Decimal  # balances past due on as_of, disputed ones excluded
    disputed: Decimal  # balances of disputed open invoices
    buckets: tuple[tuple[AgingBucket, Decimal], ...]  # all five buckets in AgingBucket order
    open_invoice_count: int
    oldest_days_overdue: int  # max days overdue over open non-disputed invoices, 0 if none


def is_open(invoice: InvoiceFacts) -> bool:
    """Whether something is owed on the invoice now.

    DRAFT invoices are left out: they were never sent, so the customer does not
    owe them yet and chasing them would be wrong. An invoice without a positive
    balance owes nothing whatever its status says (the ERP may lag behind), so
    it is not counted as open either.
    """
    return invoice.status not in NOT_PAYABLE and invoice.balance > 0


def _days(invoice: InvoiceFacts, as_of: date) -> int:
    return days_overdue(invoice.due_on, invoice.balance, invoice.status, as_of)


def is_overdue(invoice: InvoiceFacts, as_of: date) -> bool:
    """Disputed invoices are not overdue: nobody should chase what the customer is contesting."""
    return is_open(invoice) and not invoice.disputed and _days(invoice, as_of) > 0


def receivables(invoices: Iterable[InvoiceFacts], as_of: date) -> list[Receivables]:
    """One summary per currency that has an open invoice, sorted by currency.

    Disputed invoices are still owed, so they count in `open` (and in the
    count); they are shown in `disputed` and kept out of `overdue`, the buckets
    and the oldest days, so a contested amount never pushes the account up the
    collections queue.
    """
    owed = sorted((i for i in invoices if is_open(i)), key=lambda i: i.currency)
    return [_summary(currency, list(group), as_of) for currency, group in groupby(owed, lambda i: i.currency)]


def _summary(currency: str, owed: list[InvoiceFacts], as_of: date) -> Receivables:
    chased = [i for i in owed if not i.disputed]
    amounts = dict.fromkeys(AgingBucket, Decimal(0))
    for invoice in chased:
        amounts[bucket(_days(invoice, as_of))] += invoice.balance
    return Receivables(
        currency=currency,
        open=sum((i.balance for i in owed), Decimal(0)),
        overdue=sum((i.balance for i in chased if is_overdue(i, as_of)), Decimal(0)),
        disputed=sum((i.balance for i in owed if i.disputed), Decimal(0)),
        buckets=tuple(amounts.items()),
        open_invoice_count=len(owed),
        oldest_days_overdue=max((_days(i, as_of) for i in chased), default=0),
    )
