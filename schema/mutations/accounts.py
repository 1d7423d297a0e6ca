"""Mutations on accounts: create, update with a version check, and bulk upsert by external ref."""

from typing import Annotated
from uuid import UUID

import asyncpg
import strawberry

from domain.commands.accounts import AccountEdit, AccountUpsert, NewAccount
from domain.records import check_ref as check_ref_values
from domain.validation import Checker
from schema.mutations.base import change, parse_id
from schema.mutations.descriptions import ACCOUNT_ID, TAGS
from schema.mutations.payloads import AccountPayload, UpsertAccountsPayload
from schema.types.account import Account, AccountStatus
from schema.types.common import ExternalRefInput
from services import accounts
from services.accounts import Upserted


@strawberry.input(description="A new account.")
class CreateAccountInput:
    name: str = strawberry.field(description="The customer's name, 1-200 characters.")
    external_refs: list[ExternalRefInput] | None = strawberry.field(
        default=None, description="Its ids in other systems; each may belong to one account only."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="The responsible user (a User id); null for nobody."
    )
    tags: list[str] | None = strawberry.field(default=None, description=TAGS)
    time_zone: str | None = strawberry.field(
        default=None,
        description='IANA time zone, e.g. "Europe/Berlin"; contacts without their own use it. Default "UTC".',
    )
    status: AccountStatus | None = strawberry.field(
        default=None, description="ACTIVE, ON_HOLD or CLOSED; new accounts default to ACTIVE."
    )


@strawberry.input(description="Changes to an account; a field left null keeps its value.")
class UpdateAccountInput:
    id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    expected_version: int = strawberry.field(
        description="The version you read: if the account changed since, the update is a "
        "CONFLICT and changes nothing."
    )
    name: str | None = strawberry.field(default=None, description="A new name, 1-200 characters.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="A new responsible user (a User id)."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="The new labels, replacing the old ones."
    )
    time_zone: str | None = strawberry.field(
        default=None, description='IANA time zone, e.g. "Europe/Berlin"; contacts without their own use it.'
    )
    status: AccountStatus | None = strawberry.field(default=None, description="The new status.")


@strawberry.input(description="Keyed by externalRef.")
class AccountUpsertInput:
    external_ref: ExternalRefInput = strawberry.field(
        description="The key: the account with this ref is updated, else a new one is created."
    )
    name: str = strawberry.field(description="The customer's name, 1-200 characters.")
    tags: list[str] | None = strawberry.field(
        default=None, description="Labels, replacing the old ones; null keeps them."
    )
    time_zone: str | None = strawberry.field(
        default=None,
        description='IANA time zone, e.g. "Europe/Berlin"; contacts without their own use '
        "it. Null keeps it (new accounts: UTC).",
    )
    status: AccountStatus | None = strawberry.field(
        default=None, description="Null keeps it (new accounts: ACTIVE)."
    )


def check_ref(check: Checker, ref: ExternalRefInput) -> None:
    check_ref_values(check, ref.system, ref.id)


def _owner_id(owner_id: strawberry.ID | None) -> UUID | None:
    return None if owner_id is None else parse_id(owner_id, "User", ("input", "ownerId"), "user")


def _account_payload(row: asyncpg.Record) -> AccountPayload:
    return AccountPayload(account=Account.from_row(row))


def _upserted_payload(results: list[tuple[asyncpg.Record, Upserted]]) -> UpsertAccountsPayload:
    outcomes = [outcome for _, outcome in results]
    return UpsertAccountsPayload(
        accounts=[Account.from_row(row) for row, _ in results],
        created=outcomes.count(Upserted.CREATED),
        updated=outcomes.count(Upserted.UPDATED),
        unchanged=outcomes.count(Upserted.UNCHANGED),
    )


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create an account. Any team but INTEGRATION.")
    async def create_account(
        self,
        info: strawberry.Info,
        input: Annotated[CreateAccountInput, strawberry.argument(description="The new account.")],
    ) -> AccountPayload:
        return await change(
            info,
            AccountPayload,
            accounts.create_account,
            lambda: NewAccount(
                name=input.name,
                external_refs=[(ref.system, ref.id) for ref in input.external_refs or []],
                owner_id=_owner_id(input.owner_id),
                tags=input.tags,
                time_zone=input.time_zone,
                status=input.status,
            ),
            _account_payload,
        )

    @strawberry.mutation(
        description="Change an account if it is still at expectedVersion. Any team but INTEGRATION."
    )
    async def update_account(
        self,
        info: strawberry.Info,
        input: Annotated[UpdateAccountInput, strawberry.argument(description="What to change.")],
    ) -> AccountPayload:
        return await change(
            info,
            AccountPayload,
            accounts.update_account,
            lambda: AccountEdit(
                account_id=parse_id(input.id, "Account", ("input", "id"), "account"),
                expected_version=input.expected_version,
                name=input.name,
                owner_id=_owner_id(input.owner_id),
                tags=input.tags,
                time_zone=input.time_zone,
                status=input.status,
            ),
            _account_payload,
        )

    @strawberry.mutation(description="At most 1,000 items; all or nothing.")
    async def upsert_accounts(
        self,
        info: strawberry.Info,
        input: Annotated[
            list[AccountUpsertInput],
            strawberry.argument(description="The accounts, each keyed by externalRef; every key once."),
        ],
    ) -> UpsertAccountsPayload:
        return await change(
            info,
            UpsertAccountsPayload,
            accounts.upsert_accounts,
            lambda: [
                AccountUpsert(
                    system=item.external_ref.system,
                    external_id=item.external_ref.id,
                    name=item.name,
                    tags=item.tags,
                    time_zone=item.time_zone,
                    status=item.status,
                )
                for item in input
            ],
            _upserted_payload,
        )
