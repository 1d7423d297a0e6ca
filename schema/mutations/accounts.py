"""Mutations on accounts: create, update with a version check, and bulk upsert by external ref."""

from uuid import UUID

import asyncpg
import strawberry

from domain.commands.accounts import AccountEdit, AccountUpsert, NewAccount
from domain.records import check_ref as check_ref_values
from domain.validation import Checker
from schema.mutations.base import change, parse_id
from schema.mutations.payloads import AccountPayload, UpsertAccountsPayload
from schema.types.account import Account, AccountStatus
from schema.types.common import ExternalRefInput
from services import accounts
from services.accounts import Upserted


@strawberry.input
class CreateAccountInput:
    name: str
    external_refs: list[ExternalRefInput] | None = None
    owner_id: strawberry.ID | None = None
    tags: list[str] | None = None
    time_zone: str | None = None
    status: AccountStatus | None = None


@strawberry.input
class UpdateAccountInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = None
    owner_id: strawberry.ID | None = None
    tags: list[str] | None = None
    time_zone: str | None = None
    status: AccountStatus | None = None


@strawberry.input(description="Keyed by externalRef.")
class AccountUpsertInput:
    external_ref: ExternalRefInput
    name: str
    tags: list[str] | None = None
    time_zone: str | None = None
    status: AccountStatus | None = None


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
    @strawberry.mutation
    async def create_account(self, info: strawberry.Info, input: CreateAccountInput) -> AccountPayload:
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

    @strawberry.mutation
    async def update_account(self, info: strawberry.Info, input: UpdateAccountInput) -> AccountPayload:
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
        input: list[AccountUpsertInput],
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
