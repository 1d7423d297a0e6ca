"""Scalars held to the contract where Strawberry's defaults are laxer.

The contract's Decimal is "an exact decimal as a string; never a float".
Strawberry's Decimal also takes JSON numbers, which a client's JSON encoder has
already rounded to a binary float: 12345678901234567.89 arrives as ...568. An
amount of money must come as the text the client meant, so a number is refused.
"""

import decimal

from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

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
