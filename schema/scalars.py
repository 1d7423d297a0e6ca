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

from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from domain.calendar import as_utc

EXACT_DECIMAL = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=wrap_parser(
        decimal.Decimal, "Decimal", exceptions=(decimal.DecimalException,), include_error=False
    ),
    parse_literal=None,
    origin=decimal.Decimal,
)

INSTANT = dataclasses.replace(
    DateTimeDefinition, serialize=lambda value: as_utc(value).isoformat(), origin=datetime.datetime
)
