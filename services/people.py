"""Owners and followers of an account: whose inbox hears of its news, promises and disputes."""

import asyncpg

from domain.actors import Actor
from domain.commands.people import AccountOwnerChange, Following
from domain.entries import Visibility
from domain.permissions import Write
from domain.validation import Problem, Rejected
from services.accounts import account_at
from services.notifications import check_people
from store import changes, owners, users


async def set_account_owner(
    conn: asyncpg.Connection, actor: Actor, command: AccountOwnerChange
) -> asyncpg.Record:
    """One owner per team: the new one replaces the old; the owner must be an enabled member of the team."""
    actor.require(Write.UPSERT_ACCOUNTS)
    row = await account_at(conn, command.account_id, ("input", "accountId"))
    await apply_owner(conn, actor, command)
    return row


async def apply_owner(conn: asyncpg.Connection, actor: Actor, command: AccountOwnerChange) -> bool:
    """Whether the owner changed: the same owner again writes nothing (a re-run import stays quiet).

    Owners come from people and from other systems' account feeds alike (the CSV import's owner columns).
    """
    actor.require(Write.UPSERT_ACCOUNTS)
    if command.user_id is not None:
        await check_people(conn, [command.user_id], Visibility.ALL_TEAMS, ("input", "userId"), listed=False)
        user = (await users.users_by_ids(conn, [command.user_id]))[command.user_id]
        if user.team != command.team:
            raise Rejected(
                Problem(
                    ("input", "userId"),
                    f"{user.name} ({user.email}) is in {user.team.value}, not {command.team.value}.",
                )
            )
    account_id = command.account_id
    before = await owners.set_owner(conn, account_id, command.team.value, command.user_id)
    if before == command.user_id:
        return False
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action="setAccountOwner",
        entity_type="account",
        entity_id=account_id,
        account_id=account_id,
        before={"team": command.team.value, "owner_id": str(before) if before else None},
        after={"team": command.team.value, "owner_id": str(command.user_id) if command.user_id else None},
    )
    await changes.notify(conn, [account_id])
    return True


async def follow_account(conn: asyncpg.Connection, actor: Actor, command: Following) -> asyncpg.Record:
    actor.require(Write.ACCOUNTS)
    row = await account_at(conn, command.account_id, ("accountId",))
    if await owners.set_following(conn, row["id"], actor.user_id, command.follow):
        await changes.audit(
            conn,
            actor_id=actor.user_id,
            action="followAccount",
            entity_type="account",
            entity_id=row["id"],
            account_id=row["id"],
            after={"follow": command.follow},
        )
    return row
