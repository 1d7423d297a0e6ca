"""Meilisearch filter expressions, with every value quoted and escaped.

Values from clients (tags above all) go inside double quotes with backslashes
and quotes escaped, so no value can close its string and add `OR`, brackets or
another condition: a hostile tag can only ever match a tag of that exact text.
"""

from collections.abc import Iterable


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(attribute: str, values: Iterable[str]) -> str:
    return f"{attribute} IN [{', '.join(quote(v) for v in values)}]"


def equals(attribute: str, value: str) -> str:
    return f"{attribute} = {quote(value)}"


def at_least(attribute: str, value: int) -> str:
    return f"{attribute} >= {int(value)}"


def at_most(attribute: str, value: int) -> str:
    return f"{attribute} <= {int(value)}"


def all_of(conditions: Iterable[str]) -> str | None:
    """Conditions joined by AND, each in parentheses; None when there are none."""
    parts = [f"({c})" for c in conditions]
    return " AND ".join(parts) if parts else None
