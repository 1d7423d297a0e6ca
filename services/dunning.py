"""The dunning planner: for each account owing money, the one message its due step asks for.

domain.dunning decides (step, invoices, contact, time, or why not); this
writes the decision as a message row, rendered in the contact's language, with
its audit rows, in the caller's transaction. A (account, cycle, step) row that
exists is never planned again, except a SKIPPED one whose reason has lifted
(a promise broke, a pause ended): it is re-planned in place. So two runs, or
two planners at once (the unique index settles a race), plan nothing new.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from domain import dunning, templates
from domain.actors import Actor
from domain.permissions import Write
from domain.validation import Problem, Rejected, not_found
from services import statements
from store import changes, messages
from store import dunning as facts_store

BATCH = 500
EMAIL = "EMAIL"


@dataclass(frozen=True, slots=True)
class Templates:
    """Every template, looked up by name, channel and the best language for a contact."""

    by_key: dict[tuple[str, str], dict[str, asyncpg.Record]]

    @classmethod
    async def load(cls, conn: asyncpg.Connection) -> "Templates":
        by_key: dict[tuple[str, str], dict[str, asyncpg.Record]] = {}
        for row in await messages.templates(conn):
            by_key.setdefault((row["name"], row["channel"]), {})[row["language"].lower()] = row
        return cls(by_key)

    def pick(self, name: str, channel: str, language: str | None) -> asyncpg.Record | None:
        found = self.by_key.get((name, channel), {})
        return next((found[tag] for tag in templates.language_candidates(language) if tag in found), None)


def render_values(
    account: asyncpg.Record,
    contact: dunning.Person | None,
    invoices: Sequence[dunning.OpenInvoice],
    today: date,
    promise: Any = None,
    statement_link: str | None = None,
    sender_email: str | None = None,
) -> dict[str, Any]:
    """The documented placeholders (README, "Customer messages") for one account and contact."""
    totals: dict[str, Decimal] = {}
    for invoice in invoices:
        totals[invoice.currency] = totals.get(invoice.currency, Decimal(0)) + invoice.balance
    cents = Decimal("0.01")
    return {
        "account": {"name": account["name"]},
        "contact": {"name": contact.name, "email": contact.email} if contact else None,
        "invoices": [
            {
                "number": i.number,
                "due_on": i.due_on,
                "amount": i.balance.quantize(cents),
                "currency": i.currency,
                "days_overdue": max(0, (today - i.due_on).days),
            }
            for i in invoices
        ],
        "totals": [{"currency": c, "amount": a.quantize(cents)} for c, a in sorted(totals.items())],
        "promise": {
            "amount": promise.amount,
            "currency": promise.currency,
            "promised_for": promise.promised_for,
        }
        if promise
        else None,
        "statement_link": statement_link,
        "sender": {"name": account["owner_name"] or "Accounts receivable", "email": sender_email},
        "today": today,
    }


def _steps(policy: asyncpg.Record) -> list[dunning.Step]:
    return [
        dunning.Step(s["offsetDays"], s["templateName"], s.get("requiresApproval", False))
        for s in messages.policy_steps(policy)
    ]


def _row(account_id: UUID, policy_id: UUID, verdict: dunning.Verdict) -> dict:
    return {
        "account_id": account_id,
        "contact_id": verdict.contact.id if verdict.contact else None,
        "channel": EMAIL,
        "status": verdict.status.value,
        "to_address": verdict.contact.email if verdict.contact else None,
        "language": None,
        "subject": None,
        "body": "",
        "invoice_ids": [i.id for i in verdict.invoices],
        "template_name": verdict.step.template_name,
        "policy_id": policy_id,
        "step": verdict.step.offset_days,
        "cycle_on": verdict.cycle_on,
        "kind": "DUNNING",
        "scheduled_for": verdict.scheduled_for,
        "reason": verdict.reason,
    }


async def _rendered(
    conn: asyncpg.Connection,
    actor: Actor,
    row: dict,
    found: Templates,
    account: asyncpg.Record,
    verdict: dunning.Verdict,
    at: datetime,
    link_base: str | None,
) -> dict:
    """The row with the contact's template rendered; SKIPPED with the problem if it cannot be.

    A template that shows `statement_link` gets a new link for the contact (when the planner
    knows where links point, `link_base`), made here, only for a message that is written.
    """
    if verdict.status == dunning.MessageStatus.SKIPPED:
        return row
    language = verdict.contact.language if verdict.contact else None
    template = found.pick(verdict.step.template_name, EMAIL, language)
    if template is None:
        reason = f"no EMAIL template named {verdict.step.template_name!r}."
        return {**row, "status": dunning.MessageStatus.SKIPPED.value, "reason": reason}
    link = None
    shown = templates.placeholders(template["body"]) | templates.placeholders(template["subject"] or "")
    if link_base and verdict.contact and "statement_link" in shown:
        _, link = await statements.create_link(
            conn, actor, row["account_id"], verdict.contact.id, None, link_base
        )
    values = render_values(
        account, verdict.contact, verdict.invoices, at.astimezone(UTC).date(), statement_link=link
    )
    try:
        text = templates.render(template["subject"], template["body"], values)
    except templates.TemplateProblem as problem:
        reason = f"template {template['name']!r} ({template['language']}) does not render: {problem}."
        return {**row, "status": dunning.MessageStatus.SKIPPED.value, "reason": reason}
    return {**row, "language": template["language"], "subject": text.subject, "body": text.body}


async def plan_accounts(
    conn: asyncpg.Connection,
    actor: Actor,
    at: datetime,
    account_ids: list[UUID],
    found: Templates,
    link_base: str | None = None,
) -> list[asyncpg.Record]:
    """Plan one batch of accounts; returns the messages drafted or scheduled now.

    `link_base` is where statement links point (RAPPORT_PUBLIC_URL); without it a template's
    `statement_link` is empty.
    """
    policies = await messages.policies(conn)
    default = next((p for p in policies if p["is_default"]), None)
    by_id = {p["id"]: p for p in policies}
    chosen = await facts_store.account_policies(conn, account_ids)
    account_facts = await facts_store.facts(conn, account_ids, at)
    accounts = await facts_store.account_names(conn, account_ids)
    existing = await messages.planned_steps(conn, account_ids)
    new_rows, replanned, reasons, pending = [], [], [], []
    for account_id in account_ids:
        policy = by_id.get(chosen[account_id]) if chosen[account_id] else default
        if policy is None:
            continue
        owed = {i.id for i in account_facts[account_id].invoices if i.balance > 0}
        ongoing = min(
            (m["cycle_on"] for m in existing.get(account_id, []) if owed & set(m["invoice_ids"])),
            default=None,
        )
        verdict = dunning.verdict(_steps(policy), account_facts[account_id], at, ongoing)
        if verdict is None:
            continue
        row = _row(account_id, policy["id"], verdict)
        prior = next(
            (
                m
                for m in existing.get(account_id, [])
                if m["cycle_on"] == verdict.cycle_on and m["step"] == verdict.step.offset_days
            ),
            None,
        )
        if prior is None or (
            prior["status"] == dunning.MessageStatus.SKIPPED.value
            and (row["status"] != prior["status"] or row["reason"] != prior["reason"])
        ):
            pending.append((prior, row, verdict))
    for prior, planned_row, verdict in pending:
        row = await _rendered(
            conn, actor, planned_row, found, accounts[planned_row["account_id"]], verdict, at, link_base
        )
        if prior is None:
            new_rows.append(row)
        elif row["status"] != dunning.MessageStatus.SKIPPED.value:
            replanned.append((prior["id"], row))
        elif row["reason"] != prior["reason"]:
            reasons.append((prior["id"], row["reason"]))
    inserted = await messages.insert_messages(conn, new_rows)
    updated = [r for r in [await messages.replan_message(conn, m, row) for m, row in replanned] if r]
    for message_id, reason in reasons:
        await messages.set_reason(conn, message_id, reason)
    written = [*inserted, *updated]
    await changes.audit_many(
        conn,
        actor_id=actor.user_id,
        action="planDunning",
        entity_type="outbound_message",
        items=[(r["account_id"], r["id"]) for r in written],
    )
    return [r for r in written if r["status"] != dunning.MessageStatus.SKIPPED.value]


async def plan_thanks(
    conn: asyncpg.Connection, actor: Actor, at: datetime, found: Templates, account_id: UUID | None = None
) -> list[asyncpg.Record]:
    """A thank-you (the THANK_YOU_TEMPLATE, when there is one) once an account that got a reminder
    has settled everything overdue: one per dunning cycle, to the person reminded if still allowed."""
    if not any(name == dunning.THANK_YOU_TEMPLATE for name, _ in found.by_key):
        return []
    due = await messages.thanks_due(conn, account_id)
    ids = [row["account_id"] for row in due]
    account_facts = await facts_store.facts(conn, ids, at)
    accounts = await facts_store.account_names(conn, ids)
    today = at.astimezone(UTC).date()
    rows = []
    for reminded in due:
        facts = account_facts[reminded["account_id"]]
        if not dunning.settled(facts, today):
            continue
        people = [p for p in facts.people if p.email and not p.do_not_contact]
        person = next((p for p in people if p.id == reminded["contact_id"]), None) or next(
            iter(dunning.contact_order(people, {})), None
        )
        template = found.pick(dunning.THANK_YOU_TEMPLATE, EMAIL, person.language) if person else None
        when = dunning.send_time(person, at) if person else None
        if template is None or when is None:
            continue
        values = render_values(accounts[reminded["account_id"]], person, [], today)
        try:
            text = templates.render(template["subject"], template["body"], values)
        except templates.TemplateProblem:
            continue
        rows.append(
            {
                "account_id": reminded["account_id"],
                "contact_id": person.id,
                "channel": EMAIL,
                "status": dunning.MessageStatus.SCHEDULED.value,
                "to_address": person.email,
                "language": template["language"],
                "subject": text.subject,
                "body": text.body,
                "invoice_ids": list(reminded["invoice_ids"]),
                "template_name": dunning.THANK_YOU_TEMPLATE,
                "policy_id": None,
                "step": 0,
                "cycle_on": reminded["cycle_on"],
                "kind": "THANK_YOU",
                "scheduled_for": when,
                "reason": "everything overdue is paid: thank you.",
            }
        )
    inserted = await messages.insert_messages(conn, rows)
    await changes.audit_many(
        conn,
        actor_id=actor.user_id,
        action="planThankYou",
        entity_type="outbound_message",
        items=[(r["account_id"], r["id"]) for r in inserted],
    )
    return inserted


async def plan_dunning(
    conn: asyncpg.Connection,
    actor: Actor,
    at: datetime,
    account_id: UUID | None = None,
    link_base: str | None = None,
) -> list[asyncpg.Record]:
    """Plan every account owing money (or one), in batches, on the caller's transaction."""
    actor.require(Write.MESSAGES)
    found = await Templates.load(conn)
    planned: list[asyncpg.Record] = []
    after = None
    while batch := await facts_store.accounts_owing(conn, after, BATCH, account_id):
        planned += await plan_accounts(conn, actor, at, batch, found, link_base)
        after = batch[-1]
    return planned + await plan_thanks(conn, actor, at, found, account_id)


