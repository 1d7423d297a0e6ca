"""Account: one customer, and the root of its timeline."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import asyncpg
import strawberry

from domain import accounts
from schema import ids, pagination
from schema.moments import day, moment
from schema.types.common import Connection, ExternalRef
from schema.types.contact import Contact
from schema.types.entries.common import TimelineEntry
from schema.types.entries.rows import entry_from_row
from schema.types.entries.timeline import TimelineEntryConnection, TimelineFilter, timeline_page
from schema.types.enums import described_enum
from schema.types.invoice import Invoice, InvoiceConnection, InvoiceFilter, today
from schema.types.node import Node
from schema.types.preference import Preference
from schema.types.receivables import Receivables, receivables_of
from schema.types.user import Team, User
from store import entries, invoices

if TYPE_CHECKING:
    from schema.types.brief import CallBrief
    from schema.types.message import (
        DunningPolicy,
        MessageStatus,
        OutboundMessageConnection,
        StatementLink,
    )

_MESSAGES = "schema.types.message"


AccountStatus = described_enum(
    accounts.AccountStatus,
    "AccountStatus",
    "Where the relationship with a customer stands.",
    {
        "ACTIVE": "A current customer; new accounts start ACTIVE.",
        "ON_HOLD": "Business is paused, e.g. deliveries stopped until the customer pays.",
        "CLOSED": "No longer a customer; its timeline stays readable.",
    },
)


@strawberry.type(description="Who looks after an account for one team (at most one owner per team).")
class AccountOwner:
    team: Team = strawberry.field(description="The team this person owns the account for.")
    user: User = strawberry.field(description="The owner.")


@strawberry.type(description="A customer account: one shared timeline.")
class Account(Node):
    name: str = strawberry.field(description="The customer's name as people know it, 1-200 characters.")
    status: AccountStatus = strawberry.field(description="Where the relationship stands.")
    tags: list[str] = strawberry.field(
        description='Labels, e.g. "key-account"; at most 20, each 1-50 characters.'
    )
    time_zone: str = strawberry.field(description='IANA name; "UTC" when unknown.')
    created_at: datetime = strawberry.field(description="When the account was created.")
    updated_at: datetime = strawberry.field(
        description="When the account's own fields last changed; new timeline entries do not change it."
    )
    version: int = strawberry.field(description="Optimistic concurrency token.")
    account_id: strawberry.Private[UUID]
    owner_id: strawberry.Private[UUID | None]

    @strawberry.field(
        description="The account's ids in other systems (ERP, billing); empty when it has none."
    )
    async def external_refs(self, info: strawberry.Info) -> list[ExternalRef]:
        refs = await info.context.loaders.account_refs.load(self.account_id)
        return [ExternalRef(system=system, id=external_id) for system, external_id in refs]

    @strawberry.field(description="The user responsible for the account; null when nobody is.")
    async def owner(self, info: strawberry.Info) -> User | None:
        if self.owner_id is None:
            return None
        user = await info.context.loaders.user.load(self.owner_id)
        return User.from_user(user) if user else None

    @strawberry.field(description="Who looks after this account, at most one per team.")
    async def owners(self, info: strawberry.Info) -> list[AccountOwner]:
        rows = await info.context.loaders.owners.load(self.account_id)
        return [AccountOwner(team=Team(row["team"]), user=User.from_row(row, "user_")) for row in rows]

    @strawberry.field(
        description="Whether the caller follows this account: "
        "its news, promises and disputes reach their inbox."
    )
    async def followed_by_me(self, info: strawberry.Info) -> bool:
        return await info.context.loaders.followed.load((info.context.user.id, self.account_id))

    @strawberry.field(description="The people at this customer, by name.")
    async def contacts(self, info: strawberry.Info) -> list[Contact]:
        rows = await info.context.loaders.contacts_of_account.load(self.account_id)
        return [Contact.from_row(row) for row in rows]

    @strawberry.field(description="How this customer likes to be dealt with, by key.")
    async def preferences(self, info: strawberry.Info) -> list[Preference]:
        rows = await info.context.loaders.preferences.load(self.account_id)
        return [Preference.from_row(row) for row in rows]

    @strawberry.field(description="Pinned entries, newest first.")
    async def pinned(self, info: strawberry.Info) -> list[TimelineEntry]:
        rows = await info.context.loaders.pinned.load(self.account_id)
        invoice_rows = await info.context.loaders.entry_invoices.load_many([r["id"] for r in rows])
        return [entry_from_row(row, inv) for row, inv in zip(rows, invoice_rows, strict=True)]

    @strawberry.field(description="One per currency, as of asOf (default today).")
    async def receivables(
        self,
        info: strawberry.Info,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The day to age invoices on (a UTC day, within ten years of today); "
                "default today."
            ),
        ] = None,
    ) -> list[Receivables]:
        return receivables_of(await info.context.loaders.open_invoices.load(self.account_id), day(as_of))

    @strawberry.field(description="Everything to know before contacting this customer at `at` (default now).")
    async def call_brief(
        self,
        info: strawberry.Info,
        at: Annotated[
            datetime | None,
            strawberry.argument(
                description="The instant to brief for, within ten years of now; default now. A time "
                "without offset is UTC."
            ),
        ] = None,
    ) -> Annotated["CallBrief", strawberry.lazy("schema.types.brief")]:
        from schema.briefing import call_brief

        return await call_brief(info, self, moment(at))

    @strawberry.field(description="Newest first by occurredAt, then id; first is capped at 100.")
    async def timeline(
        self,
        info: strawberry.Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many entries: default 20, at most 100 (more is cut to 100); "
                "negative is INVALID."
            ),
        ] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor this list gave out (pageInfo.endCursor, or an edge's cursor): "
                "the page starts right after it. Null starts at the beginning."
            ),
        ] = None,
        filter: Annotated[
            TimelineFilter | None,
            strawberry.argument(
                description="Only entries that match every field set; null for all. RESTRICTED "
                "entries show only to AR and ADMIN, whatever the filter."
            ),
        ] = None,
    ) -> TimelineEntryConnection:
        where = filter.to_store() if filter else entries.TimelineFilter()
        return await timeline_page(info, self.account_id, where, first, after)

    @strawberry.field(description="Newest issued first; first is capped at 100.")
    async def invoices(
        self,
        info: strawberry.Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many invoices: default 50, at most 100 (more is cut to 100); "
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
            InvoiceFilter | None,
            strawberry.argument(description="Only invoices that match every field set; null for all."),
        ] = None,
    ) -> InvoiceConnection:
        size = pagination.page_size(first)
        key = pagination.decode(after, pagination.DAY, pagination.ID)
        async with info.context.pool.acquire() as conn:
            rows = await invoices.invoices_of_account(
                conn,
                self.account_id,
                statuses=[s.value for s in filter.status] if filter and filter.status else None,
                overdue_on=today() if filter and filter.overdue_only else None,
                after=key,
                limit=size + 1,
            )
        return InvoiceConnection.of(
            rows,
            size,
            cursor=lambda row: pagination.encode(row["issued_on"], row["id"]),
            node=Invoice.from_row,
        )

    @strawberry.field(description="Its own dunning policy; null: the default policy applies.")
    async def dunning_policy(
        self, info: strawberry.Info
    ) -> Annotated["DunningPolicy", strawberry.lazy(_MESSAGES)] | None:
        from schema.account_dunning import dunning_policy

        return await dunning_policy(info, self.account_id)

    @strawberry.field(description="Paused accounts get no automatic messages.")
    async def dunning_paused_until(self, info: strawberry.Info) -> datetime | None:
        from schema.account_dunning import dunning_setting

        setting = await dunning_setting(info, self.account_id)
        return setting["paused_until"] if setting else None

    @strawberry.field(description="Why dunning is paused.")
    async def dunning_pause_reason(self, info: strawberry.Info) -> str | None:
        from schema.account_dunning import dunning_setting

        setting = await dunning_setting(info, self.account_id)
        return setting["pause_reason"] if setting else None

    @strawberry.field(description="Messages to this customer, newest first; AR and ADMIN only.")
    async def messages(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description="At most 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the last page.")
        ] = None,
        status: Annotated[
            Annotated["MessageStatus", strawberry.lazy(_MESSAGES)] | None,
            strawberry.argument(description="Only messages in this status."),
        ] = None,
    ) -> Annotated["OutboundMessageConnection", strawberry.lazy(_MESSAGES)]:
        from schema.account_dunning import account_messages

        return await account_messages(info, self.account_id, first, after, status)

    @strawberry.field(description="Links to this customer's statement, newest first; AR and ADMIN only.")
    async def statement_links(
        self, info: strawberry.Info
    ) -> list[Annotated["StatementLink", strawberry.lazy(_MESSAGES)]]:
        from schema.account_dunning import statement_links

        return await statement_links(info, self.account_id)

    @classmethod
    def from_row(cls, row: asyncpg.Record | Any, prefix: str = "") -> "Account":
        return cls(
            id=strawberry.ID(ids.encode("Account", row[f"{prefix}id"])),
            name=row[f"{prefix}name"],
            status=AccountStatus(row[f"{prefix}status"]),
            tags=list(row[f"{prefix}tags"]),
            time_zone=row[f"{prefix}time_zone"],
            created_at=row[f"{prefix}created_at"],
            updated_at=row[f"{prefix}updated_at"],
            version=row[f"{prefix}version"],
            account_id=row[f"{prefix}id"],
            owner_id=row[f"{prefix}owner_id"],
        )


@strawberry.type(description="A page of accounts.")
class AccountConnection(Connection[Account]):
    pass


@strawberry.input(description="Narrows accounts(): an account must match every field set.")
class AccountFilter:
    status: list[AccountStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    tags: list[str] | None = strawberry.field(default=None, description="At least one of these tags.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owned by this user (a User id)."
    )
    name_contains: str | None = strawberry.field(
        default=None, description='Part of the name, in any case: "north" finds "Northwind Traders".'
    )
