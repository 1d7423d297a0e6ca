"""An invoice as the billing system pushes it: keyed by its external ref, naming its account's."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.invoices import InvoiceStatus


@dataclass(frozen=True, slots=True)
class InvoiceUpsert:
    system: str
    external_id: str
    account_system: str
    account_external_id: str
    number: str
    issued_on: date
    due_on: date
    currency: str
    total: Decimal
    balance: Decimal
    status: InvoiceStatus

    @property
    def ref(self) -> tuple[str, str]:
        return self.system, self.external_id

    @property
    def account_ref(self) -> tuple[str, str]:
        return self.account_system, self.account_external_id

    def differs_from(self, stored: Mapping[str, Any]) -> bool:
        """Whether writing this item would change the stored invoice: an equal push writes nothing."""
        return (
            stored["number"],
            stored["issued_on"],
            stored["due_on"],
            stored["currency"],
            stored["total"],
            stored["balance"],
            stored["status"],
        ) != (
            self.number,
            self.issued_on,
            self.due_on,
            self.currency,
            self.total,
            self.balance,
            self.status,
        )
