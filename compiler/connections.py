"""Relay connections: a keyset page, built from the page's rows plus one to tell whether there are more.

Each list is read as its resolver reads it (the same filters, order and cursor
key), with its arguments as statement parameters read by the API's own readers.
"""

from compiler import formats, rules
from compiler.builder import Binding, Build, Field, NotCompilable, Reader, reads
from compiler.rules import ENTRY_ORDER, LIVE_ENTRIES, many
from domain.invoices import NOT_PAYABLE
from store.sql import literals


def connection(
    build: Build,
    field: Field,
    rows: str,
    order: str,
    cursor_parts: tuple[str, ...],
    size: str,
) -> str:
    """A Relay connection over `rows` (a SELECT of the candidate rows, `{c}` their alias).

    The rows are numbered in `order` and limited to size + 1; the edges are the
    first `size`, and the one more says whether there is a next page. GROUP BY ()
    makes one answer of any number of rows, even when nothing selected aggregates them.
    """
    page = build.alias()
    order_sql = order.format(c=page)
    numbered = rows.format(c=page)
    cursor = formats.cursor(part.format(c=page) for part in cursor_parts)
    type_ = field.type
    pairs = []
    for key, sub in build.fields(type_, field.details).items():
        name = sub.node.name.value
        if name == "__typename":
            expr = formats.literal(type_.name)
        elif name == "edges":
            expr = (
                f"coalesce(json_agg({_edge(build, sub, page, cursor)} ORDER BY {page}.rn)"
                f" FILTER (WHERE {page}.rn <= {size}), '[]'::json)"
            )
        elif name == "pageInfo":
            expr = _page_info(build, sub, page, cursor, size)
        else:
            raise NotCompilable(f"{type_.name}.{name}")
        pairs.append(f"{formats.literal(key)}, {expr}")
    return (
        f"(SELECT json_build_object({', '.join(pairs)}) FROM"
        f" (SELECT {page}.*, row_number() OVER (ORDER BY {order_sql}) AS rn FROM {numbered}"
        f" ORDER BY {order_sql} LIMIT {size} + 1) {page} GROUP BY ())"
    )


def _edge(build: Build, field: Field, page: str, cursor: str) -> str:
    pairs = []
    for key, sub in build.fields(field.type, field.details).items():
        name = sub.node.name.value
        if name == "__typename":
            expr = formats.literal(field.type.name)
        elif name == "cursor":
            expr = cursor
        elif name == "node":
            expr = build.value(sub, page)
        else:
            raise NotCompilable(f"{field.type.name}.{name}")
        pairs.append(f"{formats.literal(key)}, {expr}")
    return f"json_build_object({', '.join(pairs)})"


def _page_info(build: Build, field: Field, page: str, cursor: str, size: str) -> str:
    within = f"FILTER (WHERE {page}.rn <= {size})"
    values = {
        "__typename": formats.literal(field.type.name),
        "hasNextPage": f"count(*) > {size}",
        "hasPreviousPage": "false",
        "startCursor": f"(array_agg({cursor} ORDER BY {page}.rn) {within})[1]",
        "endCursor": f"(array_agg({cursor} ORDER BY {page}.rn DESC) {within})[1]",
    }
    pairs = [
        f"{formats.literal(key)}, {values[sub.node.name.value]}"
        for key, sub in build.fields(field.type, field.details).items()
    ]
    return f"json_build_object({', '.join(pairs)})"


def _after(
    build: Build, field: Field, key: tuple[tuple[object, str], ...], columns: str, direction: str
) -> str:
    """` AND (columns) direction (the after cursor's sort key)` when the request gives a cursor.

    Each part of the key is parsed and cast as given.
    """
    parsers = tuple(parse for parse, _ in key)

    def part(index: int) -> object:
        def read(binding: Binding) -> object:
            found = binding.derived(field, "after", lambda a, r: r.cursor(a.get("after"), *parsers))
            return found[index] if found else None

        return read

    if not build.is_given(part(0)):
        return ""
    placeholders = ", ".join(build.param(cast, part(index)) for index, (_, cast) in enumerate(key))
    return f" AND ({columns}) {direction} ({placeholders})"


def _statuses(field: Field) -> Reader:
    """The filter's statuses, as the resolvers read them: none means any."""
    return reads(field, lambda a, r: [s.value for s in a["filter"]["status"]] if _set(a, "status") else None)


