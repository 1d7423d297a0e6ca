"""The root Query."""

from datetime import date
from typing import Annotated

import strawberry

from domain.teams import Team
from schema import ids, pagination
from schema.collections_queue import collections_queue
from schema.errors import Forbidden
from schema.inbox import items_of_rows
from schema.messages_query import MessageQueries, message_node
from schema.searching import run_search
from schema.types.account import Account, AccountConnection, AccountFilter
from schema.types.audit import AuditEntry, AuditEntryConnection
from schema.types.common import ExternalRefInput
from schema.types.contact import Contact
from schema.types.entries.rows import entry_from_row
from schema.types.invoice import Invoice
from schema.types.node import Node
from schema.types.queue import CollectionsConnection
from schema.types.search import SearchFilter, SearchResults
from schema.types.user import User
from schema.work import WorkQueries
from store import accounts, inbox
from store.audit_log import audit_page


async def _node(info: strawberry.Info, global_id: str) -> Node | None:
    type_name, id_ = ids.decode(global_id)
    loaders = info.context.loaders
    match type_name:
        case "Account":
            row = await loaders.account.load(id_)
            return Account.from_row(row) if row else None
        case "Contact":
            row = await loaders.contact.load(id_)
            return Contact.from_row(row) if row else None
        case "Invoice":
            row = await loaders.invoice.load(id_)
            return Invoice.from_row(row) if row else None
        case "User":
            user = await loaders.user.load(id_)
            return User.from_user(user) if user else None
        case "OutboundMessage" | "MessageTemplate" | "DunningPolicy" | "StatementLink":
            return await message_node(info, type_name, id_)
        case "Entry":
            row = await loaders.entry.load(id_)
            return entry_from_row(row, await loaders.entry_invoices.load(id_)) if row else None
        case "InboxItem":  # the caller's own only
            async with info.context.pool.acquire() as conn:
                row = await inbox.item(
                    conn, info.context.user.id, id_, restricted=info.context.sees_restricted
                )
            return (await items_of_rows(info.context, [row]))[0] if row else None
    return None


@strawberry.type(
    description="What a caller may read. Everything but RESTRICTED entries is shared by every team."
)
class Query(WorkQueries, MessageQueries):
    @strawberry.field(description="The caller.")
    def me(self, info: strawberry.Info) -> User:
        return User.from_user(info.context.user)

    @strawberry.field(description="Any object by its global id; null if it does not exist or is hidden.")
    async def node(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id from any object's `id`.")],
    ) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="An account by its id; null if there is none.")
    async def account(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="An Account id.")],
    ) -> Account | None:
        row = await info.context.loaders.account.load(ids.decode_as(id, "Account"))
        return Account.from_row(row) if row else None

    @strawberry.field(description="The account with this id in another system; null if there is none.")
    async def account_by_external_ref(
        self,
        info: strawberry.Info,
        ref: Annotated[
            ExternalRefInput,
            strawberry.argument(description='The system and its id, e.g. {system: "erp", id: "C-1042"}.'),
        ],
    ) -> Account | None:
        async with info.context.pool.acquire() as conn:
            row = await accounts.account_by_ref(conn, ref.system, ref.id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="By name, then id; first is capped at 100.")
    async def accounts(
        self,
        info: strawberry.Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many accounts: default 50, at most 100 (more is cut to 100); "
                "negative is INVALID."
            ),
        ] = 50,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor this list gave out (pageInfo.endCursor, or an edge's cursor): "
                "the page starts right after it. Null starts at the beginning."
            ),
        ] = None,
        filter: Annotated[
            AccountFilter | None,
            strawberry.argument(description="Only accounts that match every field set; null for all."),
        ] = None,
    ) -> AccountConnection:
        size = pagination.page_size(first, default=50)
        key = pagination.decode(after, pagination.TEXT, pagination.ID)
        where = accounts.AccountFilter(
            statuses=[s.value for s in filter.status] if filter and filter.status else None,
            tags=filter.tags or None if filter else None,
            owner_id=ids.decode_as(filter.owner_id, "User") if filter and filter.owner_id else None,
            name_contains=filter.name_contains if filter else None,
        )
        async with info.context.pool.acquire() as conn:
            rows = await accounts.list_accounts(conn, where, key, size + 1)
        return AccountConnection.of(
            rows,
            size,
            cursor=lambda row: pagination.encode(row["sort_key"], row["id"]),
            node=Account.from_row,
        )

    @strawberry.field(description="Across every account the caller may see; typos forgiven.")
    async def search(
        self,
        info: strawberry.Info,
        query: Annotated[
            str,
            strawberry.argument(
                description="The words to look for, at most 500 characters; typos are forgiven."
            ),
        ],
        filter: Annotated[
            SearchFilter | None, strawberry.argument(description="Only hits that match every field set.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="How many hits: default 20, 0 to 100.")
        ] = 20,
        offset: Annotated[
            int | None,
            strawberry.argument(description="How many of the best hits to skip, 0 to 1,000; default 0."),
        ] = 0,
    ) -> SearchResults:
        return await run_search(info, query, filter, 20 if first is None else first, offset or 0)

    @strawberry.field(description="Accounts with overdue, undisputed money, most urgent first.")
    async def collections_queue(
        self,
        info: strawberry.Info,
        as_of: Annotated[
            date | None, strawberry.argument(description="The day to age debt on (UTC); default today.")
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many accounts: default 50, at most 100 (more is cut to 100)."
            ),
        ] = 50,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor this list gave out (pageInfo.endCursor, or an edge's cursor): "
                "the page starts right after it. Null starts at the beginning."
            ),
        ] = None,
    ) -> CollectionsConnection:
        return await collections_queue(info, as_of, first, after)

    @strawberry.field(description="ADMIN only: every change to an account, newest first.")
    async def audit_log(
        self,
        info: strawberry.Info,
        account_id: Annotated[strawberry.ID, strawberry.argument(description="The account (an Account id).")],
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many changes: default 50, at most 100 (more is cut to 100)."
            ),
        ] = 50,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor this list gave out (pageInfo.endCursor, or an edge's cursor): "
                "the page starts right after it. Null starts at the beginning."
            ),
        ] = None,
    ) -> AuditEntryConnection:
        if info.context.user.team != Team.ADMIN:
            raise Forbidden("Only ADMIN may read the audit log.")
        size = pagination.page_size(first, default=50)
        key = pagination.decode(after, int)
        async with info.context.pool.acquire() as conn:
            rows = await audit_page(
                conn, ids.decode_as(account_id, "Account"), key[0] if key else None, size + 1
            )
        return AuditEntryConnection.of(
            rows, size, cursor=lambda row: pagination.encode(row["id"]), node=AuditEntry.from_row
        )
