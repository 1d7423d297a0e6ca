"""Mutations on contacts (with their windows) and on account preferences."""

from datetime import time

import asyncpg
import strawberry

from domain.permissions import Write
from domain.records import check_contact
from domain.redaction import redact
from domain.validation import SHORT_TEXT_MAX, Checker, Problem, Rejected
from schema.mutations.base import existing_account, parse_id, require, run
from schema.mutations.payloads import ContactPayload, PreferencePayload
from schema.types.account import Account
from schema.types.contact import Channel, Contact, ContactRole, ContactWindowInput
from store import contacts, preferences

WINDOWS_MAX = 20
END_OF_DAY = "24:00"
PREFERENCE_KEY_MAX = 100


@strawberry.input
class CreateContactInput:
    account_id: strawberry.ID
    name: str
    title: str | None = None
    roles: list[ContactRole] | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: Channel | None = None
    time_zone: str | None = None
    language: str | None = None
    do_not_contact: bool | None = None
    windows: list[ContactWindowInput] | None = None


@strawberry.input(description="A given list replaces the stored one.")
class UpdateContactInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = None
    title: str | None = None
    roles: list[ContactRole] | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: Channel | None = None
    time_zone: str | None = None
    language: str | None = None
    do_not_contact: bool | None = None
    windows: list[ContactWindowInput] | None = None


@strawberry.input
class SetPreferenceInput:
    account_id: strawberry.ID
    key: str
    value: str
    note: str | None = None


@strawberry.input
class RemovePreferenceInput:
    account_id: strawberry.ID
    key: str


def _hhmm(value: str | None) -> time | None:
    """A local time; "24:00", only valid as an end, is the end of the day (stored as no end)."""
    return time.fromisoformat(value) if value and value != END_OF_DAY else None


def _windows(check: Checker, windows: list[ContactWindowInput] | None) -> list[contacts.Window] | None:
    if windows is None:
        return None
    if len(windows) > WINDOWS_MAX:
        check.add("windows", f"at most {WINDOWS_MAX} windows per contact.")
    result = []
    for i, window in enumerate(windows):
        at = check.at("windows", i)
        # `at` shares the problem list with `check`: count this window's own problems.
        known = len(check.problems)
        at.hhmm("startTime", window.start_time)
        if window.end_time != END_OF_DAY:
            at.hhmm("endTime", window.end_time)
        for j, week in enumerate(window.weeks_of_month or []):
            if not 1 <= week <= 5:
                at.at("weeksOfMonth").add(j, "a week of the month is 1 to 5.")
        at.day("fromDate", window.from_date)
        at.day("untilDate", window.until_date)
        at.date_order("fromDate", window.from_date, "untilDate", window.until_date)
        at.text("note", window.note, max_len=SHORT_TEXT_MAX)
        if len(check.problems) > known:
            continue
        start, end = _hhmm(window.start_time), _hhmm(window.end_time)
        if end is not None and (start or time(0)) >= end:
            at.add(
                "endTime",
                "endTime must be after startTime (windows do not cross midnight; 24:00 ends the day).",
            )
        result.append(
            contacts.Window(
                kind=window.kind.value,
                days_of_week=[d.value for d in window.days_of_week] if window.days_of_week else None,
                weeks_of_month=window.weeks_of_month or None,
                start_time=start,
                end_time=end,
                from_date=window.from_date,
                until_date=window.until_date,
                note=redact(window.note),
            )
        )
    return result


def _fields(check: Checker, data: CreateContactInput | UpdateContactInput) -> dict:
    check_contact(
        check,
        name=data.name,
        title=data.title,
        email=data.email,
        phone=data.phone,
        time_zone=data.time_zone,
        language=data.language,
    )
    values = {
        "name": data.name.strip() if data.name else None,
        "title": data.title,
        "roles": [r.value for r in data.roles] if data.roles is not None else None,
        "email": data.email,
        "phone": data.phone,
        "preferred_channel": data.preferred_channel.value if data.preferred_channel else None,
        "time_zone": data.time_zone,
        "language": data.language,
        "do_not_contact": data.do_not_contact,
    }
    return {k: v for k, v in values.items() if v is not None}


