"""The pieces a compiled field is made of, and how the store's rows are read.

A rule takes the build, the field and the SQL alias of its parent's row, and
returns an expression giving the field's JSON. Sources are read the way the
store reads them for the executor (the same joins, filters and orderings, so
the same collation orders names). Entries hidden from the caller (RESTRICTED
for SALES and SERVICE) are filtered out by `visible` wherever an entry is read.
"""

from collections.abc import Callable

from compiler import formats
from compiler.builder import Build, Field, NotCompilable
from domain.entries import Visibility
from store.sql import literals

Rule = Callable[[Build, Field, str], str]

ENTRY_INTERFACE = "TimelineEntry"


def column(template: str) -> Rule:
    """A value of the row itself; `{t}` is the row's alias."""
    return lambda build, field, row: template.format(t=row)


def constant(sql: str) -> Rule:
    return lambda build, field, row: sql


def one(source: str) -> Rule:
    """An object read from `source` (FROM ... WHERE ...; `{t}` the parent row, `{c}` this one), or null."""

    def rule(build: Build, field: Field, row: str) -> str:
        child = build.alias()
        return f"(SELECT {build.value(field, child)} FROM {source.format(t=row, c=child)})"

    return rule


def many(source: str, order: str) -> Rule:
    """A list read from `source`, ordered as the store orders it for the executor."""

    def rule(build: Build, field: Field, row: str) -> str:
        child = build.alias()
        return (
            f"coalesce((SELECT json_agg({build.value(field, child)} ORDER BY {order.format(c=child)})"
            f" FROM {source.format(t=row, c=child)}), '[]'::json)"
        )

    return rule


def visible(build: Build, entry: str) -> str:
    return "" if build.restricted else f" AND {entry}.visibility = '{Visibility.ALL_TEAMS.value}'"


def abstract(build: Build, interface: object, details: list, row: str) -> str:
    """An entry, as the object type of its kind.

    When the selection is the same for every type (no fragment on one of them),
    one object serves them all, with `__typename` chosen by the row's kind; else
    one branch per type. The statement stays small, and small is quick to plan.
    """
    if getattr(interface, "name", None) != ENTRY_INTERFACE:
        raise NotCompilable(f"interface {getattr(interface, 'name', interface)}")
    types = {name: build.schema.get_type(name) for name in build.readers.entry_types}
    selections = {name: build.fields(type_, details) for name, type_ in types.items()}
    shapes = {_shape(selected) for selected in selections.values()}
    if len(shapes) == 1:
        typename = " ".join(
            f"WHEN {row}.kind IN ({literals(kinds)}) THEN {formats.literal(name)}"
            for name, kinds in build.readers.entry_types.items()
        )
        any_type = next(iter(types.values()))
        return build.obj(any_type, next(iter(selections.values())), row, f"CASE {typename} END")
    branches = [
        f"WHEN {row}.kind IN ({literals(kinds)}) THEN {build.obj(types[name], selections[name], row)}"
        for name, kinds in build.readers.entry_types.items()
    ]
    return f"CASE {' '.join(branches)} END"


def _shape(selected: dict[str, Field]) -> tuple:
    """What a selection selects: the same nodes under the same keys select the same."""
    return tuple((key, tuple(id(found.node) for found in field.details)) for key, field in selected.items())


# Sources: each is how the store reads that row for the executor.

LIVE_ENTRIES = "entries {c} WHERE {c}.deleted_at IS NULL"
ENTRY_ORDER = "{c}.occurred_at DESC, {c}.id DESC"


def money(amount: str) -> Rule:
    """Money of an amount column beside the row's currency; null when either is null."""
    return one(
        f"(SELECT {amount} AS amount, {{t}}.currency AS currency) {{c}}"
        " WHERE {c}.amount IS NOT NULL AND {c}.currency IS NOT NULL"
    )


def user(id_column: str) -> Rule:
    return one(f"users {{c}} WHERE {{c}}.id = {{t}}.{id_column}")
