"""`rapport demo`: twenty customers whose stories show what Rapport is for.

A new user should see the point in GraphiQL within a minute: the collections
queue ranks real-looking accounts and says why; a call brief warns that the
customer is downsizing (sales heard it), that the last promise broke, that an
invoice is disputed (service opened it), that the only AP clerk is on vacation
the third week of every month. Every date is relative to today, so the story
is always current; everything else is fixed, so two loads tell the same story.

The story (api/demo_story.toml) goes through the same services as the
mutations, as the user who would have written each event: validated, redacted,
audited and queued, so the index worker makes it searchable. It loads in
one transaction, once: accounts with external refs in the system "demo" mean
it is already there.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg

from api.demo_story import (
    CUSTOMERS,
    USERS,
    Customer,
    DemoUser,
    Dispute,
    Entry,
    Event,
    FollowUp,
    Payment,
    Plan,
    Promise,
)
from domain.accounts import AccountStatus
from domain.actors import Actor
from domain.commands.accounts import AccountUpsert
from domain.commands.contacts import ContactFields, NewContact
from domain.commands.entries import (
    DisputeDetail,
    DisputeResolution,
    FollowUpDetail,
    Installment,
    InteractionDetail,
    NewEntry,
    NewsDetail,
    NoteDetail,
    PlanDetail,
    PromiseDetail,
)
from domain.commands.invoices import InvoiceUpsert
from domain.commands.payments import Allocation, PaymentRecord
from domain.commands.preferences import PreferenceSetting
from domain.contacts import Channel, ContactRole
from domain.entries import (
    Direction,
    DisputeReason,
    DisputeStatus,
    EntryKind,
    InteractionOutcome,
    NewsCategory,
    Visibility,
)
from domain.invoices import InvoiceStatus
from domain.windows import Weekday, WindowKind, WindowSpec
from services import accounts as account_changes
from services import contacts as contact_changes
from services import entries as entry_service
from services import entry_changes
from services import invoices as invoice_service
from services import preferences as preference_changes
from store import accounts, users

SYSTEM = "demo"
TERMS_DAYS = 30  # every demo invoice is due 30 days after it was issued


class AlreadyLoaded(Exception):
    """The demo's accounts are in this database already."""


def _at(today: date, days_ago: int, minute: int = 0) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(10, minute), UTC)


def _actor(user: users.User) -> Actor:
    return Actor(user_id=user.id, team=user.team)


def _when(event: Event) -> int:
    return event.days_ago


@dataclass
class _Account:
    """What a customer's story refers to by name, once it is written."""

    customer: Customer
    id: UUID
    people: dict[str, UUID]
    bills: dict[str, UUID]


async def already_loaded(conn: asyncpg.Connection) -> bool:
    return bool(await accounts.account_ids_by_refs(conn, [(SYSTEM, c.ref) for c in CUSTOMERS]))


async def load(conn: asyncpg.Connection, today: date) -> dict[str, users.User]:
    """Write the demo in the caller's transaction; returns the demo users by their key in USERS."""
    if await already_loaded(conn):
        raise AlreadyLoaded
    people = {key: await _user(conn, user) for key, user in USERS.items()}
    for customer in CUSTOMERS:
        account = await _account(conn, customer, people, today)
        # The story in the order it happened; events of one day keep their written order.
        for minute, event in enumerate(sorted(customer.story, key=_when, reverse=True)):
            await _event(conn, account, event, people, today, minute)
    return people


async def _user(conn: asyncpg.Connection, user: DemoUser) -> users.User:
    return await users.user_by_email(conn, user.email) or await users.add_user(
        conn, email=user.email, name=user.name, team=user.team
    )


