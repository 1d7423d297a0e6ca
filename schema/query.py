"""The root Query."""

from datetime import date

import strawberry

from domain.teams import Team
from schema import ids, pagination
from schema.collections_queue import collections_queue
from schema.errors import Forbidden
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
from store import accounts
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
    return None


@strawberry.type
class Query(MessageQueries):
    @strawberry.field(description="The caller.")
    def me(self, info: strawberry.Info) -> User:
        return User.from_user(info.context.user)

    @strawberry.field(description="Any object by its global id; null if it does not exist or is hidden.")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field
    async def account(self, info: strawberry.Info, id: strawberry.ID) -> Account | None:
        row = await info.context.loaders.account.load(ids.decode_as(id, "Account"))
        return Account.from_row(row) if row else None

    @strawberry.field
    async def account_by_external_ref(self, info: strawberry.Info, ref: ExternalRefInput) -> Account | None:
        async with info.context.pool.acquire() as conn:
            row = await accounts.account_by_ref(conn, ref.system, ref.id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="By name, then id; first is capped at 100.")
    async def accounts(
        self,
        info: strawberry.Info,
        first: int | None = 50,
        after: str | None = None,
        filter: AccountFilter | None = None,
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
        query: str,
        filter: SearchFilter | None = None,
        first: int | None = 20,
        offset: int | None = 0,
    ) -> SearchResults:
        return await run_search(info, query, filter, 20 if first is None else first, offset or 0)

    @strawberry.field(description="Accounts with overdue, undisputed money, most urgent first.")
    async def collections_queue(
        self,
        info: strawberry.Info,
        as_of: date | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> CollectionsConnection:
        return await collections_queue(info, as_of, first, after)

    @strawberry.field(description="ADMIN only: every change to an account, newest first.")
    async def audit_log(
        self,
        info: strawberry.Info,
        account_id: strawberry.ID,
        first: int | None = 50,
        after: str | None = None,
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
