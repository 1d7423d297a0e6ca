"""Statement links and what a customer does on the statement page.

A link's token is 256 random bits, shown once and stored as its SHA-256; an
expired, revoked or unknown token opens nothing, and all three look the same
to the caller. The customer's promise or dispute goes through the same
service as the API's (services.entries.new_entry), written by nobody (no
author), for team AR, tagged `portal`.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg

from domain import promises, receivables
from domain.actors import Actor
from domain.commands.entries import DisputeDetail, NewEntry, PromiseDetail
from domain.entries import DisputeReason
from domain.permissions import Write
from domain.teams import Team
from domain.tokens import token_hash
from domain.validation import Checker, Problem, Rejected, not_found
from services.accounts import account_at
from services.entries import new_entry
from store import briefs, changes, contacts, statements
from store.facts import payment_facts, promise_fact

VALID_DAYS_DEFAULT = 14
VALID_DAYS_MAX = 90
TOKEN_PREFIX = "st_"  # noqa: S105 - a prefix that says what the token is, not a secret
COMMENT_MAX = 5_000
WRITES_PER_HOUR = 10
PORTAL_TAG = "portal"
# The customer acts as nobody in particular: no author, on behalf of the AR team.
CUSTOMER = Actor(user_id=None, team=Team.AR)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_link(
    conn: asyncpg.Connection,
    actor: Actor,
    account_id: UUID,
    contact_id: UUID | None,
    valid_days: int | None,
    base_url: str,
) -> tuple[asyncpg.Record, str]:
    """A new link and its URL, which is never shown again."""
    actor.require(Write.MESSAGES)
    days = VALID_DAYS_DEFAULT if valid_days is None else valid_days
    if not 1 <= days <= VALID_DAYS_MAX:
        raise Rejected(Problem(("input", "validDays"), f"validDays must be between 1 and {VALID_DAYS_MAX}."))
    account = await account_at(conn, account_id, ("input", "accountId"))
    if contact_id is not None:
        found = (await contacts.contacts_by_ids(conn, [contact_id])).get(contact_id)
        if found is None or found["account_id"] != account_id:
            raise not_found(("input", "contactId"), "contact on this account")
    token = new_token()
    row = await statements.create_link(
        conn,
        account["id"],
        contact_id,
        token_hash(token),
        datetime.now(UTC) + timedelta(days=days),
        actor.user_id,
    )
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action="createStatementLink",
        entity_type="statement_link",
        entity_id=row["id"],
        account_id=account["id"],
        after={"expiresAt": row["expires_at"].isoformat()},
    )
    return row, f"{base_url.rstrip('/')}/s/{token}"


async def revoke_link(conn: asyncpg.Connection, actor: Actor, link_id: UUID) -> asyncpg.Record:
    actor.require(Write.MESSAGES)
    row = await statements.revoke(conn, link_id)
    if row is None:
        raise not_found(("id",), "statement link")
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action="revokeStatementLink",
        entity_type="statement_link",
        entity_id=row["id"],
        account_id=row["account_id"],
    )
    return row


@dataclass(frozen=True, slots=True)
class Statement:
    """What the page shows: the customer's own invoices and what they promised or agreed."""

    account_name: str
    as_of: date
    invoices: list[asyncpg.Record]
    totals: list[receivables.Receivables]
    open_promises: list[asyncpg.Record]
    plans: list[asyncpg.Record]


async def _link(conn: asyncpg.Connection, token: str, at: datetime) -> asyncpg.Record | None:
    return await statements.live_link(conn, token_hash(token), at)


async def open_statement(conn: asyncpg.Connection, token: str, at: datetime) -> Statement | None:
    """The statement a token opens (the view is counted), or None for any token that opens nothing."""
    link = await _link(conn, token, at)
    if link is None:
        return None
    await statements.count_view(conn, link, at)
    return await _statement(conn, link["account_id"], at)


async def statement_of(conn: asyncpg.Connection, token: str, at: datetime) -> Statement | None:
    """The statement a token opens, without counting a view (the page after a form was sent)."""
    link = await _link(conn, token, at)
    return None if link is None else await _statement(conn, link["account_id"], at)


