"""Accounts: created, edited at a known version, or upserted under another system's ref.

Every writer of an account (the mutations, the CSV import, the demo) comes
here, so each change writes the same audit row, outbox rows and wake-up.
"""

from collections.abc import Sequence
from enum import Enum
from uuid import UUID

import asyncpg

from domain.accounts import DEFAULT_STATUS, DEFAULT_TIME_ZONE
from domain.actors import Actor
from domain.commands.accounts import AccountEdit, AccountUpsert, NewAccount
from domain.permissions import Write
from domain.records import check_account, check_ref
from domain.redaction import redact
from domain.validation import Checker, Problem, Rejected, conflict, not_found
from store import accounts, changes, users


class Upserted(Enum):
    """What an upsert did to one item's record."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


async def account_at(conn: asyncpg.Connection, account_id: UUID, path: tuple[str, ...]) -> asyncpg.Record:
    """The account a change names; NOT_FOUND at `path` if there is none."""
    row = (await accounts.accounts_by_ids(conn, [account_id])).get(account_id)
    if row is None:
        raise not_found(path, "account")
    return row


async def create_account(conn: asyncpg.Connection, actor: Actor, command: NewAccount) -> asyncpg.Record:
    actor.require(Write.ACCOUNTS)
    check = Checker()
    check_account(check, name=command.name, tags=command.tags, time_zone=command.time_zone)
    for i, (system, external_id) in enumerate(command.external_refs):
        check_ref(check.at("externalRefs", i), system, external_id)
    check.settle()
    row = await accounts.create_account(
        conn,
        name=redact(command.name.strip()),
        status=(command.status or DEFAULT_STATUS).value,
        owner_id=await _owner(conn, command.owner_id),
        tags=list(command.tags or []),
        time_zone=command.time_zone or DEFAULT_TIME_ZONE,
    )
    refs = list(command.external_refs)
    if refs:
        taken = await accounts.taken_refs(conn, refs)
        if taken:
            raise Rejected(
                *[
                    Problem(
                        ("input", "externalRefs", str(i)),
                        f"external ref {system}:{external_id} already names an account.",
                        "CONFLICT",
                    )
                    for i, (system, external_id) in enumerate(refs)
                    if (system, external_id) in taken
                ]
            )
        await accounts.add_refs(conn, row["id"], refs)
    await _record(conn, actor, "createAccount", [row["id"]], after=_snapshot(row))
    return row


async def update_account(conn: asyncpg.Connection, actor: Actor, command: AccountEdit) -> asyncpg.Record:
    actor.require(Write.ACCOUNTS)
    check = Checker()
    check_account(check, name=command.name, tags=command.tags, time_zone=command.time_zone)
    check.settle()
    before = await accounts.lock_account(conn, command.account_id)
    if before is None:
        raise not_found(("input", "id"), "account")
    wanted = {
        "name": redact(command.name.strip()) if command.name is not None else None,
        "status": command.status.value if command.status else None,
        "tags": list(command.tags) if command.tags is not None else None,
        "time_zone": command.time_zone,
        "owner_id": await _owner(conn, command.owner_id),
    }
    if before["version"] != command.expected_version:
        raise conflict(
            f"the account is at version {before['version']}, not {command.expected_version}: "
            "reload it and apply your change again.",
            ("input", "expectedVersion"),
        )
    updates = {k: v for k, v in wanted.items() if v is not None}
    after = await accounts.update_account(conn, before["id"], command.expected_version, updates)
    renamed = [before["id"]] if before["name"] != after["name"] else []
    await _record(
        conn,
        actor,
        "updateAccount",
        [before["id"]],
        renamed,
        before=_snapshot(before),
        after=_snapshot(after),
    )
    return after


async def upsert_accounts(
    conn: asyncpg.Connection, actor: Actor, items: Sequence[AccountUpsert], *, action: str = "upsertAccounts"
) -> list[tuple[asyncpg.Record, Upserted]]:
    """Create or update accounts keyed by external ref; each item's account, and what happened to it.

    The named accounts are locked first, so a concurrent upsert of the same
    accounts waits and then sees this one's result. All or nothing.
    """
    actor.require(Write.UPSERT_ACCOUNTS)
    check = Checker()
    check.batch_size(len(items))
    for i, item in enumerate(items):
        at = check.at(i)
        check_account(at, name=item.name, tags=item.tags, time_zone=item.time_zone)
        check_ref(at.at("externalRef"), item.system, item.external_id)
    check.settle()
    existing = await accounts.lock_accounts_by_refs(conn, [(i.system, i.external_id) for i in items])
    results: list[tuple[asyncpg.Record, Upserted]] = []
    renamed: list[UUID] = []
    for item in items:
        ref = (item.system, item.external_id)
        row = existing.get(ref)
        name = redact(item.name.strip())
        if row is None:
            row = await accounts.create_account(
                conn,
                name=name,
                status=(item.status or DEFAULT_STATUS).value,
                owner_id=None,
                tags=list(item.tags or []),
                time_zone=item.time_zone or DEFAULT_TIME_ZONE,
            )
            await accounts.add_refs(conn, row["id"], [ref])
            existing[ref] = row
            results.append((row, Upserted.CREATED))
            continue
        wanted = {
            "name": name,
            "tags": list(item.tags) if item.tags is not None else row["tags"],
            "time_zone": item.time_zone or row["time_zone"],
            "status": item.status.value if item.status else row["status"],
        }
        if all(row[k] == v for k, v in wanted.items()):
            results.append((row, Upserted.UNCHANGED))
            continue
        if name != row["name"]:
            renamed.append(row["id"])
        row = await accounts.update_account(conn, row["id"], row["version"], wanted)
        # Every ref of this account now sees the new row (and version), so a later item
        # naming the same account by another ref applies on top of this one.
        for seen_ref, seen in existing.items():
            if seen["id"] == row["id"]:
                existing[seen_ref] = row
        results.append((row, Upserted.UPDATED))
    changed = [row["id"] for row, outcome in results if outcome != Upserted.UNCHANGED]
    if changed:
        await _record(conn, actor, action, changed, renamed)
    return results


async def _owner(conn: asyncpg.Connection, owner_id: UUID | None) -> UUID | None:
    if owner_id is not None and not await users.users_by_ids(conn, [owner_id]):
        raise not_found(("input", "ownerId"), "user")
    return owner_id


def _snapshot(row: asyncpg.Record) -> dict:
    # The audit columns are JSON: the owner's uuid goes in as text (orjson cannot encode asyncpg's UUID).
    snapshot = {k: row[k] for k in ("name", "status", "tags", "time_zone", "version")}
    snapshot["owner_id"] = str(row["owner_id"]) if row["owner_id"] is not None else None
    return snapshot


async def _record(
    conn: asyncpg.Connection,
    actor: Actor,
    action: str,
    account_ids: list[UUID],
    renamed: list[UUID] | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """The one way an account change is audited, queued for the index and announced.

    A single change keeps its before/after facts; a bulk one an audit row per
    account. A renamed account refreshes all its documents (they carry the name).
    """
    if before is None and after is None:
        await changes.audit_many(
            conn,
            actor_id=actor.user_id,
            action=action,
            entity_type="account",
            items=[(a, a) for a in account_ids],
        )
    else:
        for account_id in account_ids:
            await changes.audit(
                conn,
                actor_id=actor.user_id,
                action=action,
                entity_type="account",
                entity_id=account_id,
                account_id=account_id,
                before=before,
                after=after,
            )
    await changes.enqueue(conn, "account", [(a, a) for a in account_ids])
    await changes.enqueue(conn, changes.RENAMED_ACCOUNT, [(a, a) for a in renamed or []])
    await changes.notify(conn, account_ids)
