"""How urgent an overdue account is: the documented priority of the collections queue.

An open promise to pay (not kept, not yet past its deadline) covers part of
the overdue money: the invoices it names, its amount spread over them oldest
due first; or, naming none, its amount against the oldest overdue invoices in
its currency. It covers only what is still promised (its amount less what was
paid towards it), so a payment is never counted twice. What no open promise
covers is "unpromised", and that is what the priority weighs:

priority = (40 x min(oldest days overdue of unpromised money, 365) / 365    older debt first
            + 20 x max over currencies of unpromised / open     most of what they owe is late
            + 5 x max over currencies of log10(1 + unpromised)  more money, with diminishing weight
            + 15 if a promise broke in the last 180 days
            + 10 if there was financial-difficulty news in the last 90 days)
           x 0.5 if nobody is reachable now                     still listed, but lower
           - 1000 if open promises cover all of the overdue     wait: sinks below every other account

So a promise for part of the debt lowers the account only by what it covers;
the rest is chased as if there were no promise. Amounts are never converted
between currencies; each currency is weighed on its own and the account takes
its largest. The SQL in store/collections.py applies these rules and weights;
`reasons` explains a result in sentences.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.risk import SEVERE_DAYS


@dataclass(frozen=True, slots=True)
class Weights:
    days: float = 40.0
    share: float = 20.0
    amount: float = 5.0
    broken_promise: float = 15.0
    financial_news: float = 10.0
    unreachable_factor: float = 0.5
    open_promise_penalty: float = 1000.0


WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Owed:
    """One currency of an account in the queue."""

    currency: str
    overdue: Decimal  # past due, disputed invoices excluded
    open: Decimal  # everything still owed, disputed and not yet due included
    unpromised: Decimal  # the part of `overdue` no open promise covers

    @property
    def promised(self) -> Decimal:
        return self.overdue - self.unpromised


def reasons(
    *,
    oldest_days: int,
    owed: list[Owed],
    broken_promise: bool,
    financial_news: bool,
    reachable_now: bool,
    open_promise: bool,
) -> list[str]:
    """Plain sentences, most important first, for why an account sits where it does.

    Promises get one sentence, so a broken promise and an open one never read
    as two verdicts ("chase" and "wait") on the same money.
    """
    said = [
        f"The oldest overdue invoice is {oldest_days} days past due"
        + (", in the 91+ days bucket." if oldest_days >= SEVERE_DAYS else ".")
    ]
    for o in owed:
        share = round(o.overdue / o.open * 100) if o.open else 0
        said.append(f"{o.overdue:,.2f} {o.currency} overdue of {o.open:,.2f} {o.currency} open ({share}%).")
    promise = _promises(owed, broken_promise, open_promise)
    if promise:
        said.append(promise)
    if financial_news:
        said.append("Recent news points to financial difficulty (downsizing or money trouble).")
    if not reachable_now:
        said.append("Nobody can be reached right now, so it ranks lower for the moment.")
    return said


def _promises(owed: list[Owed], broken_promise: bool, open_promise: bool) -> str | None:
    broken = "A promise to pay was broken in the last 180 days"
    if not open_promise:
        return broken + "." if broken_promise else None
    lead = f"{broken}, and promised payments due later" if broken_promise else "Promised payments not yet due"
    promised = _amounts((o.promised, o.currency) for o in owed)
    if not promised:
        return f"{lead} cover none of the overdue amount."
    unpromised = _amounts((o.unpromised, o.currency) for o in owed)
    if not unpromised:
        return f"{lead} cover all of the overdue amount: wait for them before chasing."
    return f"{lead} cover {promised} of the overdue amount; the rest ({unpromised}) is chased as usual."


def _amounts(amounts: Iterable[tuple[Decimal, str]]) -> str:
    """The non-zero amounts as a list, e.g. 1,200.00 EUR, 80.00 GBP and 5.00 USD: never added up."""
    said = [f"{amount:,.2f} {currency}" for amount, currency in amounts if amount > 0]
    return f"{', '.join(said[:-1])} and {said[-1]}" if len(said) > 1 else "".join(said)
