"""Templates, dunning policies, an account's dunning settings, and a person's review of a draft.

Template text is checked in the sandbox when saved (it must parse, name only
documented placeholders and render with sample values), so the planner never
meets a template that cannot render. Audit rows name what changed, never the
text itself: free text stays out of the audit's summary fields.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from domain import dunning, templates
from domain.actors import Actor
from domain.permissions import Write
from domain.redaction import redact
from domain.validation import SHORT_TEXT_MAX, Checker, Problem, Rejected, conflict, not_found
from services.accounts import account_at
from store import changes, messages


@dataclass(frozen=True, slots=True)
class TemplateSave:
    name: str
    language: str
    channel: str
    subject: str | None
    body: str
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class PolicySave:
    policy_id: UUID | None
    name: str
    is_default: bool
    steps: tuple[dunning.Step, ...]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class AccountDunning:
    account_id: UUID
    policy_id: UUID | None
    paused_until: datetime | None
    pause_reason: str | None


def _check_renders(check: Checker, name: str, text: str | None) -> None:
    if text is None:
        return
    try:
        templates.render_text(text, templates.sample_values())
    except templates.TemplateProblem as problem:
        check.add(name, f"the template does not render: {problem}.")


async def save_template(conn: asyncpg.Connection, actor: Actor, command: TemplateSave) -> asyncpg.Record:
    actor.require(Write.MESSAGES)
    check = Checker()
    check.text("name", command.name, max_len=templates.TEMPLATE_NAME_MAX, required=True)
    check.language("language", command.language)
    if command.channel not in templates.TEMPLATE_CHANNELS:
        check.add("channel", "a template is for EMAIL, LETTER or SMS.")
    check.text("subject", command.subject, max_len=templates.SUBJECT_MAX)
    check.text("body", command.body, max_len=templates.BODY_MAX, required=True)
    check.settle()
    _check_renders(check, "subject", command.subject)
    _check_renders(check, "body", command.body)
    check.settle()
    existing = await messages.template(conn, command.name.strip(), command.language, command.channel)
    if existing is None and command.expected_version is not None:
        raise not_found(("input", "expectedVersion"), "template with this name, language and channel")
    if existing is not None and existing["version"] != command.expected_version:
        raise conflict(
            f"the template is at version {existing['version']}; read it again and pass that expectedVersion.",
            ("input", "expectedVersion"),
        )
    fields = {
        "name": command.name.strip(),
        "language": command.language,
        "channel": command.channel,
        "subject": redact(command.subject),
        "body": redact(command.body),
    }
    row = await messages.save_template(conn, existing, fields, actor.user_id)
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action="saveMessageTemplate",
        entity_type="message_template",
        entity_id=row["id"],
        account_id=None,
        after={"name": row["name"], "language": row["language"], "version": row["version"]},
    )
    return row


async def save_policy(conn: asyncpg.Connection, actor: Actor, command: PolicySave) -> asyncpg.Record:
    actor.require(Write.MESSAGES)
    check = Checker()
    check.text("name", command.name, max_len=dunning.POLICY_NAME_MAX, required=True)
    dunning.check_steps(check, command.steps)
    check.settle()
    names = sorted({s.template_name for s in command.steps})
    known = await messages.template_names(conn, names)
    for i, step in enumerate(command.steps):
        if step.template_name not in known:
            check.at("steps", i).add(
                "templateName", f"no template named {step.template_name!r}.", "NOT_FOUND"
            )
    check.settle()
    if command.policy_id is not None:
        existing = await messages.lock_policy(conn, command.policy_id)
        if existing is None:
            raise not_found(("input", "id"), "dunning policy")
        if existing["version"] != command.expected_version:
            raise conflict(
                f"the policy is at version {existing['version']}; read it again and pass that "
                "expectedVersion.",
                ("input", "expectedVersion"),
            )
    same_name = await messages.policy_named(conn, command.name.strip())
    if same_name is not None and same_name["id"] != command.policy_id:
        raise Rejected(Problem(("input", "name"), "a policy with this name exists.", "CONFLICT"))
    steps = [
        {
            "offsetDays": s.offset_days,
            "templateName": s.template_name,
            "requiresApproval": s.requires_approval,
        }
        for s in sorted(command.steps, key=lambda s: s.offset_days)
    ]
    row = await messages.save_policy(conn, command.policy_id, command.name.strip(), command.is_default, steps)
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action="saveDunningPolicy",
        entity_type="dunning_policy",
        entity_id=row["id"],
        account_id=None,
        after={
            "name": row["name"],
            "isDefault": row["is_default"],
            "steps": steps,
            "version": row["version"],
        },
    )
    return row


async def set_account_dunning(
    conn: asyncpg.Connection, actor: Actor, command: AccountDunning
) -> asyncpg.Record:
    """The account's policy (None: the default) and pause; returns the account."""
    actor.require(Write.MESSAGES)
    check = Checker()
    check.instant("pausedUntil", command.paused_until)
    check.text("pauseReason", command.pause_reason, max_len=SHORT_TEXT_MAX)
    if command.pause_reason and command.paused_until is None:
        check.add("pauseReason", "a pause reason needs pausedUntil.")
    check.settle()
    account = await account_at(conn, command.account_id, ("input", "accountId"))
    if command.policy_id is not None and not await messages.policies_by_ids(conn, [command.policy_id]):
        raise not_found(("input", "policyId"), "dunning policy")
    reason = redact(command.pause_reason)
    before = await messages.set_account_dunning(
        conn, account["id"], command.policy_id, command.paused_until, reason
    )
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action="setAccountDunning",
        entity_type="account",
        entity_id=account["id"],
        account_id=account["id"],
        before={"policyId": str(before["policy_id"]), "pausedUntil": str(before["paused_until"])}
        if before
        else None,
        after={"policyId": str(command.policy_id), "pausedUntil": str(command.paused_until)},
    )
    return account


