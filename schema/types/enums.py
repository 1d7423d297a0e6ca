"""GraphQL enums built from domain/'s, which knows nothing of GraphQL: the schema says what values mean."""

from enum import Enum
from typing import TypeVar

import strawberry

Values = TypeVar("Values", bound=type[Enum])


def described_enum(values: Values, name: str, description: str, meanings: dict[str, str]) -> Values:
    """The enum as the schema shows it; every value needs its meaning, so none goes undocumented."""
    enum = strawberry.enum(values, name=name, description=description)
    definition = enum.__strawberry_definition__
    mismatched = {value.name for value in definition.values} ^ set(meanings)
    if mismatched:
        raise ValueError(
            f"{name}: describe each of its values and nothing else; mismatched: {sorted(mismatched)}"
        )
    for value in definition.values:
        value.description = meanings[value.name]
    return enum
