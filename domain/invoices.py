"""An invoice's status and the rules that move it: what the ERP says, and what a payment does.

`InvoiceStatus` is a StrEnum so a status read from the database compares equal
to its member: the rules below take either.
"""

from decimal import Decimal
from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    DISPUTED = "DISPUTED"
    WRITTEN_OFF = "WRITTEN_OFF"
    VOID = "VOID"


# Nothing more will be paid on these.
CLOSED_STATUSES = frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.WRITTEN_OFF})
# DRAFT invoices have not been sent, so nothing is owed on them yet.
NOT_YET_OWED = frozenset({InvoiceStatus.DRAFT})
# Neither closed nor draft invoices take payments or count as overdue.
NOT_PAYABLE = CLOSED_STATUSES | NOT_YET_OWED


def status_change_summary(number: str, from_status: str | None, to_status: str) -> str:
    """The summary of the INVOICE_STATUS entry a new invoice or a status change writes."""
    if from_status is None:
        return f"Invoice {number} recorded as {to_status}"
    return f"Invoice {number}: {from_status} → {to_status}"


def status_after_payment(status_before: str, balance_after: Decimal) -> InvoiceStatus:
    """An invoice paid down to nothing is PAID; anything left makes it PARTIALLY_PAID, except
    that a disputed one stays DISPUTED: paying part of it does not settle the dispute, and AR
    must still see it as disputed (not chased as overdue)."""
    if balance_after == 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.DISPUTED if status_before == InvoiceStatus.DISPUTED else InvoiceStatus.PARTIALLY_PAID
