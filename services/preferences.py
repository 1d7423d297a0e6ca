"""Account preferences: how a customer likes to be dealt with, one value per key, set or removed."""

import asyncpg

from domain.actors import Actor
from domain.commands.preferences import PREFERENCE_KEY_MAX, PreferenceRemoval, PreferenceSetting
from domain.permissions import Write
from domain.redaction import redact
from domain.validation import SHORT_TEXT_MAX, Checker, Problem, Rejected
from services.accounts import account_at
from store import changes, preferences


async def set_preference(
    conn: asyncpg.Connection, actor: Actor, command: PreferenceSetting
) -> asyncpg.Record:
    """Set the key's value; returns the account, whose document carries its preferences."""
    actor.require(Write.ACCOUNTS)
    check = Checker()
    check.text("key", command.key, max_len=PREFERENCE_KEY_MAX, required=True)
    check.text("value", command.value, max_len=SHORT_TEXT_MAX, required=True)
    check.text("note", command.note, max_len=SHORT_TEXT_MAX)
    check.settle()
    account = await account_at(conn, command.account_id, ("input", "accountId"))
    key, value = command.key.strip(), redact(command.value)
    before = await preferences.set_preference(
        conn, account["id"], key, value, redact(command.note), actor.user_id
    )
    await _record(conn, actor, "setPreference", account, key, before, {"key": key, "value": value})
    return account


async def remove_preference(
    conn: asyncpg.Connection, actor: Actor, command: PreferenceRemoval
) -> asyncpg.Record:
    """Remove the key; NOT_FOUND if the account has no such preference. Returns the account."""
    actor.require(Write.ACCOUNTS)
    account = await account_at(conn, command.account_id, ("input", "accountId"))
    key = command.key.strip()
    before = await preferences.remove_preference(conn, account["id"], key)
    if before is None:
        raise Rejected(Problem(("input", "key"), f"the account has no preference {key!r}.", "NOT_FOUND"))
    await _record(conn, actor, "removePreference", account, key, before, None)
    return account


async def _record(
    conn: asyncpg.Connection,
    actor: Actor,
    action: str,
    account: asyncpg.Record,
    key: str,
    before: asyncpg.Record | None,
    after: dict | None,
) -> None:
    """The one way a preference change is audited (the key's old and new value) and announced.

    The account's document carries its preferences, so the account is refreshed.
    """
    await changes.audit(
        conn,
        actor_id=actor.user_id,
        action=action,
        entity_type="preference",
        entity_id=None,
        account_id=account["id"],
        before={"key": key, "value": before["value"]} if before else None,
        after=after,
    )
    await changes.enqueue(conn, "account", [(account["id"], account["id"])])
    await changes.notify(conn, [account["id"]])
