"""One CSV row of an import, turned into checked values: the cells, the parsers per kind.

Each parser reads a row's cells by column name, checks them with the same rules
as the mutations (domain/records.py) and returns the command the services take,
plus the key that must not appear twice in one file.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any
from uuid import UUID

from domain.accounts import AccountStatus
from domain.commands.accounts import AccountUpsert
from domain.commands.contacts import ContactFields
from domain.contacts import Channel, ContactRole
from domain.invoices import InvoiceStatus
from domain.records import check_account, check_contact, check_invoice, check_ref
from domain.teams import Team
from domain.validation import Checker, Problem

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
# A rule's field name is the column's name: the problems then name what the user sees.
_AS_COLUMN = str


class Cells:
    """One row's cells by column: stripped, and None when empty or when the column is absent."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def get(self, name: str) -> str | None:
        return self._values.get(name, "").strip() or None

    def text(self, name: str) -> str:
        """A required text: "" when missing, which the rules report as blank."""
        return self.get(name) or ""


@dataclass
class Row:
    line: int
    raw: list[str]  # as in the file, for the report
    value: Any = None
    key: Hashable | None = None
    problems: list[Problem] = field(default_factory=list)


# The owner columns of an account row: the email of the team's owner (a blank cell leaves it as it is).
OWNER_COLUMNS = {"sales_owner": Team.SALES, "service_owner": Team.SERVICE, "ar_owner": Team.AR}


@dataclass
class AccountRow:
    """An account, and the emails of the owners the row names; their users are found before the write."""

    item: AccountUpsert
    owner_emails: dict[str, str] = field(default_factory=dict)  # column -> email
    owner_ids: dict[Team, UUID] = field(default_factory=dict)


@dataclass
class ContactRow:
    account_ref: tuple[str, str]
    details: ContactFields  # the given columns; an empty one is None, and leaves the stored value alone
    account_id: UUID | None = None


@dataclass
class InvoiceRow:
    account_ref: tuple[str, str]
    values: dict[str, Any]  # an InvoiceUpsert but for its account_ref
    account_id: UUID | None = None


def _choice(check: Checker, cells: Cells, name: str, enum: type[Enum]) -> str | None:
    value = cells.get(name)
    if value is None:
        return None
    allowed = [member.value for member in enum]
    if value.upper() not in allowed:
        check.add(name, f"{name} must be one of {', '.join(allowed)} (got {value!r}).")
        return None
    return value.upper()


def _list(cells: Cells, name: str) -> list[str] | None:
    value = cells.get(name)
    return None if value is None else [part.strip() for part in value.split(";") if part.strip()]


def _choices(check: Checker, cells: Cells, name: str, enum: type[Enum]) -> list[str] | None:
    values = _list(cells, name)
    if values is None:
        return None
    allowed = [member.value for member in enum]
    unknown = [v for v in values if v.upper() not in allowed]
    if unknown:
        check.add(name, f"{name} are some of {', '.join(allowed)}, separated by ';' (got {unknown[0]!r}).")
        return None
    return [v.upper() for v in values]


def _date(check: Checker, cells: Cells, name: str) -> date | None:
    value = cells.get(name)
    if value is None:
        check.add(name, f"{name} is required.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        check.add(name, f"{name} must be a date as YYYY-MM-DD (got {value!r}).")
        return None


def _decimal(check: Checker, cells: Cells, name: str) -> Decimal | None:
    value = cells.get(name)
    if value is None:
        check.add(name, f"{name} is required.")
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        check.add(name, f"{name} must be a number such as 1234.50 (got {value!r}).")
        return None


def _bool(check: Checker, cells: Cells, name: str) -> bool | None:
    value = cells.get(name)
    if value is None:
        return None
    if value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    check.add(name, f"{name} must be true or false (got {value!r}).")
    return None


def _account_ref(check: Checker, cells: Cells) -> tuple[str, str]:
    ref = cells.text("account_system"), cells.text("account_id")
    check_ref(check, *ref, ("account_system", "account_id"))
    return ref


def parse_account(check: Checker, cells: Cells) -> tuple[AccountRow, Hashable]:
    system, external_id = cells.text("external_system"), cells.text("external_id")
    check_ref(check, system, external_id, ("external_system", "external_id"))
    name, tags, time_zone = cells.text("name"), _list(cells, "tags"), cells.get("time_zone")
    check_account(check, name=name, tags=tags, time_zone=time_zone, named=_AS_COLUMN)
    status = _choice(check, cells, "status", AccountStatus)
    item = AccountUpsert(
        system=system,
        external_id=external_id,
        name=name,
        tags=tags,
        time_zone=time_zone,
        status=AccountStatus(status) if status else None,
    )
    # Not checked as addresses: an owner is looked up among the users, which names any mistake.
    owner_emails = {column: cells.get(column) for column in OWNER_COLUMNS if cells.get(column)}
    return AccountRow(item, owner_emails), (system, external_id)


def parse_contact(check: Checker, cells: Cells) -> tuple[ContactRow, Hashable]:
    account_ref = _account_ref(check, cells)
    name, email = cells.text("name"), cells.get("email")
    title, phone = cells.get("title"), cells.get("phone")
    time_zone, language = cells.get("time_zone"), cells.get("language")
    check_contact(
        check,
        name=name,
        title=title,
        email=email,
        phone=phone,
        time_zone=time_zone,
        language=language,
        named=_AS_COLUMN,
    )
    roles = _choices(check, cells, "roles", ContactRole)
    channel = _choice(check, cells, "preferred_channel", Channel)
    details = ContactFields(
        name=name,
        title=title,
        roles=None if roles is None else [ContactRole(role) for role in roles],
        email=email,
        phone=phone,
        preferred_channel=Channel(channel) if channel else None,
        time_zone=time_zone,
        language=language,
        do_not_contact=_bool(check, cells, "do_not_contact"),
    )
    return ContactRow(account_ref, details), (*account_ref, name.lower(), (email or "").lower())


# The invoice parser takes its allowed values from the GraphQL enum, imported where used: the
# schema takes longer to import than the whole rest of the CLI, and `rapport --help` should stay quick.


def parse_invoice(check: Checker, cells: Cells) -> tuple[InvoiceRow, Hashable]:
    system, external_id = cells.text("external_system"), cells.text("external_id")
    check_ref(check, system, external_id, ("external_system", "external_id"))
    account_ref = _account_ref(check, cells)
    number = cells.text("number")
    issued_on, due_on = _date(check, cells, "issued_on"), _date(check, cells, "due_on")
    currency = cells.text("currency").upper()
    total, balance = _decimal(check, cells, "total"), _decimal(check, cells, "balance")
    status = _choice(check, cells, "status", InvoiceStatus)
    check_invoice(
        check,
        number=number,
        currency=currency,
        total=total,
        balance=balance,
        issued_on=issued_on,
        due_on=due_on,
        status=status,
        named=_AS_COLUMN,
    )
    if status is None and cells.get("status") is None:
        check.add("status", "status is required.")
    values = {
        "system": system,
        "external_id": external_id,
        "number": number,
        "issued_on": issued_on,
        "due_on": due_on,
        "currency": currency,
        "total": total,
        "balance": balance,
        "status": status and InvoiceStatus(status),
    }
    return InvoiceRow(account_ref, values), (system, external_id)
