"""Mutation payloads: the result, or userErrors and nothing else."""

import strawberry

from schema.types.account import Account
from schema.types.common import UserError
from schema.types.contact import Contact
from schema.types.entries.common import TimelineEntry
from schema.types.invoice import Invoice


@strawberry.type(description="The account written, or userErrors and nothing changed.")
class AccountPayload:
    account: Account | None = strawberry.field(
        default=None, description="The account as it is now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The accounts written, or userErrors and none of them changed.")
class UpsertAccountsPayload:
    accounts: list[Account] = strawberry.field(
        default_factory=list,
        description="The accounts in the order of the input; empty when there are userErrors.",
    )
    created: int = strawberry.field(default=0, description="How many were new.")
    updated: int = strawberry.field(default=0, description="How many existed and changed.")
    unchanged: int = strawberry.field(default=0, description="How many existed already as sent.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, each with its input path; empty on success."
    )


@strawberry.type(description="The contact written, or userErrors and nothing changed.")
class ContactPayload:
    contact: Contact | None = strawberry.field(
        default=None, description="The contact as it is now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The account with its preferences, or userErrors and nothing changed.")
class PreferencePayload:
    account: Account | None = strawberry.field(
        default=None,
        description="The account; its preferences show the change. Null when there are userErrors.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The entry written or changed, or userErrors and nothing changed.")
class EntryPayload:
    entry: TimelineEntry | None = strawberry.field(
        default=None, description="The entry as the caller may see it now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The id of the entry deleted, or userErrors and nothing changed.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted entry's id; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The invoices written, or userErrors and none of them changed.")
class UpsertInvoicesPayload:
    invoices: list[Invoice] = strawberry.field(
        default_factory=list,
        description="The invoices in the order of the input; empty when there are userErrors.",
    )
    created: int = strawberry.field(default=0, description="How many were new.")
    updated: int = strawberry.field(default=0, description="How many existed and changed.")
    unchanged: int = strawberry.field(default=0, description="How many existed already as sent.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, each with its input path; empty on success."
    )
