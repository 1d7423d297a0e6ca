"""The call brief: one account's facts, loaded in a handful of queries and judged by domain/.

Amounts and ages are as of the date of `at` in UTC; reachability is at `at` in
each contact's own time zone. The same domain rules answer the single fields
(Contact.reachability, PromiseToPay.status, Account.receivables), so the brief
never disagrees with them; and one function says whom to contact for the brief
and for a page of the collections queue, so the queue's suggestion is the brief's.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import strawberry
from strawberry.dataloader import DataLoader

from domain import promises, receivables
from domain.risk import BILLING_ROLES, FINANCIAL_NEWS, NEWS_LOOKBACK_DAYS, AccountFacts, risk_flags
from domain.windows import is_reachable, reachability
from schema.context import Context
from schema.types.account import Account
from schema.types.brief import CallBrief, ContactSuggestion
from schema.types.contact import Channel, Contact
from schema.types.entries.promise import PromiseToPay
from schema.types.entries.rows import entry_from_row
from schema.types.invoice import Commitments, Invoice, today
from schema.types.preference import Preference
from schema.types.reachability import Reachability
from schema.types.receivables import Receivables, invoice_facts
from store import briefs, contacts, preferences, users
from store.facts import payment_facts, window_rules

ROLE_NAMES = {
    "BILLING": "billing contact",
    "ACCOUNTS_PAYABLE": "accounts payable contact",
    "DECISION_MAKER": "decision maker",
    "TECHNICAL": "technical contact",
    "OTHER": "contact",
}


def _channel(row) -> Channel:
    if row["preferred_channel"]:
        return Channel(row["preferred_channel"])
    return Channel.PHONE if row["phone"] else Channel.EMAIL


def _why(row, reach, channel: Channel) -> str:
    roles = [ROLE_NAMES[r] for r in row["roles"]] or ["contact"]
    availability = "reachable now" if reach.reachable else reach.reason
    how = f"prefers {channel.value.lower()}" if row["preferred_channel"] else f"by {channel.value.lower()}"
    return f"{' and '.join(roles)}, {availability}, {how}"


def who_to_contact(
    people: Sequence[asyncpg.Record],
    windows: Mapping[UUID, Sequence[asyncpg.Record]],
    follow_ups: Sequence[asyncpg.Record],
    at: datetime,
    *,
    first_only: bool = False,
) -> list[ContactSuggestion]:
    """Whom to contact, best first (only the best with `first_only`); never a do-not-contact person.

    A person an open follow-up names comes first (soonest due first), with the
    follow-up as the reason: the team has said whom to call next, and ranking by
    role over that would contradict them. Then billing contacts, reachable ones
    first. `follow_ups` are the account's open follow-ups, soonest due first.
    Ranking needs only whether each is reachable now; when next is worked out
    for the people returned alone (it costs ten times as much).
    """
    named: dict[UUID, asyncpg.Record] = {}
    for follow_up in follow_ups:
        if follow_up["contact_id"] is not None:
            named.setdefault(follow_up["contact_id"], follow_up)
    first = {contact_id: n for n, contact_id in enumerate(named)}
    allowed = [p for p in people if not p["do_not_contact"]]
    open_now = {
        p["id"]: is_reachable(
            window_rules(windows.get(p["id"], [])), False, ZoneInfo(p["effective_time_zone"]), at
        )
        for p in allowed
    }
    allowed.sort(
        key=lambda p: (
            first.get(p["id"], len(first)),
            not BILLING_ROLES & set(p["roles"]),
            not open_now[p["id"]],
            p["name"].lower(),
            p["id"],
        )
    )
    chosen = allowed[:1] if first_only else allowed
    reach = {
        p["id"]: reachability(window_rules(windows.get(p["id"], [])), False, p["effective_time_zone"], at)
        for p in chosen
    }
    suggestions = []
    for person in chosen:
        channel = _channel(person)
        why = _why(person, reach[person["id"]], channel)
        if person["id"] in named:
            why = f'open follow-up: "{named[person["id"]]["summary"]}"; {why}'
        suggestions.append(
            ContactSuggestion(
                contact=Contact.from_row(person),
                channel=channel,
                reachability=Reachability.of(reach[person["id"]]),
                reason=why,
            )
        )
    return suggestions


def who_to_contact_loader(
    context: Context, at: datetime, *, first_only: bool = False
) -> DataLoader[UUID, list[ContactSuggestion]]:
    """`who_to_contact` for a page of accounts, in three queries whatever the page's size."""

    async def load(account_ids: list[UUID]) -> list[list[ContactSuggestion]]:
        async with context.pool.acquire() as conn:
            people = await contacts.contacts_of_accounts(conn, account_ids)
            windows = await contacts.windows_of_contacts(
                conn, [p["id"] for ps in people.values() for p in ps]
            )
            follow_ups = await briefs.follow_ups_naming_contacts(
                conn, account_ids, restricted=context.sees_restricted
            )
        return [
            who_to_contact(people.get(a, []), windows, follow_ups.get(a, []), at, first_only=first_only)
            for a in account_ids
        ]

    return DataLoader(load_fn=load)


