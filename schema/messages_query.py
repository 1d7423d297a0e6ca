"""The Query fields of customer communication: templates, policies, drafts to review, a preview."""

from typing import Annotated
from uuid import UUID

import strawberry

from domain.permissions import Write, may_write
from domain.validation import Rejected
from schema import ids, pagination
from schema.errors import Forbidden, InvalidArgument
from schema.moments import moment
from schema.types.contact import Contact
from schema.types.invoice import Invoice
from schema.types.message import (
    DunningPolicy,
    MessageTemplate,
    OutboundMessage,
    OutboundMessageConnection,
    RenderedMessage,
    StatementLink,
)
from schema.types.node import Node
from services import dunning
from store import invoices, messages, statements


def require_messages(info: strawberry.Info) -> None:
    """Message texts and drafts are AR's work: others may not read them."""
    if not may_write(info.context.user.team, Write.MESSAGES):
        raise Forbidden("Only AR and ADMIN may read customer messages and their templates.")


async def messages_page(
    info: strawberry.Info,
    account_id: UUID | None,
    first: int | None,
    after: str | None,
    status: list[str] | None,
) -> OutboundMessageConnection:
    """An account's messages, newest first; or (no account) the drafts to review, oldest first."""
    size = pagination.page_size(first, default=20 if account_id else 50)
    key = pagination.decode(after, pagination.TIMESTAMP, pagination.ID)
    async with info.context.pool.acquire() as conn:
        if account_id is None:
            rows = await messages.drafts(conn, key, size + 1)
        else:
            rows = await messages.messages_of_account(conn, account_id, status, key, size + 1)
    return OutboundMessageConnection.of(
        rows,
        size,
        cursor=lambda row: pagination.encode(row["created_at"], row["id"]),
        node=OutboundMessage.from_row,
    )


@strawberry.type
class MessageQueries:
    @strawberry.field(description="Every template (each language and channel), or those with one name.")
    async def message_templates(
        self,
        info: strawberry.Info,
        name: Annotated[str | None, strawberry.argument(description="Only this name.")] = None,
    ) -> list[MessageTemplate]:
        require_messages(info)
        async with info.context.pool.acquire() as conn:
            rows = await messages.templates(conn, name)
        return [MessageTemplate.from_row(row) for row in rows]

    @strawberry.field(description="Every dunning policy, by name.")
    async def dunning_policies(self, info: strawberry.Info) -> list[DunningPolicy]:
        async with info.context.pool.acquire() as conn:
            rows = await messages.policies(conn)
        return [DunningPolicy.from_row(row) for row in rows]

    @strawberry.field(description="Drafts waiting for a person, oldest first.")
    async def messages_to_review(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description="At most 100.")] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the last page.")
        ] = None,
    ) -> OutboundMessageConnection:
        require_messages(info)
        return await messages_page(info, None, first, after, None)

    @strawberry.field(description="A template rendered for a real account, as its contact would get it now.")
    async def preview_message(
        self,
        info: strawberry.Info,
        account_id: Annotated[strawberry.ID, strawberry.argument(description="The account.")],
        template_name: Annotated[str, strawberry.argument(description="The template's name.")],
        contact_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Default: whom the planner would pick.")
        ] = None,
    ) -> RenderedMessage:
        require_messages(info)
        account = ids.decode_as(account_id, "Account")
        contact = ids.decode_as(contact_id, "Contact") if contact_id else None
        async with info.context.pool.acquire() as conn:
            try:
                shown = await dunning.preview(
                    conn, account, template_name, contact, moment(None), info.context.public_url
                )
            except Rejected as rejected:
                raise InvalidArgument(rejected.problems[0].message) from None
            rows = await invoices.invoices_by_ids(conn, [i.id for i in shown.invoices])
            contact_row = None
            if shown.contact is not None:
                contact_row = await info.context.loaders.contact.load(shown.contact.id)
        return RenderedMessage(
            subject=shown.text.subject,
            body=shown.text.body,
            language=shown.language,
            contact=Contact.from_row(contact_row) if contact_row else None,
            invoices=[Invoice.from_row(rows[i.id]) for i in shown.invoices if i.id in rows],
        )


async def message_node(info: strawberry.Info, type_name: str, id_: UUID) -> Node | None:
    """node(id) for the communication types; messages and templates only for AR and ADMIN."""
    if type_name != "DunningPolicy" and not may_write(info.context.user.team, Write.MESSAGES):
        return None
    async with info.context.pool.acquire() as conn:
        match type_name:
            case "OutboundMessage":
                row = (await messages.messages_by_ids(conn, [id_])).get(id_)
                return OutboundMessage.from_row(row) if row else None
            case "MessageTemplate":
                row = await messages.template_by_id(conn, id_)
                return MessageTemplate.from_row(row) if row else None
            case "DunningPolicy":
                row = (await messages.policies_by_ids(conn, [id_])).get(id_)
                return DunningPolicy.from_row(row) if row else None
            case "StatementLink":
                row = await statements.link_by_id(conn, id_)
                return StatementLink.from_row(row) if row else None
    return None
