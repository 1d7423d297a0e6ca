"""What an ERP pushes through `upsertInvoices`: batches of new invoices, changes and resends.

A feed is one pusher's stream, deterministic from its seed: the same seed
gives the same batches. Most items are new invoices; some change invoices the
feed sent earlier (paid, part-paid, disputed, voided, issued from draft); a
few resend an earlier invoice unchanged, as ERPs do when they sync a whole
period again. Each batch comes with the created/updated/unchanged counts the
server must answer with, so a miscount is caught, not just an error.
"""

# ruff: noqa: S311  (seeded test data, not secrets)

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

# The external system of the feed's invoices, so a later run can tell them from the seed's and remove them.
SYSTEM = "erp-bench"
CHANGED_SHARE = 0.25
RESENT_SHARE = 0.05  # the rest, 70% once the feed has history, are new
CENTS = Decimal("0.01")
# Where an invoice may go next; PAID and VOID are final, so they leave the pool of changeable ones.
_NEXT = {
    "DRAFT": ("OPEN",),
    "OPEN": ("PAID", "PAID", "PARTIALLY_PAID", "DISPUTED", "VOID"),
    "PARTIALLY_PAID": ("PAID", "PAID", "DISPUTED"),
    "DISPUTED": ("OPEN", "VOID", "PARTIALLY_PAID"),
}


@dataclass(frozen=True, slots=True)
class Sent:
    ref: str
    account: str
    number: str
    issued_on: date
    due_on: date
    currency: str
    total: Decimal
    balance: Decimal
    status: str

    def item(self) -> dict:
        return {
            "externalRef": {"system": SYSTEM, "id": self.ref},
            "accountRef": {"system": "erp", "id": self.account},
            "number": self.number,
            "issuedOn": self.issued_on.isoformat(),
            "dueOn": self.due_on.isoformat(),
            "currency": self.currency,
            "total": str(self.total),
            "balance": str(self.balance),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Expected:
    created: int
    updated: int
    unchanged: int


class InvoiceFeed:
    def __init__(self, seed: str, accounts: list[tuple[str, str]], anchor: date, size: int = 1000) -> None:
        """`accounts`: (erp external id, currency) pairs the invoices are spread over."""
        self.rng = random.Random(seed)
        self.stream = seed.replace(":", "-")
        self.accounts = accounts
        self.anchor = anchor
        self.size = size
        self.open: list[Sent] = []  # sent and not final: may change in a later batch
        self.closed: list[Sent] = []
        self.sent = 0

    def batch(self) -> tuple[list[dict], Expected]:
        rng = self.rng
        picked = set(rng.sample(range(len(self.open)), min(len(self.open), round(self.size * CHANGED_SHARE))))
        updates = [self._change(self.open[i]) for i in sorted(picked)]
        kept = [s for i, s in enumerate(self.open) if i not in picked]
        resendable = kept + self.closed
        resends = rng.sample(resendable, min(len(resendable), round(self.size * RESENT_SHARE)))
        news = [self._new() for _ in range(self.size - len(updates) - len(resends))]
        self.open = kept + [s for s in updates + news if s.status in _NEXT]
        self.closed += [s for s in updates + news if s.status not in _NEXT]
        items = [s.item() for s in news + updates + resends]
        rng.shuffle(items)
        return items, Expected(created=len(news), updated=len(updates), unchanged=len(resends))

    def _new(self) -> Sent:
        rng = self.rng
        self.sent += 1
        account, currency = rng.choice(self.accounts)
        issued = self.anchor - timedelta(days=rng.randint(0, 45))
        total = Decimal(f"{min(250_000.0, max(20.0, rng.lognormvariate(7.4, 1.0))):.2f}")
        status = rng.choices(("OPEN", "DRAFT", "PAID"), weights=(85, 10, 5))[0]
        return Sent(
            ref=f"{self.stream}-{self.sent:07d}",
            account=account,
            number=f"BX-{self.stream}-{self.sent:07d}",
            issued_on=issued,
            due_on=issued + timedelta(days=rng.choice((14, 30, 30, 30, 45, 60))),
            currency=currency,
            total=total,
            balance=Decimal(0) if status == "PAID" else total,
            status=status,
        )

    def _change(self, sent: Sent) -> Sent:
        status = self.rng.choice(_NEXT[sent.status])
        if status == "PARTIALLY_PAID":
            balance = (sent.balance * Decimal(self.rng.uniform(0.2, 0.8))).quantize(CENTS)
        elif status in ("PAID", "VOID"):
            balance = Decimal(0)
        elif sent.status == "DRAFT":
            balance = sent.total
        else:
            balance = sent.balance
        return replace(sent, status=status, balance=balance)
