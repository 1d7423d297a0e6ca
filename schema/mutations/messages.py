"""Customer communication: templates, dunning policies and settings, planning, review, statement links."""

from datetime import datetime
from typing import Annotated

import strawberry

from domain import dunning
from schema.moments import moment
from schema.mutations.base import actor, change, parse_id, run
from schema.mutations.payloads import AccountPayload
from schema.types.account import Account
from schema.types.common import UserError
from schema.types.contact import Channel
from schema.types.message import DunningPolicy, MessageTemplate, OutboundMessage, StatementLink
from services import dunning as planner
from services import messages, statements


@strawberry.input(description="A template to create, or the next version of one (expectedVersion set).")
class SaveMessageTemplateInput:
    name: str = strawberry.field(description="Unique with language and channel.")
    language: str = strawberry.field(description='BCP 47, e.g. "de" or "fr-CH".')
    channel: Channel = strawberry.field(description="EMAIL, LETTER or SMS.")
    body: str = strawberry.field(description="Jinja2 text with the documented placeholders.")
    subject: str | None = strawberry.field(default=None, description="Jinja2 text for an email's subject.")
    expected_version: int | None = strawberry.field(
        default=None, description="The version you read; null creates."
    )


@strawberry.input(description="One reminder of a policy.")
class DunningStepInput:
    offset_days: int = strawberry.field(description="Days from the oldest overdue invoice's due date.")
    template_name: str = strawberry.field(description="An existing template's name.")
    requires_approval: bool | None = strawberry.field(
        default=False, description="A person approves the draft before it goes."
    )


@strawberry.input(description="A policy to create (id null) or change.")
class SaveDunningPolicyInput:
    name: str = strawberry.field(description="Unique.")
    steps: list[DunningStepInput] = strawberry.field(description="Offsets must differ.")
    id: strawberry.ID | None = strawberry.field(default=None, description="Null creates.")
    is_default: bool | None = strawberry.field(default=False, description="Make it the default policy.")
    expected_version: int | None = strawberry.field(default=None, description="The version you read.")


@strawberry.input(description="An account's policy and pause.")
class SetAccountDunningInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    policy_id: strawberry.ID | None = strawberry.field(default=None, description="Null: the default policy.")
    paused_until: datetime | None = strawberry.field(default=None, description="No messages before then.")
    pause_reason: str | None = strawberry.field(default=None, description="Why dunning is paused.")


@strawberry.input(description="A statement link to create.")
class CreateStatementLinkInput:
    account_id: strawberry.ID = strawberry.field(description="Whose statement.")
    contact_id: strawberry.ID | None = strawberry.field(default=None, description="Whom it is for.")
    valid_days: int | None = strawberry.field(default=14, description="Default 14, at most 90.")


@strawberry.type(description="The saved template, or why not.")
class MessageTemplatePayload:
    template: MessageTemplate | None = strawberry.field(default=None, description="The saved version.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was saved."
    )


@strawberry.type(description="The saved policy, or why not.")
class DunningPolicyPayload:
    policy: DunningPolicy | None = strawberry.field(default=None, description="The saved policy.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was saved."
    )


@strawberry.type(description="The message after the change, or why not.")
class OutboundMessagePayload:
    message: OutboundMessage | None = strawberry.field(default=None, description="The message as it is now.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why nothing changed.")


@strawberry.type(description="What a planner run planned.")
class PlanDunningPayload:
    planned: list[OutboundMessage] = strawberry.field(
        default_factory=list, description="Messages drafted or scheduled by this run."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was planned."
    )


