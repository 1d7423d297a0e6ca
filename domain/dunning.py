"""Dunning: which reminder an account is due, for which invoices, to whom, when, or why not.

A policy is a list of steps at offsets (days) from the due date of the
account's oldest unpaid, undisputed invoice: the cycle date. An account is due
the step with the largest offset it has reached; earlier steps it never got are
not sent late. One message per account, cycle and step covers every invoice
the step concerns (one summary per customer), so the planner is idempotent.
The verdict is a pure function of the account's facts, in the order the
reasons are checked: a pause, an open promise, disputes, the contacts, then
customer news and approval, which draft instead of send.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from uuid import UUID
from zoneinfo import ZoneInfo

from domain import promises
from domain.risk import BILLING_ROLES
from domain.validation import Checker
from domain.windows import HORIZON, PREFERRED, Window, is_reachable, reachability

STEPS_MAX = 20
OFFSET_MIN, OFFSET_MAX = -90, 365
POLICY_NAME_MAX = 100
# A contact who stated no preferred times is written to in office hours, their time, not at midnight.
# The template a customer gets once they have settled what a reminder asked for (if it exists).
THANK_YOU_TEMPLATE = "thank-you"
OFFICE_HOURS = Window(
    kind=PREFERRED, days_of_week=("MON", "TUE", "WED", "THU", "FRI"), start_time=time(9), end_time=time(17)
)


class MessageStatus(Enum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"  # handed to the mail server, not yet confirmed; shown as SCHEDULED
    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class Step:
    offset_days: int
    template_name: str
    requires_approval: bool = False


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    id: UUID
    number: str
    due_on: date
    balance: Decimal
    currency: str
    disputed: bool


@dataclass(frozen=True, slots=True)
class Person:
    id: UUID
    name: str
    email: str | None
    roles: tuple[str, ...]
    do_not_contact: bool
    language: str | None
    time_zone: str
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True, slots=True)
class News:
    category: str
    summary: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AccountFacts:
    invoices: Sequence[OpenInvoice]
    people: Sequence[Person]
    promises: Sequence[promises.Promise]
    payments: Sequence[promises.Payment]
    financial_news: Sequence[News] = ()  # DOWNSIZING / FINANCIAL_DIFFICULTY of the last 90 days
    paused_until: datetime | None = None
    pause_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    status: MessageStatus
    reason: str
    step: Step
    cycle_on: date
    invoices: tuple[OpenInvoice, ...] = ()
    contact: Person | None = None
    scheduled_for: datetime | None = None


def check_steps(check: Checker, steps: Sequence[Step]) -> None:
    if not 1 <= len(steps) <= STEPS_MAX:
        check.add("steps", f"a policy has 1 to {STEPS_MAX} steps.")
    seen: dict[int, int] = {}
    for i, step in enumerate(steps):
        at = check.at("steps", i)
        if not OFFSET_MIN <= step.offset_days <= OFFSET_MAX:
            at.add("offsetDays", f"offsetDays must be between {OFFSET_MIN} and {OFFSET_MAX}.")
        if step.offset_days in seen:
            at.add("offsetDays", f"steps {seen[step.offset_days]} and {i} have the same offsetDays.")
        seen.setdefault(step.offset_days, i)
        if not step.template_name.strip():
            at.add("templateName", "templateName is required.")


def cycle_on(invoices: Sequence[OpenInvoice]) -> date | None:
    """The due date the steps count from: the oldest undisputed invoice owed, else the oldest disputed."""
    owed = [i for i in invoices if i.balance > 0]
    undisputed = [i.due_on for i in owed if not i.disputed]
    return min(undisputed or [i.due_on for i in owed], default=None)


def due_step(steps: Sequence[Step], cycle: date, today: date) -> Step | None:
    reached = [s for s in steps if cycle + timedelta(days=s.offset_days) <= today]
    return max(reached, key=lambda s: s.offset_days, default=None)


def concerned(invoices: Sequence[OpenInvoice], step: Step, today: date) -> list[OpenInvoice]:
    """What a step is about: every invoice owed that is overdue, or falls due within a heads-up's days."""
    until = today + timedelta(days=max(0, -step.offset_days))
    return [i for i in invoices if i.balance > 0 and i.due_on <= until]