def _timeline(build: Build, field: Field, account: str, invoice: str | None) -> str:
    """An account's entries, newest first, with the filters of TimelineFilter (or one invoice's)."""
    readers = build.readers
    size = build.argument(field, "int", lambda a, r: r.page_size(a.get("first"), 20))

    def given(name: str) -> Reader:
        return lambda b: getattr(b.derived(field, "filter", _timeline_filter), name)

    of_invoice = (
        "EXISTS (SELECT 1 FROM entry_invoices ei WHERE"
        " ei.account_id = {c}.account_id AND ei.entry_id = {c}.id AND ei.invoice_id = {v})"
    )
    rows = (
        f"{LIVE_ENTRIES} AND {{c}}.account_id = {account}{rules.visible(build, '{c}')}"
        + build.optional("{c}.kind = ANY({v})", "text[]", given("kinds"))
        + build.optional("{c}.team = ANY({v})", "text[]", given("teams"))
        + build.optional("{c}.contact_id = {v}", "uuid", given("contact_id"))
        + (
            f" AND {of_invoice.format(c='{c}', v=invoice)}"
            if invoice
            else build.optional(of_invoice, "uuid", given("invoice_id"))
        )
        + build.optional("{c}.tags && {v}", "text[]", given("tags"))
        + build.optional("{c}.occurred_at >= {v}", "timestamptz", given("since"))
        + build.optional("{c}.occurred_at <= {v}", "timestamptz", given("until"))
        + _after(
            build,
            field,
            ((readers.TIMESTAMP, "timestamptz"), (readers.ID, "uuid")),
            "{c}.occurred_at, {c}.id",
            "<",
        )
    )
    return connection(
        build,
        field,
        rows,
        ENTRY_ORDER,
        (formats.json_instant("{c}.occurred_at"), formats.json_text("{c}.id")),
        size,
    )


def _timeline_filter(arguments: dict, readers: object) -> object:
    return readers.timeline_filter(arguments.get("filter"))


def _invoices(build: Build, field: Field, row: str) -> str:
    readers = build.readers
    size = build.argument(field, "int", lambda a, r: r.page_size(a.get("first")))
    overdue_on = reads(field, lambda a, r: r.today() if _set(a, "overdueOnly") else None)
    rows = (
        f"invoices {{c}} WHERE {{c}}.account_id = {row}.id"
        + build.optional("{c}.status = ANY({v})", "text[]", _statuses(field))
        + build.optional(
            f"{{c}}.due_on < {{v}} AND {{c}}.balance > 0 AND {{c}}.status NOT IN ({literals(NOT_PAYABLE)})",
            "date",
            overdue_on,
        )
        + _after(build, field, ((readers.DAY, "date"), (readers.ID, "uuid")), "{c}.issued_on, {c}.id", "<")
    )
    return connection(
        build,
        field,
        rows,
        "{c}.issued_on DESC, {c}.id DESC",
        (formats.json_day("{c}.issued_on"), formats.json_text("{c}.id")),
        size,
    )


def _set(arguments: dict, name: str) -> bool:
    """Whether a filter argument holds a truthy value for `name`, as the resolvers test it."""
    return bool(arguments.get("filter") and arguments["filter"].get(name))


def _pinned(build: Build, field: Field, row: str) -> str:
    rule = many(
        f"{LIVE_ENTRIES} AND {{c}}.account_id = {{t}}.id AND {{c}}.pinned{rules.visible(build, '{c}')}",
        ENTRY_ORDER,
    )
    return rule(build, field, row)


def accounts(build: Build, field: Field, row: str) -> str:
    readers = build.readers

    def filtered(name: str) -> Reader:
        return reads(field, lambda a, r: (a.get("filter") or {}).get(name) or None)

    size = build.argument(field, "int", lambda a, r: r.page_size(a.get("first"), 50))
    owner = reads(field, lambda a, r: r.id_of(a["filter"]["ownerId"], "User") if _set(a, "ownerId") else None)
    pattern = reads(field, lambda a, r: r.name_pattern((a.get("filter") or {}).get("nameContains") or None))
    rows = (
        "accounts {c} WHERE true"
        + build.optional("{c}.status = ANY({v})", "text[]", _statuses(field))
        + build.optional("{c}.tags && {v}", "text[]", filtered("tags"))
        + build.optional("{c}.owner_id = {v}", "uuid", owner)
        + build.optional("{c}.name ILIKE {v}", "text", pattern)
        + _after(build, field, ((readers.TEXT, "text"), (readers.ID, "uuid")), "lower({c}.name), {c}.id", ">")
    )
    return connection(
        build,
        field,
        rows,
        "lower({c}.name), {c}.id",
        (formats.json_text("lower({c}.name)"), formats.json_text("{c}.id")),
        size,
    )


ACCOUNT_FIELDS = {
    "pinned": _pinned,
    "timeline": lambda build, field, row: _timeline(build, field, f"{row}.id", None),
    "invoices": _invoices,
}
INVOICE_FIELDS = {
    "timeline": lambda build, field, row: _timeline(build, field, f"{row}.account_id", f"{row}.id"),
}
