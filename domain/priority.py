"""How urgent an overdue account is: the documented priority of the collections queue.

priority = (40 x min(oldest days overdue, 365) / 365       older debt first
            + 20 x max over currencies of overdue / open    most of what they owe is late
            + 5 x max over currencies of log10(1 + overdue) more money, with diminishing weight
            + 15 if a promise broke in the last 180 days
            + 10 if there was financial-difficulty news in the last 90 days)
           x 0.5 if nobody is reachable now                 still listed, but lower
           - 1000 if a promise is open and not yet due      wait: sinks below every other account

Amounts are never converted between currencies; each currency is weighed on
its own and the account takes its largest. The SQL in store/collections.py
applies these weights; `reasons` explains a result in sentences.
"""

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


def reasons(
    *,
    oldest_days: int,
    amounts: list[tuple[str, Decimal, Decimal]],
    broken_promise: bool,
    financial_news: bool,
    reachable_now: bool,
    open_promise: bool,
) -> list[str]:
    """Plain sentences, most important first, for why an account sits where it does."""
    said = [
        f"The oldest overdue invoice is {oldest_days} days past due"
        + (", in the 91+ days bucket." if oldest_days >= SEVERE_DAYS else ".")
    ]
    for currency, overdue, open_ in amounts:
        share = round(overdue / open_ * 100) if open_ else 0
        said.append(f"{overdue:,.2f} {currency} overdue of {open_:,.2f} {currency} open ({share}%).")
    if broken_promise:
        said.append("A promise to pay was broken in the last 180 days.")
    if financial_news:
        said.append("Recent news points to financial difficulty (downsizing or money trouble).")
    if not reachable_now:
        said.append("Nobody can be reached right now, so it ranks lower for the moment.")
    if open_promise:
        said.append("A promise to pay is open and not yet due: wait for it before chasing.")
    return said