def contact_order(people: Sequence[Person], reachable: Mapping[UUID, bool]) -> list[Person]:
    """Billing and accounts payable people first, reachable ones first, then by name; never do-not-contact."""
    allowed = [p for p in people if not p.do_not_contact]
    return sorted(
        allowed,
        key=lambda p: (
            not BILLING_ROLES & set(p.roles),
            not reachable.get(p.id, False),
            p.name.lower(),
            p.id,
        ),
    )


def settled(facts: AccountFacts, today: date) -> bool:
    """Nothing overdue is left to chase: the moment to say thank you after a reminder."""
    return not any(i.balance > 0 and not i.disputed and i.due_on < today for i in facts.invoices)


def send_time(person: Person, at: datetime) -> datetime | None:
    """The first moment from `at` inside the person's reachable hours (office hours if they named none)."""
    rules = list(person.windows)
    if not any(w.kind == PREFERRED for w in rules):
        rules.append(OFFICE_HOURS)
    if is_reachable(rules, False, ZoneInfo(person.time_zone), at):
        return at
    return reachability(rules, False, person.time_zone, at).next_reachable_at


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def verdict(
    steps: Sequence[Step], facts: AccountFacts, at: datetime, ongoing: date | None = None
) -> Verdict | None:
    """The message the account is due at `at`, or None when no step is due.

    `ongoing` is the cycle of an earlier reminder about an invoice still owed: paying the
    oldest invoice does not start the steps over for the others.
    """
    today = at.astimezone(UTC).date()
    cycle = cycle_on(facts.invoices)
    if cycle is None:
        return None
    if ongoing is not None:
        cycle = min(cycle, ongoing)
    step = due_step(steps, cycle, today)
    if step is None:
        return None
    about = concerned(facts.invoices, step, today)
    if not about:
        return None
    undisputed = tuple(i for i in about if not i.disputed)

    def skipped(reason: str, **more) -> Verdict:
        return Verdict(MessageStatus.SKIPPED, reason, step, cycle, undisputed, **more)

    if facts.paused_until is not None and facts.paused_until > at:
        why = f": {facts.pause_reason}" if facts.pause_reason else ""
        return skipped(f"dunning is paused until {facts.paused_until.isoformat()}{why}.")
    for promise in facts.promises:
        if promises.status(promise, facts.payments, today) == promises.PromiseStatus.OPEN:
            amount = _money(promise.amount, promise.currency)
            breaks = promises.broken_on(promise).isoformat()
            return skipped(
                f"open promise to pay {amount} by {promise.promised_for.isoformat()}:"
                f" paused until it breaks ({breaks}).",
            )
    if not undisputed:
        return skipped("every invoice this step concerns is disputed.")
    allowed = [p for p in facts.people if not p.do_not_contact]
    if facts.people and not allowed:
        return skipped("every contact is marked do not contact.")
    with_address = [p for p in allowed if p.email]
    if not with_address:
        return skipped("no contact with an email address.")
    reachable = {p.id: is_reachable(p.windows, False, ZoneInfo(p.time_zone), at) for p in with_address}
    person = contact_order(with_address, reachable)[0]
    when = send_time(person, at)
    if when is None:
        return skipped(f"{person.name} is not reachable in the next {HORIZON.days} days.", contact=person)
    if facts.financial_news:
        news = max(facts.financial_news, key=lambda n: n.occurred_at)
        day = news.occurred_at.astimezone(UTC).date().isoformat()
        reason = f'drafted for approval: {news.category} news on {day}: "{news.summary}".'
        return Verdict(MessageStatus.DRAFT, reason, step, cycle, undisputed, person, when)
    if step.requires_approval:
        reason = f"step {step.offset_days:+d} needs approval before it is sent."
        return Verdict(MessageStatus.DRAFT, reason, step, cycle, undisputed, person, when)
    where = f"{person.time_zone}, " if person.time_zone else ""
    reason = f"first reachable time for {person.name} ({where}{_local(when, person.time_zone)})."
    return Verdict(MessageStatus.SCHEDULED, reason, step, cycle, undisputed, person, when)


def _local(when: datetime, zone: str) -> str:
    return when.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M")
