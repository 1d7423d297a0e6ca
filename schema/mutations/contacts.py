"""Mutations on contacts (with their windows) and on account preferences."""

from typing import Annotated
from uuid import UUID

import asyncpg
import strawberry

from domain.commands.contacts import ContactEdit, ContactFields, NewContact
from domain.commands.preferences import PreferenceRemoval, PreferenceSetting
from domain.windows import WindowSpec
from schema.mutations.base import change, parse_id
from schema.mutations.descriptions import ACCOUNT_ID
from schema.mutations.payloads import ContactPayload, PreferencePayload
from schema.types.account import Account
from schema.types.contact import Channel, Contact, ContactRole, ContactWindowInput
from services import contacts, preferences


@strawberry.input(description="A new person at a customer.")
class CreateContactInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    name: str = strawberry.field(description="Full name, 1-200 characters.")
    title: str | None = strawberry.field(default=None, description="Job title.")
    roles: list[ContactRole] | None = strawberry.field(
        default=None, description="What the person does for the customer."
    )
    email: str | None = strawberry.field(default=None, description="Email address.")
    phone: str | None = strawberry.field(default=None, description="Phone number, as you would dial it.")
    preferred_channel: Channel | None = strawberry.field(
        default=None, description="How the person likes to be reached."
    )
    time_zone: str | None = strawberry.field(default=None, description="IANA time zone; null: the account's.")
    language: str | None = strawberry.field(
        default=None, description='BCP 47 language tag, e.g. "de" or "fr-CH".'
    )
    do_not_contact: bool | None = strawberry.field(
        default=None, description="True: nobody may contact this person. Default false."
    )
    windows: list[ContactWindowInput] | None = strawberry.field(
        default=None, description="When to reach the person, or not; at most 20."
    )


@strawberry.input(description="A given list replaces the stored one.")
class UpdateContactInput:
    id: strawberry.ID = strawberry.field(description="The contact (a Contact id).")
    expected_version: int = strawberry.field(
        description="The version you read: if the contact changed since, the update is a "
        "CONFLICT and changes nothing."
    )
    name: str | None = strawberry.field(default=None, description="A new name; null keeps it.")
    title: str | None = strawberry.field(default=None, description="A new title; null keeps it.")
    roles: list[ContactRole] | None = strawberry.field(
        default=None, description="The roles, replacing the old ones; null keeps them."
    )
    email: str | None = strawberry.field(default=None, description="A new email; null keeps it.")
    phone: str | None = strawberry.field(default=None, description="A new phone number; null keeps it.")
    preferred_channel: Channel | None = strawberry.field(
        default=None, description="A new preferred channel; null keeps it."
    )
    time_zone: str | None = strawberry.field(default=None, description="A new IANA time zone; null keeps it.")
    language: str | None = strawberry.field(
        default=None, description="A new BCP 47 language tag; null keeps it."
    )
    do_not_contact: bool | None = strawberry.field(
        default=None, description="True: nobody may contact this person; null keeps it."
    )
    windows: list[ContactWindowInput] | None = strawberry.field(
        default=None,
        description="The windows, replacing all the old ones ([] removes them); null keeps them.",
    )


@strawberry.input(description="A preference to set, replacing the account's value for the key.")
class SetPreferenceInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    key: str = strawberry.field(description='What it is about, e.g. "invoice_delivery".')
    value: str = strawberry.field(description='The customer\'s wish, e.g. "portal".')
    note: str | None = strawberry.field(default=None, description="Context in words.")


@strawberry.input(description="A preference to remove.")
class RemovePreferenceInput:
    account_id: strawberry.ID = strawberry.field(description=ACCOUNT_ID)
    key: str = strawberry.field(description="The key to remove.")


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
    @strawberry.mutation(description="Add a person to an account. Any team but INTEGRATION.")
    async def create_contact(
        self,
        info: strawberry.Info,
        input: Annotated[CreateContactInput, strawberry.argument(description="The new contact.")],
    ) -> ContactPayload:
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

    @strawberry.mutation(
        description="Change a contact if it is still at expectedVersion. Any team but INTEGRATION."
    )
    async def update_contact(
        self,
        info: strawberry.Info,
        input: Annotated[UpdateContactInput, strawberry.argument(description="What to change.")],
    ) -> ContactPayload:
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

    @strawberry.mutation(description="Set one of an account's preferences. Any team but INTEGRATION.")
    async def set_preference(
        self,
        info: strawberry.Info,
        input: Annotated[SetPreferenceInput, strawberry.argument(description="The key and its value.")],
    ) -> PreferencePayload:
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

    @strawberry.mutation(description="Remove one of an account's preferences. Any team but INTEGRATION.")
    async def remove_preference(
        self,
        info: strawberry.Info,
        input: Annotated[RemovePreferenceInput, strawberry.argument(description="The key to remove.")],
    ) -> PreferencePayload:
        return await change(
            info,
            PreferencePayload,
            preferences.remove_preference,
            lambda: PreferenceRemoval(account_id=_account_id(input.account_id), key=input.key),
            _preference_payload,
        )
