"""Mutations on accounts: create, update with a version check, and bulk upsert by external ref."""

import asyncpg
import strawberry

from domain.permissions import Write
from domain.records import check_account
from domain.records import check_ref as check_ref_values
from domain.validation import Checker, not_found
from schema.mutations.base import existing_account, parse_id, require, run
from schema.mutations.payloads import AccountPayload, UpsertAccountsPayload
from schema.types.account import Account, AccountStatus
from schema.types.common import ExternalRefInput
from store import accounts, users


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


def _check_account(check: Checker, data: object) -> None:
    check_account(check, name=data.name, tags=data.tags, time_zone=data.time_zone)


async def _owner(conn: asyncpg.Connection, owner_id: strawberry.ID | None) -> object:
    if owner_id is None:
        return None
    path = ("input", "ownerId")
    user_id = parse_id(owner_id, "User", path, "user")
    if not await users.users_by_ids(conn, [user_id]):
        raise not_found(path, "user")
    return user_id


async def _record(
    conn: asyncpg.Connection,
    info: strawberry.Info,
    action: str,
    account_ids: list,
    *,
    before: dict | None = None,
    after: dict | None = None,
    renamed: list | None = None,
) -> None:
    await accounts.record_changes(
        conn,
        actor_id=info.context.user.id,
        action=action,
        account_ids=account_ids,
        before=before,
        after=after,
        renamed=renamed,
    )


def _snapshot(row: asyncpg.Record) -> dict:
    # The audit columns are JSON: the owner's uuid goes in as text (orjson cannot encode asyncpg's UUID).
    snapshot = {k: row[k] for k in ("name", "status", "tags", "time_zone", "version")}
    snapshot["owner_id"] = str(row["owner_id"]) if row["owner_id"] is not None else None
    return snapshot


@strawberry.type
class AccountMutations:
    @strawberry.mutation
    async def create_account(
        self,
        info: strawberry.Info,
        input: CreateAccountInput,
    ) -> AccountPayload:
        async def work(conn: asyncpg.Connection) -> AccountPayload:
            require(info, Write.ACCOUNTS)
            check = Checker()
            _check_account(check, input)
            for i, ref in enumerate(input.external_refs or []):
                check_ref(check.at("externalRefs", i), ref)
            check.settle()
            row = await accounts.create_account(
                conn,
                name=input.name.strip(),
                status=(input.status or AccountStatus.ACTIVE).value,
                owner_id=await _owner(conn, input.owner_id),
                tags=input.tags or [],
                time_zone=input.time_zone or "UTC",
            )
            refs = [(r.system, r.id) for r in input.external_refs or []]
            await accounts.add_refs(conn, row["id"], refs, ("input", "externalRefs"))
            await _record(conn, info, "createAccount", [row["id"]], after=_snapshot(row))
            return AccountPayload(account=Account.from_row(row))

        return await run(info, AccountPayload, work)

    @strawberry.mutation
    async def update_account(
        self,
        info: strawberry.Info,
        input: UpdateAccountInput,
    ) -> AccountPayload:
        async def work(conn: asyncpg.Connection) -> AccountPayload:
            require(info, Write.ACCOUNTS)
            check = Checker()
            _check_account(check, input)
            check.settle()
            account = await existing_account(conn, input.id, ("input", "id"))
            wanted = {
                "name": input.name.strip() if input.name is not None else None,
                "status": input.status.value if input.status else None,
                "tags": input.tags,
                "time_zone": input.time_zone,
            }
            updates = {k: v for k, v in wanted.items() if v is not None}
            if input.owner_id is not None:
                updates["owner_id"] = await _owner(conn, input.owner_id)
            before, after = await accounts.update_account(
                conn, account["id"], input.expected_version, updates
            )
            await _record(
                conn,
                info,
                "updateAccount",
                [account["id"]],
                before=_snapshot(before),
                after=_snapshot(after),
                renamed=[account["id"]] if before["name"] != after["name"] else [],
            )
            return AccountPayload(account=Account.from_row(after))

        return await run(info, AccountPayload, work)

    @strawberry.mutation(description="At most 1,000 items; all or nothing.")
    async def upsert_accounts(
        self,
        info: strawberry.Info,
        input: list[AccountUpsertInput],
    ) -> UpsertAccountsPayload:
        async def work(conn: asyncpg.Connection) -> UpsertAccountsPayload:
            require(info, Write.UPSERT_ACCOUNTS)
            check = Checker()
            check.batch_size(len(input))
            for i, item in enumerate(input):
                item_check = check.at(i)
                _check_account(item_check, item)
                check_ref(item_check.at("externalRef"), item.external_ref)
            check.settle()
            results, changed, renamed = await accounts.upsert_accounts(
                conn,
                [
                    accounts.AccountUpsert(
                        system=item.external_ref.system,
                        external_id=item.external_ref.id,
                        name=item.name.strip(),
                        tags=item.tags,
                        time_zone=item.time_zone,
                        status=item.status.value if item.status else None,
                    )
                    for item in input
                ],
            )
            if changed:
                await _record(conn, info, "upsertAccounts", changed, renamed=renamed)
            outcomes = [outcome for _, outcome in results]
            return UpsertAccountsPayload(
                accounts=[Account.from_row(row) for row, _ in results],
                created=outcomes.count("created"),
                updated=outcomes.count("updated"),
                unchanged=outcomes.count("unchanged"),
            )

        return await run(info, UpsertAccountsPayload, work)
