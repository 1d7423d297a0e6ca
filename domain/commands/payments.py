"""A payment received: the detail of a PAYMENT entry, and the invoices it pays down."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

METHOD_MAX = 100
REFERENCE_MAX = 200


@dataclass(frozen=True, slots=True)
class Allocation:
    invoice_id: UUID
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    amount: Decimal
    currency: str
    received_on: date
    method: str | None = None
    reference: str | None = None
    allocations: tuple[Allocation, ...] = ()