@strawberry.type(description="The link after the change, or why not.")
class StatementLinkPayload:
    link: StatementLink | None = strawberry.field(
        default=None, description="The link; url only when created."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why nothing changed.")


@strawberry.type
class MessageMutations:
    @strawberry.mutation(
        description="Create a template or save its next version; it must render to be saved."
    )
    async def save_message_template(
        self,
        info: strawberry.Info,
        input: Annotated[SaveMessageTemplateInput, strawberry.argument(description="What to save.")],
    ) -> MessageTemplatePayload:
        return await change(
            info,
            MessageTemplatePayload,
            messages.save_template,
            lambda: messages.TemplateSave(
                name=input.name,
                language=input.language,
                channel=input.channel.value,
                subject=input.subject,
                body=input.body,
                expected_version=input.expected_version,
            ),
            lambda row: MessageTemplatePayload(template=MessageTemplate.from_row(row)),
        )

    @strawberry.mutation(description="Create or change a dunning policy.")
    async def save_dunning_policy(
        self,
        info: strawberry.Info,
        input: Annotated[SaveDunningPolicyInput, strawberry.argument(description="What to save.")],
    ) -> DunningPolicyPayload:
        return await change(
            info,
            DunningPolicyPayload,
            messages.save_policy,
            lambda: messages.PolicySave(
                policy_id=parse_id(input.id, "DunningPolicy", ("input", "id"), "dunning policy")
                if input.id
                else None,
                name=input.name,
                is_default=bool(input.is_default),
                steps=tuple(
                    dunning.Step(s.offset_days, s.template_name, bool(s.requires_approval))
                    for s in input.steps
                ),
                expected_version=input.expected_version,
            ),
            lambda row: DunningPolicyPayload(policy=DunningPolicy.from_row(row)),
        )

    @strawberry.mutation(description="Set an account's dunning policy and pause.")
    async def set_account_dunning(
        self,
        info: strawberry.Info,
        input: Annotated[SetAccountDunningInput, strawberry.argument(description="What to save.")],
    ) -> AccountPayload:
        return await change(
            info,
            AccountPayload,
            messages.set_account_dunning,
            lambda: messages.AccountDunning(
                account_id=parse_id(input.account_id, "Account", ("input", "accountId"), "account"),
                policy_id=parse_id(input.policy_id, "DunningPolicy", ("input", "policyId"), "dunning policy")
                if input.policy_id
                else None,
                paused_until=input.paused_until,
                pause_reason=input.pause_reason,
            ),
            lambda row: AccountPayload(account=Account.from_row(row)),
        )

    @strawberry.mutation(
        description="Plan due messages now, as of `at` (default now); the worker also plans on its own "
        "schedule. Idempotent per account and step."
    )
    async def plan_dunning(
        self,
        info: strawberry.Info,
        at: Annotated[datetime | None, strawberry.argument(description="As of when; default now.")] = None,
        account_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this account; default all.")
        ] = None,
    ) -> PlanDunningPayload:
        async def work(conn) -> PlanDunningPayload:
            only = parse_id(account_id, "Account", ("accountId",), "account") if account_id else None
            rows = await planner.plan_dunning(conn, actor(info), moment(at), only, info.context.public_url)
            return PlanDunningPayload(planned=[OutboundMessage.from_row(r) for r in rows])

        return await run(info, PlanDunningPayload, work)

    @strawberry.mutation(description="Approve a draft, optionally with edited text: it is scheduled.")
    async def approve_message(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The draft.")],
        subject: Annotated[str | None, strawberry.argument(description="Edited subject.")] = None,
        body: Annotated[str | None, strawberry.argument(description="Edited body.")] = None,
    ) -> OutboundMessagePayload:
        async def work(conn) -> OutboundMessagePayload:
            message_id = parse_id(id, "OutboundMessage", ("id",), "message")
            row = await messages.approve_message(conn, actor(info), message_id, subject, body)
            return OutboundMessagePayload(message=OutboundMessage.from_row(row))

        return await run(info, OutboundMessagePayload, work)

    @strawberry.mutation(description="Cancel a draft or scheduled message, saying why.")
    async def cancel_message(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The message.")],
        reason: Annotated[str, strawberry.argument(description="Why it should not go.")],
    ) -> OutboundMessagePayload:
        async def work(conn) -> OutboundMessagePayload:
            message_id = parse_id(id, "OutboundMessage", ("id",), "message")
            row = await messages.cancel_message(conn, actor(info), message_id, reason)
            return OutboundMessagePayload(message=OutboundMessage.from_row(row))

        return await run(info, OutboundMessagePayload, work)

    @strawberry.mutation(description="A link to the account's statement; its url is shown only now.")
    async def create_statement_link(
        self,
        info: strawberry.Info,
        input: Annotated[CreateStatementLinkInput, strawberry.argument(description="What to save.")],
    ) -> StatementLinkPayload:
        async def work(conn) -> StatementLinkPayload:
            account = parse_id(input.account_id, "Account", ("input", "accountId"), "account")
            contact = (
                parse_id(input.contact_id, "Contact", ("input", "contactId"), "contact")
                if input.contact_id
                else None
            )
            row, url = await statements.create_link(
                conn, actor(info), account, contact, input.valid_days, info.context.public_url
            )
            return StatementLinkPayload(link=StatementLink.from_row(row, url))

        return await run(info, StatementLinkPayload, work)

    @strawberry.mutation(description="Revoke a statement link: it opens nothing from now on.")
    async def revoke_statement_link(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The link.")],
    ) -> StatementLinkPayload:
        async def work(conn) -> StatementLinkPayload:
            link_id = parse_id(id, "StatementLink", ("id",), "statement link")
            return StatementLinkPayload(
                link=StatementLink.from_row(await statements.revoke_link(conn, actor(info), link_id))
            )

        return await run(info, StatementLinkPayload, work)
