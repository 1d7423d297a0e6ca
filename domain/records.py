"""Rules for the records other systems keep too: accounts, contacts and invoices.

The GraphQL mutations and the CSV import check these fields with the same
rules and the same words, so a spreadsheet row is rejected exactly when the API
would reject the same record. Only the field names differ (the API says
`dueOn`, a spreadsheet column `due_on`): `named` maps a rule's snake_case name
to the caller's spelling.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain.invoices import InvoiceStatus
from domain.validation import NAME_MAX, Checker

REF_MAX = 200
NUMBER_MAX = 100
PHONE_MAX = 50

Naming = Callable[[str], str]


def graphql_name(name: str) -> str:
    """issued_on -> issuedOn: how the API's inputs spell a field."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def plausible_ref(system: str, external_id: str) -> bool:
    """A ref worth looking up: one that passes check_ref (a bad one is reported there)."""
    return all(value.strip() and len(value) <= REF_MAX for value in (system, external_id))


def check_ref(
    check: Checker, system: str, external_id: str, fields: tuple[str, str] = ("system", "id")
) -> None:
    for name, value in zip(fields, (system, external_id), strict=True):
        if not value.strip() or len(value) > REF_MAX:
            check.add(name, f"{name} must be 1-{REF_MAX} characters.")


def check_account(
    check: Checker,
    *,
    name: str | None,
    tags: list[str] | None,
    time_zone: str | None,
    named: Naming = graphql_name,
) -> None:
    check.text("name", name, max_len=NAME_MAX, required=name is not None)
    check.tags(tags)
    check.time_zone(named("time_zone"), time_zone)


def check_contact(
    check: Checker,
    *,
    name: str | None,
    title: str | None,
    email: str | None,
    phone: str | None,
    time_zone: str | None,
    language: str | None,
    named: Naming = graphql_name,
) -> None:
    check.text("name", name, max_len=NAME_MAX, required=name is not None)
    check.text("title", title, max_len=NAME_MAX)
    check.email("email", email)
    check.text("phone", phone, max_len=PHONE_MAX)
    check.time_zone(named("time_zone"), time_zone)
    check.language("language", language)


def check_invoice(
    check: Checker,
    *,
    number: str | None,
    currency: str,
    total: Decimal | None,
    balance: Decimal | None,
    issued_on: date | None,
    due_on: date | None,
    status: str | None,
    named: Naming = graphql_name,
) -> None:
    """None stands for a value that did not parse (reported already); the API always has all."""
    check.text("number", number, max_len=NUMBER_MAX, required=True)
    check.currency("currency", currency)
    check.amount("total", total, allow_zero=True)
    check.amount("balance", balance, allow_zero=True)
    check.day(named("issued_on"), issued_on)
    check.day(named("due_on"), due_on)
    check.date_order(named("issued_on"), issued_on, named("due_on"), due_on)
    known = total is not None and balance is not None and balance.is_finite() and total.is_finite()
    if known and balance > total:
        check.add("balance", "balance must not exceed total.")
    if status == InvoiceStatus.PAID and balance is not None and balance.is_finite() and balance != 0:
        # Receivables and the queue would count money as owed on an invoice marked paid.
        check.add("balance", "a PAID invoice has no balance left: send 0, or the status PARTIALLY_PAID.")