def _with_commitments(invoice: Invoice, open_today: list[PromiseToPay]) -> Invoice:
    """The overdue invoice with its activePromise (the newest promise naming it that is OPEN today;
    `open_today` is newest first) and its openDispute: none, since an overdue invoice is not
    disputed, so no open dispute the caller may see names it."""
    invoice.commitments = Commitments(
        active_promise=next(
            (p for p in open_today if any(i.invoice_id == invoice.invoice_id for i in p.invoices)), None
        ),
        open_dispute=None,
    )
    return invoice


async def call_brief(info: strawberry.Info, account: Account, at: datetime) -> CallBrief:
    context = info.context
    restricted = context.sees_restricted
    account_id = account.account_id
    as_of = at.astimezone(UTC).date()
    # activePromise is judged today whatever `at` is: read the promises that matter on either day.
    now = today()
    deadlines_from = min(map(promises.earliest_deadline_that_matters, (as_of, now)))
    async with context.pool.acquire() as conn:
        people = await contacts.people_of_account(conn, account_id)
        owed = await briefs.owed_invoices(conn, account_id, restricted=restricted)
        paid = payment_facts(await briefs.payments_towards_promises(conn, account_id, deadlines_from))
        sections = await briefs.brief_entries(
            conn,
            account_id,
            restricted=restricted,
            at=at,
            news_since=at - timedelta(days=NEWS_LOOKBACK_DAYS),
            deadlines_from=deadlines_from,
        )
        likes = (await preferences.preferences_of_accounts(conn, [account_id])).get(account_id, [])
    # The follow-ups' assignees came with their rows: FollowUp.assignee needs no query.
    context.loaders.user.prime_many(
        {
            row["assigned_id"]: users.User.from_row(row, "assigned_")
            for rows in sections.values()
            for row in rows
            if row["assigned_id"]
        }
    )
    typed = {
        name: [entry_from_row(row, row["named_invoices"]) for row in rows] for name, rows in sections.items()
    }
    for promise in typed["promises"]:
        promise.payments = promises.payments_that_can_count(promise.rule, paid)

    windows = {p["id"]: p["windows"] for p in people}
    suggestions = who_to_contact(people, windows, sections["follow_ups"], at)
    allowed = [p for p in people if not p["do_not_contact"]]

    facts = invoice_facts(owed)
    overdue = [row for row, fact in zip(owed, facts, strict=True) if receivables.is_overdue(fact, as_of)]
    statuses = {p.entry_id: promises.status(p.rule, paid, as_of) for p in typed["promises"]}
    open_promises = [p for p in typed["promises"] if statuses[p.entry_id] == promises.PromiseStatus.OPEN]
    broken = [p for p in typed["promises"] if promises.broken_recently(p.rule, paid, as_of)]
    open_today = [
        p for p in typed["promises"] if promises.status(p.rule, paid, now) == promises.PromiseStatus.OPEN
    ]
    owed_now = receivables.receivables(facts, as_of)
    flags = risk_flags(
        AccountFacts(
            all_do_not_contact=bool(people) and not allowed,
            reachable_now=any(s.reachability.reachable for s in suggestions),
            broken_promise=bool(broken),
            open_promise=bool(open_promises),
            open_dispute=bool(typed["disputes"]),
            financial_news=any(n.category.value in FINANCIAL_NEWS for n in typed["news"]),
            billing_contact=any(BILLING_ROLES & set(p["roles"]) for p in allowed),
            oldest_days_overdue=max((r.oldest_days_overdue for r in owed_now), default=0),
        )
    )
    return CallBrief(
        account=account,
        at=at,
        flags=flags,
        who_to_contact=suggestions,
        receivables=[Receivables.of(r) for r in owed_now],
        overdue_invoices=[_with_commitments(Invoice.from_row(row), open_today) for row in overdue],
        open_promises=open_promises,
        broken_promises=broken,
        open_disputes=typed["disputes"],
        recent_news=typed["news"],
        recent_interactions=typed["interactions"],
        pinned=typed["pinned"],
        preferences=[Preference.from_row(row) for row in likes],
        open_follow_ups=typed["follow_ups"],
    )
