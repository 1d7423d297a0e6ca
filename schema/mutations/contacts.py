"""Mutations on contacts (with their windows) and on account preferences."""

from uuid import UUID

import asyncpg
import strawberry

from domain.commands.contacts import ContactEdit, ContactFields, NewContact
from domain.commands.preferences import PreferenceRemoval, PreferenceSetting
from domain.windows import WindowSpec
from schema.mutations.base import change, parse_id
from schema.mutations.payloads import ContactPayload, PreferencePayload
from schema.types.account import Account
from schema.types.contact import Channel, Contact, ContactRole, ContactWindowInput
from services import contacts, preferences


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


def _details(data: "CreateContactInput | UpdateContactInput") -> ContactFields:
    return ContactFields(
        name=data.name,
        title=data.title,
        roles=data.roles,
        email=data.email,
        phone=data.phone,
        preferred_channel=data.preferred_channel,
        time_zone=data.time_zone,
        language=data.language,
        do_not_contact=data.do_not_contact,
    )


def _specs(windows: list[ContactWindowInput]) -> list[WindowSpec]:
    return [
        WindowSpec(
            kind=w.kind,
            days_of_week=w.days_of_week,
            weeks_of_month=w.weeks_of_month,
            start_time=w.start_time,
            end_time=w.end_time,
            from_date=w.from_date,
            until_date=w.until_date,
            note=w.note,
        )
        for w in windows
    ]


def _account_id(global_id: strawberry.ID) -> UUID:
    return parse_id(global_id, "Account", ("input", "accountId"), "account")


def _contact_payload(row: asyncpg.Record) -> ContactPayload:
    return ContactPayload(contact=Contact.from_row(row))


def _preference_payload(account: asyncpg.Record) -> PreferencePayload:
    return PreferencePayload(account=Account.from_row(account))


@strawberry.type
class ContactMutations:
    @strawberry.mutation
    async def create_contact(self, info: strawberry.Info, input: CreateContactInput) -> ContactPayload:
        return await change(
            info,
            ContactPayload,
            contacts.create_contact,
            lambda: NewContact(
                account_id=_account_id(input.account_id),
                details=_details(input),
                windows=_specs(input.windows or []),
            ),
            _contact_payload,
        )

    @strawberry.mutation
    async def update_contact(self, info: strawberry.Info, input: UpdateContactInput) -> ContactPayload:
        return await change(
            info,
            ContactPayload,
            contacts.update_contact,
            lambda: ContactEdit(
                contact_id=parse_id(input.id, "Contact", ("input", "id"), "contact"),
                expected_version=input.expected_version,
                details=_details(input),
                windows=None if input.windows is None else _specs(input.windows),
            ),
            _contact_payload,
        )

    @strawberry.mutation
    async def set_preference(self, info: strawberry.Info, input: SetPreferenceInput) -> PreferencePayload:
        return await change(
            info,
            PreferencePayload,
            preferences.set_preference,
            lambda: PreferenceSetting(
                account_id=_account_id(input.account_id),
                key=input.key,
                value=input.value,
                note=input.note,
            ),
            _preference_payload,
        )

    @strawberry.mutation
    async def remove_preference(
        self,
        info: strawberry.Info,
        input: RemovePreferenceInput,
    ) -> PreferencePayload:
        return await change(
            info,
            PreferencePayload,
            preferences.remove_preference,
            lambda: PreferenceRemoval(account_id=_account_id(input.account_id), key=input.key),
            _preference_payload,
        )
