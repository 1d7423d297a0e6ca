"""Column lists shared by queries that select one table's columns under a prefix.

Joined queries (an entry with its author, contact and account) read related
rows in the same round trip; the prefix keeps their columns apart.
"""

from collections.abc import Iterable

from domain.commands.contacts import CONTACT_FIELDS

ACCOUNT = (
    "id",
    "name",
    "status",
    "owner_id",
    "tags",
    "time_zone",
    "created_at",
    "updated_at",
    "version",
)
USER = ("id", "email", "name", "team")
CONTACT = ("account_id", "id", *CONTACT_FIELDS, "version")
INVOICE = (
    "account_id",
    "id",
    "number",
    "ext_system",
    "ext_id",
    "issued_on",
    "due_on",
    "currency",
    "total",
    "balance",
    "status",
)


def columns(alias: str, names: tuple[str, ...], prefix: str = "") -> str:
    return ", ".join(f"{alias}.{name} AS {prefix}{name}" for name in names)


def group_by(rows: list, key: str) -> dict:
    """Rows of a batched query, grouped under the value of one column, in query order."""
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def literals(values: Iterable[str]) -> str:
    """Our own constants (never input) as SQL string literals, for a statement's text.

    A rule constant written into the text, rather than passed as a parameter,
    lets the planner match a partial index whose predicate names the same values.
    """
    return ", ".join("'" + value.replace("'", "''") + "'" for value in sorted(values))