async def _reviewable(conn: asyncpg.Connection, actor: Actor, message_id: UUID) -> asyncpg.Record:
    actor.require(Write.MESSAGES)
    row = await messages.lock_message(conn, message_id)
    if row is None:
        raise not_found(("id",), "message")
    return row


async def approve_message(
    conn: asyncpg.Connection, actor: Actor, message_id: UUID, subject: str | None, body: str | None
) -> asyncpg.Record:
    """A draft, maybe with edited (redacted) text, is scheduled for the time the planner chose."""
    check = Checker(prefix=())
    check.text("subject", subject, max_len=templates.SUBJECT_MAX)
    check.text("body", body, max_len=templates.BODY_MAX)
    if body is not None and not body.strip():
        check.add("body", "body must not be blank.")
    check.settle()
    row = await _reviewable(conn, actor, message_id)
    if row["status"] != dunning.MessageStatus.DRAFT.value:
        raise Rejected(Problem(("id",), f"only a DRAFT can be approved; this one is {row['status']}."))
    edited = " (edited)" if subject is not None or body is not None else ""
    updated = await messages.review(
        conn,
        message_id,
        dunning.MessageStatus.SCHEDULED.value,
        f"approved{edited}; {row['reason'] or ''}".strip(),
        redact(subject),
        redact(body),
    )
    await _audit(conn, actor, "approveMessage", updated, {"status": "SCHEDULED", "edited": bool(edited)})
    return updated


async def cancel_message(
    conn: asyncpg.Connection, actor: Actor, message_id: UUID, reason: str
) -> asyncpg.Record:
    check = Checker(prefix=())
    check.text("reason", reason, max_len=SHORT_TEXT_MAX, required=True)
    check.settle()
    row = await _reviewable(conn, actor, message_id)
    if row["status"] not in (dunning.MessageStatus.DRAFT.value, dunning.MessageStatus.SCHEDULED.value):
        raise Rejected(Problem(("id",), f"a {row['status']} message cannot be cancelled."))
    updated = await messages.review(
        conn, message_id, dunning.MessageStatus.CANCELLED.value, f"cancelled: {redact(reason)}", None, None
    )
    await _audit(conn, actor, "cancelMessage", updated, {"status": "CANCELLED"})
    return updated


async def _audit(
    conn: asyncpg.Connection, actor: Actor, action: str, row: asyncpg.Record, after: dict
) -> None:
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action=action,
        entity_type="outbound_message",
        entity_id=row["id"],
        account_id=row["account_id"],
        after=after,
    )
