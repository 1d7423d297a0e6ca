"""Contacts and their windows: created, edited at a known version, or merged in by name and email.

Every writer of a contact (the mutations, the CSV import, the demo) comes here,
so each change is checked, redacted, audited and announced the same way.
"""

from collections.abc import Sequence
from dataclasses import replace
from enum import Enum
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.commands.contacts import CONTACT_FIELDS, ContactEdit, ContactFields, NewContact
from domain.permissions import Write
from domain.records import check_contact
from domain.redaction import redact
from domain.validation import Checker, conflict, not_found
from domain.windows import Window, WindowSpec, stated_rules
from services.accounts import Upserted, account_at
from store import changes, contacts


async def create_contact(
    conn: asyncpg.Connection, actor: Actor, command: NewContact, *, action: str = "createContact"
) -> asyncpg.Record:
    actor.require(Write.ACCOUNTS)
    check = Checker()
    values = _checked(check, command.details)
    windows = _rules(check, command.windows)
    check.settle()
    await account_at(conn, command.account_id, ("input", "accountId"))
    return await _create(conn, actor, action, command.account_id, values, windows)


async def update_contact(
    conn: asyncpg.Connection, actor: Actor, command: ContactEdit, *, action: str = "updateContact"
) -> asyncpg.Record:
    actor.require(Write.ACCOUNTS)
    check = Checker()
    values = _checked(check, command.details)
    windows = None if command.windows is None else _rules(check, command.windows)
    check.settle()
    return await _edit(conn, actor, action, command.contact_id, command.expected_version, values, windows)


async def merge_contacts(
    conn: asyncpg.Connection, actor: Actor, items: Sequence[NewContact], *, action: str
) -> list[tuple[asyncpg.Record, Upserted]]:
    """Create each contact, or update in place the one with the same account, name and email.

    A field left None leaves the stored value alone: a sheet that lacks a phone
    number must not erase the one someone entered in Rapport. All or nothing.
    """
    actor.require(Write.ACCOUNTS)
    check = Checker()
    check.batch_size(len(items))
    wanted = [(item, _checked(check.at(i), item.details)) for i, item in enumerate(items)]
    check.settle()
    stored = await contacts.contacts_of_accounts(conn, list({item.account_id for item in items}))
    known: dict[tuple, asyncpg.Record] = {}
    for people in stored.values():
        for person in people:
            known.setdefault(_key(person["account_id"], person["name"], person["email"]), person)
    results: list[tuple[asyncpg.Record, Upserted]] = []
    for item, values in wanted:
        person = known.get(_key(item.account_id, values["name"], values.get("email")))
        if person is None:
            row = await _create(conn, actor, action, item.account_id, values, [])
            results.append((row, Upserted.CREATED))
            continue
        changed = {k: v for k, v in values.items() if person[k] != v}
        if not changed:
            results.append((person, Upserted.UNCHANGED))
            continue
        row = await _edit(conn, actor, action, person["id"], person["version"], changed, None)
        results.append((row, Upserted.UPDATED))
    return results


def _key(account_id: UUID, name: str, email: str | None) -> tuple:
    return account_id, name.strip().lower(), (email or "").strip().lower()


def _checked(check: Checker, details: ContactFields) -> dict:
    """The given fields as their columns hold them, free text redacted; problems go to `check`."""
    check_contact(
        check,
        name=details.name,
        title=details.title,
        email=details.email,
        phone=details.phone,
        time_zone=details.time_zone,
        language=details.language,
    )
    values = {name: _column(getattr(details, name)) for name in CONTACT_FIELDS}
    # Name and title are free text, redacted; email, phone, zone and language are checked
    # formats, and masking digits would break a phone number.
    values["name"] = redact(details.name.strip()) if details.name else None
    values["title"] = redact(details.title)
    return {k: v for k, v in values.items() if v is not None}


def _column(value: object) -> object:
    """A field's value as its column holds it: an enum by its name, a list of them as text[]."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_column(v) for v in value]
    return value


def _rules(check: Checker, specs: Sequence[WindowSpec]) -> list[Window]:
    return stated_rules(check, [replace(spec, note=redact(spec.note)) for spec in specs])


async def _create(
    conn: asyncpg.Connection, actor: Actor, action: str, account_id: UUID, values: dict, windows: list[Window]
) -> asyncpg.Record:
    row = await contacts.create_contact(conn, account_id, values, windows)
    await _record(conn, actor, action, row)
    return row


async def _edit(
    conn: asyncpg.Connection,
    actor: Actor,
    action: str,
    contact_id: UUID,
    expected_version: int,
    values: dict,
    windows: list[Window] | None,
) -> asyncpg.Record:
    before = await contacts.lock_contact(conn, contact_id)
    if before is None:
        raise not_found(("input", "id"), "contact")
    if before["version"] != expected_version:
        raise conflict(
            f"the contact is at version {before['version']}, not {expected_version}: "
            "reload it and apply your change again.",
            ("input", "expectedVersion"),
        )
    after = await contacts.update_contact(conn, before, values, windows)
    await _record(conn, actor, action, after, before)
    return after


async def _record(
    conn: asyncpg.Connection,
    actor: Actor,
    action: str,
    row: asyncpg.Record,
    before: asyncpg.Record | None = None,
) -> None:
    """The one way a contact change is audited (the versions it went between), queued and announced."""
    await changes.record(
        conn,
        actor_id=actor.user_id,
        action=action,
        entity_type="contact",
        account_id=row["account_id"],
        entity_id=row["id"],
        before={"version": before["version"]} if before else None,
        after={"version": row["version"]},
    )