async def _account(
    conn: asyncpg.Connection, customer: Customer, people: dict[str, users.User], today: date
) -> _Account:
    erp, ada = people["erp"], people["ada"]
    upserted = await account_changes.upsert_accounts(
        conn,
        _actor(erp),
        [
            AccountUpsert(
                system=SYSTEM,
                external_id=customer.ref,
                name=customer.name,
                tags=list(customer.tags),
                time_zone=customer.time_zone,
                status=AccountStatus(customer.status),
            )
        ],
    )
    account_id = upserted[0][0]["id"]
    as_ada = _actor(ada)
    contact_ids = {}
    for person in customer.people:
        details = ContactFields(
            name=person.name,
            title=person.title,
            roles=[ContactRole(role) for role in person.roles],
            email=person.email,
            phone=person.phone,
            preferred_channel=Channel(person.channel) if person.channel else None,
            language=person.language,
            do_not_contact=person.do_not_contact,
        )
        windows = [
            WindowSpec(
                kind=WindowKind(w.kind),
                days_of_week=[Weekday(day) for day in w.days] if w.days else None,
                weeks_of_month=w.weeks,
                start_time=w.start,
                end_time=w.end,
                note=w.note,
            )
            for w in person.windows
        ]
        row = await contact_changes.create_contact(conn, as_ada, NewContact(account_id, details, windows))
        contact_ids[person.name] = row["id"]
    for key, value, note in customer.preferences:
        await preference_changes.set_preference(conn, as_ada, PreferenceSetting(account_id, key, value, note))
    bill_ids = {}
    for bill in customer.bills:
        issued = today - timedelta(days=bill.issued_days_ago)
        pushes = [(bill.issued_days_ago, bill.status, bill.total)]
        if bill.became:
            pushes.append(bill.became)
        for days_ago, status, balance in pushes:
            item = InvoiceUpsert(
                system=SYSTEM,
                external_id=bill.number,
                account_system=SYSTEM,
                account_external_id=customer.ref,
                number=bill.number,
                issued_on=issued,
                due_on=issued + timedelta(days=TERMS_DAYS),
                currency=bill.currency or customer.currency,
                total=Decimal(bill.total),
                balance=Decimal(balance),
                status=InvoiceStatus(status),
            )
            outcome = await invoice_service.upsert_invoices(
                conn,
                _actor(erp),
                [item],
                action="upsertInvoices",
                occurred_at=_at(today, days_ago),
            )
        bill_ids[bill.number] = outcome.rows[0]["id"]
    return _Account(customer, account_id, contact_ids, bill_ids)


def _entry(account: _Account, event: Event, when: datetime, detail: object, **fields: object) -> NewEntry:
    """A story event as the command a user's mutation would give (names resolved to ids)."""
    contact = getattr(event, "contact", None)
    numbers = [part if isinstance(part, str) else part[0] for part in getattr(event, "invoices", ())]
    return NewEntry(
        account_id=account.id,
        detail=detail,
        summary=getattr(event, "summary", None),
        body=getattr(event, "body", None),
        contact_id=account.people[contact] if contact else None,
        invoice_ids=tuple(account.bills[number] for number in numbers),
        occurred_at=when,
        visibility=Visibility.RESTRICTED if getattr(event, "restricted", False) else None,
        **fields,
    )


def _detail(event: Event, today: date, account: _Account, people: dict[str, users.User]) -> object:
    """What the event's kind adds to its entry: the detail its mutation would build."""
    currency = account.customer.currency
    match event:
        case Entry(kind="NOTE"):
            return NoteDetail()
        case Entry(kind="NEWS"):
            return NewsDetail(NewsCategory(event.category))
        case Entry():
            outcome = InteractionOutcome(event.outcome) if event.outcome else None
            return InteractionDetail(EntryKind(event.kind), Direction(event.direction), outcome)
        case Promise():
            promised_for = today + timedelta(days=event.promised_in_days)
            return PromiseDetail(Decimal(event.amount), currency, promised_for, event.grace_days)
        case Dispute():
            return DisputeDetail(DisputeReason(event.reason), Decimal(event.amount) if event.amount else None)
        case Plan():
            installments = tuple(
                Installment(today + timedelta(days=days), Decimal(amount))
                for days, amount in event.installments
            )
            return PlanDetail(currency, installments)
        case FollowUp():
            due_at = datetime.combine(today + timedelta(days=event.due_in_days), time(9), UTC)
            return FollowUpDetail(due_at, people[event.assignee].id)
        case Payment():
            return PaymentRecord(
                amount=Decimal(event.amount),
                currency=currency,
                received_on=today - timedelta(days=event.days_ago),
                method=event.method,
                reference=event.reference,
                allocations=tuple(
                    Allocation(account.bills[number], Decimal(amount)) for number, amount in event.invoices
                ),
            )
    raise AssertionError(f"no detail for {event!r}")


async def _event(
    conn: asyncpg.Connection,
    account: _Account,
    event: Event,
    people: dict[str, users.User],
    today: date,
    minute: int,
) -> None:
    """Write one event of the story through the service its mutation calls, as its author."""
    when = _at(today, event.days_ago, minute)
    author = _actor(people[getattr(event, "author", "ada")])
    entry_id = await entry_service.new_entry(
        conn, author, _entry(account, event, when, _detail(event, today, account, people))
    )
    if isinstance(event, Dispute) and event.resolved_days_ago is not None:
        resolution = DisputeResolution(
            entry_id, DisputeStatus.RESOLVED, event.resolution or "", _at(today, event.resolved_days_ago)
        )
        await entry_changes.resolve_dispute(conn, author, resolution)