@dataclass(frozen=True, slots=True)
class Preview:
    text: templates.Rendered
    language: str
    contact: dunning.Person | None
    invoices: list[dunning.OpenInvoice]


async def preview(
    conn: asyncpg.Connection,
    account_id: UUID,
    template_name: str,
    contact_id: UUID | None,
    at: datetime,
    link_base: str | None = None,
) -> Preview:
    """A template rendered for a real account: to the contact named, else the one the planner would pick,
    listing every undisputed invoice owed."""
    account = (await facts_store.account_names(conn, [account_id])).get(account_id)
    if account is None:
        raise not_found(("accountId",), "account")
    facts = (await facts_store.facts(conn, [account_id], at))[account_id]
    if contact_id is not None:
        contact = next((p for p in facts.people if p.id == contact_id), None)
        if contact is None:
            raise not_found(("contactId",), "contact on this account")
    else:
        reachable = {p.id: True for p in facts.people}
        ranked = dunning.contact_order([p for p in facts.people if p.email], reachable)
        contact = ranked[0] if ranked else None
    found = await Templates.load(conn)
    language = contact.language if contact else None
    template = next(
        (t for channel in templates.TEMPLATE_CHANNELS if (t := found.pick(template_name, channel, language))),
        None,
    )
    if template is None:
        raise not_found(("templateName",), "template")
    invoices = [i for i in facts.invoices if not i.disputed and i.balance > 0]
    link = f"{link_base}/s/(a new link, made when the message is planned)" if link_base else None
    values = render_values(account, contact, invoices, at.astimezone(UTC).date(), statement_link=link)
    try:
        text = templates.render(template["subject"], template["body"], values)
    except templates.TemplateProblem as problem:
        raise Rejected(Problem(("templateName",), f"the template does not render here: {problem}.")) from None
    return Preview(text, template["language"], contact, invoices)
