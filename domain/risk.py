"""Risk flags: what anyone should know before contacting a customer.

The call brief and the collections queue gather the same facts in different
ways (Python over one account's rows, SQL over all accounts); both turn them
into flags here, so the two never disagree on the meaning of a flag.
"""

from dataclasses import dataclass
from enum import Enum

SEVERE_DAYS = 91  # the first day of the DAYS_91_PLUS bucket
NEWS_LOOKBACK_DAYS = 90
FINANCIAL_NEWS = frozenset({"DOWNSIZING", "FINANCIAL_DIFFICULTY"})
BILLING_ROLES = frozenset({"BILLING", "ACCOUNTS_PAYABLE"})


class RiskFlag(Enum):
    DO_NOT_CONTACT = "DO_NOT_CONTACT"
    NOT_REACHABLE_NOW = "NOT_REACHABLE_NOW"
    BROKEN_PROMISE = "BROKEN_PROMISE"
    OPEN_PROMISE = "OPEN_PROMISE"
    OPEN_DISPUTE = "OPEN_DISPUTE"
    FINANCIAL_DIFFICULTY_NEWS = "FINANCIAL_DIFFICULTY_NEWS"
    NO_BILLING_CONTACT = "NO_BILLING_CONTACT"
    SEVERELY_OVERDUE = "SEVERELY_OVERDUE"


@dataclass(frozen=True, slots=True)
class AccountFacts:
    all_do_not_contact: bool  # it has contacts and every one is do-not-contact
    reachable_now: bool  # some contact is reachable at the moment asked about
    broken_promise: bool  # a promise broke in the last 180 days
    open_promise: bool
    open_dispute: bool
    financial_news: bool  # DOWNSIZING or FINANCIAL_DIFFICULTY news in the last 90 days
    billing_contact: bool  # a BILLING or ACCOUNTS_PAYABLE contact who may be contacted
    oldest_days_overdue: int


def risk_flags(facts: AccountFacts) -> list[RiskFlag]:
    """The flags that hold, in the order of RiskFlag."""
    holds = {
        RiskFlag.DO_NOT_CONTACT: facts.all_do_not_contact,
        RiskFlag.NOT_REACHABLE_NOW: not facts.reachable_now,
        RiskFlag.BROKEN_PROMISE: facts.broken_promise,
        RiskFlag.OPEN_PROMISE: facts.open_promise,
        RiskFlag.OPEN_DISPUTE: facts.open_dispute,
        RiskFlag.FINANCIAL_DIFFICULTY_NEWS: facts.financial_news,
        RiskFlag.NO_BILLING_CONTACT: not facts.billing_contact,
        RiskFlag.SEVERELY_OVERDUE: facts.oldest_days_overdue >= SEVERE_DAYS,
    }
    return [flag for flag in RiskFlag if holds[flag]]
