"""`rapport demo`: twenty customers whose stories show what Rapport is for.

A new user should see the point in GraphiQL within a minute: the collections
queue ranks real-looking accounts and says why; a call brief warns that the
customer is downsizing (sales heard it), that the last promise broke, that an
invoice is disputed (service opened it), that the only AP clerk is on vacation
the third week of every month. Every date is relative to today, so the story
is always current; everything else is fixed, so two loads tell the same story.

The data goes through the same store functions as the mutations, with their
audit and outbox rows, so the index worker makes it searchable. It loads in
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
from domain.commands.invoices import InvoiceUpsert
from domain.commands.payments import Allocation, PaymentRecord
from domain.commands.preferences import PreferenceSetting
from domain.contacts import Channel, ContactRole
from domain.invoices import InvoiceStatus
from domain.validation import Checker
from domain.windows import Weekday, WindowKind, WindowSpec
from services import accounts as account_changes
from services import contacts as contact_changes
from services import invoices as invoice_service
from services import payments
from services import preferences as preference_changes
from store import accounts, changes, entries, users

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


async def _entry(
    conn: asyncpg.Connection,
    account: _Account,
    author: users.User,
    action: str,
    fields: dict,
    invoice_numbers: tuple[str, ...],
    contact: str | None,
    restricted: bool = False,
) -> UUID:
    visibility = "RESTRICTED" if restricted else "ALL_TEAMS"
    entry_id = await entries.insert_entry(
        conn,
        {
            "account_id": account.id,
            "author_id": author.id,
            "team": author.team.value,
            "recorded_at": fields["occurred_at"],
            "contact_id": account.people[contact] if contact else None,
            "visibility": visibility,
            **fields,
        },
        [account.bills[number] for number in invoice_numbers],
    )
    await changes.record(
        conn,
        actor_id=author.id,
        action=action,
        entity_type="entry",
        account_id=account.id,
        entity_id=entry_id,
        after={"kind": fields["kind"], "visibility": visibility},
    )
    return entry_id


_ACTIONS = {"NOTE": "logNote", "NEWS": "logNews"}


async def _event(
    conn: asyncpg.Connection,
    account: _Account,
    event: Event,
    people: dict[str, users.User],
    today: date,
    minute: int,
) -> None:
    when = _at(today, event.days_ago, minute)
    currency = account.customer.currency
    ada = people["ada"]
    match event:
        case Entry():
            fields = {
                "kind": event.kind,
                "occurred_at": when,
                "summary": event.summary,
                "body": event.body,
                "direction": event.direction,
                "outcome": event.outcome,
                "category": event.category,
            }
            await _entry(
                conn,
                account,
                people[event.author],
                _ACTIONS.get(event.kind, "logInteraction"),
                {k: v for k, v in fields.items() if v is not None},
                event.invoices,
                event.contact,
                event.restricted,
            )
        case Promise():
            fields = {
                "kind": "PROMISE_TO_PAY",
                "occurred_at": when,
                "summary": event.summary,
                "amount": Decimal(event.amount),
                "currency": currency,
                "promised_for": today + timedelta(days=event.promised_in_days),
                "grace_days": event.grace_days,
            }
            await _entry(conn, account, ada, "recordPromise", fields, event.invoices, event.contact)
        case Payment():
            payment = PaymentRecord(
                amount=Decimal(event.amount),
                currency=currency,
                received_on=today - timedelta(days=event.days_ago),
                method=event.method,
                reference=event.reference,
                allocations=tuple(
                    Allocation(account.bills[number], Decimal(amount)) for number, amount in event.invoices
                ),
            )
            columns = await payments.apply_payment(
                conn, _actor(ada), account.id, payment, Checker(), occurred_at=when
            )
            del columns["invoice_ids"]
            fields = {
                "kind": "PAYMENT",
                "occurred_at": when,
                "summary": payments.summary(payment.amount, payment.currency),
                **columns,
            }
            numbers = tuple(number for number, _ in event.invoices)
            await _entry(conn, account, ada, "recordPayment", fields, numbers, None)
        case Dispute():
            author = people[event.author]
            fields = {
                "kind": "DISPUTE",
                "occurred_at": when,
                "summary": event.summary,
                "body": event.body,
                "dispute_reason": event.reason,
                "dispute_status": "OPEN",
                "amount": Decimal(event.amount) if event.amount else None,
                "currency": currency if event.amount else None,
            }
            entry_id = await _entry(
                conn,
                account,
                author,
                "openDispute",
                {k: v for k, v in fields.items() if v is not None},
                event.invoices,
                event.contact,
            )
            if event.resolved_days_ago is not None:
                row = await entries.lock_entry(conn, entry_id, restricted=True)
                await entries.update_entry(
                    conn,
                    row,
                    {
                        "dispute_status": "RESOLVED",
                        "resolution": event.resolution,
                        "resolved_at": _at(today, event.resolved_days_ago),
                    },
                )
                await changes.record(
                    conn,
                    actor_id=author.id,
                    action="resolveDispute",
                    entity_type="entry",
                    account_id=account.id,
                    entity_id=entry_id,
                    before={"status": "OPEN"},
                    after={"status": "RESOLVED"},
                )
        case Plan():
            fields = {
                "kind": "PAYMENT_PLAN",
                "occurred_at": when,
                "summary": event.summary,
                "currency": currency,
                "installments": [
                    {"dueOn": (today + timedelta(days=days)).isoformat(), "amount": amount}
                    for days, amount in event.installments
                ],
            }
            await _entry(conn, account, ada, "createPaymentPlan", fields, event.invoices, event.contact)
        case FollowUp():
            fields = {
                "kind": "FOLLOW_UP",
                "occurred_at": when,
                "summary": event.summary,
                "due_at": datetime.combine(today + timedelta(days=event.due_in_days), time(9), UTC),
                "assignee_id": people[event.assignee].id,
                "done": False,
            }
            await _entry(conn, account, people[event.author], "createFollowUp", fields, (), None)
