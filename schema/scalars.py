"""Scalars held to the contract where Strawberry's defaults are laxer.

The contract's Decimal is "an exact decimal as a string; never a float".
Strawberry's Decimal also takes JSON numbers, which a client's JSON encoder has
already rounded to a binary float: 12345678901234567.89 arrives as ...568. An
amount of money must come as the text the client meant, so a number is refused.

The contract's DateTime is an instant, so it always carries its offset: a naive
value (asyncpg reads an infinite timestamp back as a naive datetime.max or .min)
is written as UTC rather than as a local time of nowhere.
"""

import dataclasses
import datetime
import decimal

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from domain.calendar import as_utc

_decimal_from_text = wrap_parser(
    decimal.Decimal, "Decimal", exceptions=(decimal.DecimalException,), include_error=False
)


# What a JSON value that is not a string is called, to say what was sent instead.
_NOT_TEXT = {bool: "a boolean", list: "a list", dict: "an object"}


def _parse_decimal(value: object) -> decimal.Decimal:
    """A Decimal from its text; anything else is refused naming what it is, not quoted as if text."""
    if not isinstance(value, str):
        given = _NOT_TEXT.get(type(value), f"the number {value}")
        raise StrawberryInputCoercionError(f'A Decimal must be a string, e.g. "1200.50", not {given}.')
    return _decimal_from_text(value)


EXACT_DECIMAL = ScalarDefinition(
    name="Decimal",
    description='An exact decimal as a string, e.g. "1200.50"; never a float.',
    specified_by_url=None,
    serialize=str,
    parse_value=_parse_decimal,
    parse_literal=None,
    origin=decimal.Decimal,
)

INSTANT = dataclasses.replace(
    DateTimeDefinition,
    description='An instant, ISO 8601 with its offset, e.g. "2026-03-01T09:30:00+00:00". Answers are '
    "always in UTC; a value sent without an offset is taken as UTC.",
    serialize=lambda value: as_utc(value).isoformat(),
    origin=datetime.datetime,
)

DAY = dataclasses.replace(
    DateDefinition,
    description='A calendar day, "YYYY-MM-DD", without a time zone: the field says whose day it is '
    "(a UTC day unless it says otherwise). Rapport accepts 1900-01-01 to 2199-12-31.",
)