def problem(message: str) -> Problem:
    """A problem with what the customer typed on the page; the page shows its message."""
    return Problem(("form",), message)


def invoice_id(text: str) -> UUID:
    """The invoice a form names; ValueError if it names none."""
    return UUID(text)


async def _statement(conn: asyncpg.Connection, account_id: UUID, at: datetime) -> Statement:
    as_of = at.astimezone(UTC).date()
    account = await account_at(conn, account_id, ("token",))
    owed = [
        row
        for row in (await briefs.open_invoices(conn, [account_id], restricted=False)).get(account_id, [])
        if row["status"] != "DRAFT"
    ]
    facts = [
        receivables.InvoiceFacts(
            currency=r["currency"],
            due_on=r["due_on"],
            balance=r["balance"],
            status=r["status"],
            disputed=r["disputed"],
        )
        for r in owed
    ]
    paid = payment_facts((await briefs.payments(conn, [account_id])).get(account_id, []))
    sections = await briefs.brief_entries(
        conn,
        account_id,
        restricted=False,
        at=at,
        news_since=at,
        deadlines_from=promises.earliest_deadline_that_matters(as_of),
    )
    open_promises = [
        row
        for row in sections["promises"]
        if promises.status(promise_fact(row), paid, as_of) == promises.PromiseStatus.OPEN
    ]
    plans = await statements.payment_plans(conn, account_id)
    return Statement(
        account["name"], as_of, owed, receivables.receivables(facts, as_of), open_promises, plans
    )


async def _writable(conn: asyncpg.Connection, token: str, at: datetime) -> tuple[asyncpg.Record, Statement]:
    link = await _link(conn, token, at)
    if link is None:
        raise not_found(("token",), "statement")
    return link, await _statement(conn, link["account_id"], at)


async def take_write(conn: asyncpg.Connection, token: str, at: datetime) -> bool:
    """Spend one of the link's writes for this hour, in a transaction of its own (refused ones count too)."""
    link = await _link(conn, token, at)
    return link is not None and await statements.take_write(conn, link, at, WRITES_PER_HOUR)


async def promise_from_page(
    conn: asyncpg.Connection, token: str, at: datetime, amount: Decimal, currency: str, promised_for: date
) -> UUID | None:
    link, statement = await _writable(conn, token, at)
    owed = {r.currency: r.open - r.disputed for r in statement.totals}
    check = Checker(prefix=())
    check.amount("amount", amount)
    check.day("promisedFor", promised_for)
    if currency not in owed:
        check.add("currency", f"nothing is owed in {currency}.")
    elif amount is not None and amount.is_finite() and amount > owed[currency]:
        check.add("amount", f"the promise is more than the {owed[currency]:,.2f} {currency} owed.")
    if promised_for < statement.as_of:
        check.add("promisedFor", "the date is in the past.")
    check.settle()
    return await new_entry(
        conn,
        CUSTOMER,
        NewEntry(
            account_id=link["account_id"],
            detail=PromiseDetail(amount=amount, currency=currency, promised_for=promised_for),
            contact_id=link["contact_id"],
            tags=(PORTAL_TAG,),
        ),
    )


async def dispute_from_page(
    conn: asyncpg.Connection, token: str, at: datetime, invoice_id: UUID, reason: str, comment: str | None
) -> UUID | None:
    link, statement = await _writable(conn, token, at)
    check = Checker(prefix=())
    if invoice_id not in {r["id"] for r in statement.invoices}:
        check.add("invoice", "that invoice is not on this statement.")
    if reason not in DisputeReason.__members__:
        check.add("reason", "choose one of the reasons offered.")
    check.text("comment", comment, max_len=COMMENT_MAX)
    check.settle()
    return await new_entry(
        conn,
        CUSTOMER,
        NewEntry(
            account_id=link["account_id"],
            detail=DisputeDetail(reason=DisputeReason(reason)),
            summary="Disputed from the statement page: " + reason.replace("_", " ").lower(),
            body=comment or None,
            contact_id=link["contact_id"],
            invoice_ids=(invoice_id,),
            tags=(PORTAL_TAG,),
        ),
    )