async def _record(
    conn: asyncpg.Connection,
    info: strawberry.Info,
    action: str,
    row: asyncpg.Record,
    before: asyncpg.Record | None = None,
) -> None:
    await contacts.record_change(conn, actor_id=info.context.user.id, action=action, row=row, before=before)


async def _preference_change(
    conn: asyncpg.Connection,
    info: strawberry.Info,
    action: str,
    account: asyncpg.Record,
    key: str,
    before: asyncpg.Record | None,
    after: dict | None,
) -> PreferencePayload:
    await preferences.record_change(
        conn,
        actor_id=info.context.user.id,
        action=action,
        account_id=account["id"],
        key=key,
        before=before,
        after=after,
    )
    return PreferencePayload(account=Account.from_row(account))


@strawberry.type
class ContactMutations:
    @strawberry.mutation
    async def create_contact(
        self,
        info: strawberry.Info,
        input: CreateContactInput,
    ) -> ContactPayload:
        async def work(conn: asyncpg.Connection) -> ContactPayload:
            require(info, Write.ACCOUNTS)
            check = Checker()
            fields = _fields(check, input)
            windows = _windows(check, input.windows)
            check.settle()
            account = await existing_account(conn, input.account_id, ("input", "accountId"))
            row = await contacts.create_contact(conn, account["id"], fields, windows or [])
            await _record(conn, info, "createContact", row)
            return ContactPayload(contact=Contact.from_row(row))

        return await run(info, ContactPayload, work)

    @strawberry.mutation
    async def update_contact(
        self,
        info: strawberry.Info,
        input: UpdateContactInput,
    ) -> ContactPayload:
        async def work(conn: asyncpg.Connection) -> ContactPayload:
            require(info, Write.ACCOUNTS)
            check = Checker()
            fields = _fields(check, input)
            windows = _windows(check, input.windows)
            check.settle()
            contact_id = parse_id(input.id, "Contact", ("input", "id"), "contact")
            before, after = await contacts.update_contact(
                conn, contact_id, input.expected_version, fields, windows
            )
            await _record(conn, info, "updateContact", after, before)
            return ContactPayload(contact=Contact.from_row(after))

        return await run(info, ContactPayload, work)

    @strawberry.mutation
    async def set_preference(
        self,
        info: strawberry.Info,
        input: SetPreferenceInput,
    ) -> PreferencePayload:
        async def work(conn: asyncpg.Connection) -> PreferencePayload:
            require(info, Write.ACCOUNTS)
            check = Checker()
            check.text("key", input.key, max_len=PREFERENCE_KEY_MAX, required=True)
            check.text("value", input.value, max_len=SHORT_TEXT_MAX, required=True)
            check.text("note", input.note, max_len=SHORT_TEXT_MAX)
            check.settle()
            account = await existing_account(conn, input.account_id, ("input", "accountId"))
            key = input.key.strip()
            before = await preferences.set_preference(
                conn, account["id"], key, redact(input.value), redact(input.note), info.context.user.id
            )
            return await _preference_change(
                conn,
                info,
                "setPreference",
                account,
                key,
                before,
                {"key": key, "value": redact(input.value)},
            )

        return await run(info, PreferencePayload, work)

    @strawberry.mutation
    async def remove_preference(
        self,
        info: strawberry.Info,
        input: RemovePreferenceInput,
    ) -> PreferencePayload:
        async def work(conn: asyncpg.Connection) -> PreferencePayload:
            require(info, Write.ACCOUNTS)
            account = await existing_account(conn, input.account_id, ("input", "accountId"))
            key = input.key.strip()
            before = await preferences.remove_preference(conn, account["id"], key)
            if before is None:
                raise Rejected(
                    Problem(("input", "key"), f"the account has no preference {key!r}.", "NOT_FOUND")
                )
            return await _preference_change(conn, info, "removePreference", account, key, before, None)

        return await run(info, PreferencePayload, work)
