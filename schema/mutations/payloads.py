"""Mutation payloads: the result, or userErrors and nothing else."""

import strawberry

from schema.types.account import Account
from schema.types.common import UserError
from schema.types.contact import Contact
from schema.types.entries.common import TimelineEntry
from schema.types.invoice import Invoice


@strawberry.type
class AccountPayload:
    account: Account | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpsertAccountsPayload:
    accounts: list[Account] = strawberry.field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ContactPayload:
    contact: Contact | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PreferencePayload:
    account: Account | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class EntryPayload:
    entry: TimelineEntry | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpsertInvoicesPayload:
    invoices: list[Invoice] = strawberry.field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)
