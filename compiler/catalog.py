"""What each compilable field is in SQL: the schema's types mapped onto the tables.

A rule takes the build, the field and the SQL alias of its parent's row, and
returns an expression giving the field's JSON. Rows are read the way the store
reads them for the executor (the same joins, filters and orderings, so the
same collation orders names), and values are written as the executor writes
them (compiler/formats.py). A field missing here (the call brief, receivables,
reachability, a promise's status: rules computed in Python) sends its
operation to the executor.

Entries hidden from the caller (RESTRICTED for SALES and SERVICE) are filtered
out in every place an entry is read: the timeline, pinned, and `node`.
"""

from collections.abc import Callable

from graphql import GraphQLObjectType

from compiler import formats
from compiler.builder import Build, Field, NotCompilable
from domain.aging import AgingBucket, bucket
from domain.entries import DisputeStatus, EntryKind, Visibility
from domain.invoices import NOT_PAYABLE
from domain.promises import PromiseStatus
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


# --- sources: each is how the store reads that row for the executor

CONTACT_ROWS = (
    "(SELECT k.*, coalesce(k.time_zone, ka.time_zone) AS effective_time_zone"
    " FROM contacts k JOIN accounts ka ON ka.id = k.account_id) {c}"
)
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


ACCOUNT = {
    "id": column(formats.global_id("Account", "{t}.id")),
    "name": column("{t}.name"),
    "status": column("{t}.status"),
    "tags": column("to_json({t}.tags)"),
    "timeZone": column("{t}.time_zone"),
    "createdAt": column(formats.instant("{t}.created_at")),
    "updatedAt": column(formats.instant("{t}.updated_at")),
    "version": column("{t}.version"),
    "externalRefs": many(
        "(SELECT r.system, r.external_id FROM account_refs r WHERE r.account_id = {t}.id) {c}",
        "{c}.system, {c}.external_id",
    ),
    "owner": user("owner_id"),
    "contacts": many(CONTACT_ROWS + " WHERE {c}.account_id = {t}.id", "lower({c}.name), {c}.id"),
    "preferences": many("preferences {c} WHERE {c}.account_id = {t}.id", "{c}.key"),
}

USER = {
    "id": column(formats.global_id("User", "{t}.id")),
    "email": column("{t}.email"),
    "name": column("{t}.name"),
    "team": column("{t}.team"),
}

CONTACT = {
    "id": column(formats.global_id("Contact", "{t}.id")),
    "name": column("{t}.name"),
    "title": column("{t}.title"),
    "roles": column("to_json({t}.roles)"),
    "email": column("{t}.email"),
    "phone": column("{t}.phone"),
    "preferredChannel": column("{t}.preferred_channel"),
    "timeZone": column("{t}.effective_time_zone"),
    "language": column("{t}.language"),
    "doNotContact": column("{t}.do_not_contact"),
    "version": column("{t}.version"),
    "account": one("accounts {c} WHERE {c}.id = {t}.account_id"),
    "windows": many("contact_windows {c} WHERE {c}.contact_id = {t}.id", "{c}.position"),
}

CONTACT_WINDOW = {
    "kind": column("{t}.kind"),
    "daysOfWeek": column(formats.array_or_null("{t}.days_of_week")),
    "weeksOfMonth": column(formats.array_or_null("{t}.weeks_of_month")),
    "startTime": column(formats.clock("{t}.start_time")),
    "endTime": column(formats.clock("{t}.end_time")),
    "fromDate": column(formats.day("{t}.from_date")),
    "untilDate": column(formats.day("{t}.until_date")),
    "note": column("{t}.note"),
}

PREFERENCE = {
    "key": column("{t}.key"),
    "value": column("{t}.value"),
    "note": column("{t}.note"),
    "setAt": column(formats.instant("{t}.set_at")),
    "setBy": user("set_by"),
}

INVOICE = {
    "id": column(formats.global_id("Invoice", "{t}.id")),
    "number": column("{t}.number"),
    "externalRef": one(
        "(SELECT {t}.ext_system AS system, {t}.ext_id AS external_id) {c} WHERE {c}.system IS NOT NULL"
    ),
    "issuedOn": column(formats.day("{t}.issued_on")),
    "dueOn": column(formats.day("{t}.due_on")),
    "total": money("{t}.total"),
    "balance": money("{t}.balance"),
    "status": column("{t}.status"),
    "account": one("accounts {c} WHERE {c}.id = {t}.account_id"),
}

EXTERNAL_REF = {"system": column("{t}.system"), "id": column("{t}.external_id")}

MONEY = {"amount": column(formats.decimal("{t}.amount")), "currency": column("{t}.currency")}

ENTRY = {
    "id": column(formats.global_id("Entry", "{t}.id")),
    "account": one("accounts {c} WHERE {c}.id = {t}.account_id"),
    "kind": column("{t}.kind"),
    "occurredAt": column(formats.instant("{t}.occurred_at")),
    "recordedAt": column(formats.instant("{t}.recorded_at")),
    "author": user("author_id"),
    "team": column("{t}.team"),
    "summary": column("{t}.summary"),
    "body": column("{t}.body"),
    "contact": one(CONTACT_ROWS + " WHERE {c}.account_id = {t}.account_id AND {c}.id = {t}.contact_id"),
    "invoices": many(
        "invoices {c} WHERE ({c}.account_id, {c}.id) IN"
        " (SELECT ei.account_id, ei.invoice_id FROM entry_invoices ei WHERE ei.entry_id = {t}.id)",
        "{c}.number, {c}.id",
    ),
    "tags": column("to_json({t}.tags)"),
    "pinned": column("{t}.pinned"),
    "visibility": column("{t}.visibility"),
    "revision": column("{t}.revision"),
    "eventCursor": constant("null::json"),
    "revisions": many("entry_revisions {c} WHERE {c}.entry_id = {t}.id", "{c}.revision DESC"),
}

ENTRY_REVISION = {
    "revision": column("{t}.revision"),
    "summary": column("{t}.summary"),
    "body": column("{t}.body"),
    "tags": column("to_json({t}.tags)"),
    "editedBy": user("edited_by"),
    "editedAt": column(formats.instant("{t}.edited_at")),
}

# The fields an entry type adds to the common ones.
ENTRY_DETAILS = {
    "Interaction": {"direction": column("{t}.direction"), "outcome": column("{t}.outcome")},
    "CustomerNews": {"category": column("{t}.category")},
    "PromiseToPay": {
        "amount": money("{t}.amount"),
        "promisedFor": column(formats.day("{t}.promised_for")),
        "graceDays": column("{t}.grace_days"),
    },
    "Dispute": {
        "reason": column("{t}.dispute_reason"),
        "amount": money("{t}.amount"),
        "status": column("{t}.dispute_status"),
        "resolvedAt": column(formats.instant("{t}.resolved_at")),
        "resolution": column("{t}.resolution"),
    },
    "PaymentPlan": {
        "installments": many(
            "(SELECT i.item, i.ord, {t}.currency FROM jsonb_array_elements({t}.installments)"
            " WITH ORDINALITY AS i(item, ord)) {c}",
            "{c}.ord",
        )
    },
    "InvoiceStatusChange": {"fromStatus": column("{t}.from_status"), "toStatus": column("{t}.to_status")},
    "PaymentReceived": {
        "amount": money("{t}.amount"),
        "receivedOn": column(formats.day("{t}.received_on")),
        "method": column("{t}.method"),
        "reference": column("{t}.reference"),
    },
    "FollowUp": {
        "dueAt": column(formats.instant("{t}.due_at")),
        "done": column("{t}.done"),
        "assignee": user("assignee_id"),
    },
}


def _days_overdue(build: Build, field: Field, row: str) -> str:
    """domain.aging.days_overdue in SQL: 0 when nothing is owed or the invoice is closed."""
    as_of = build.argument(field, "date", lambda a, r: a.get("asOf") or r.today())
    return (
        f"CASE WHEN {row}.balance <= 0 OR {row}.status IN ({literals(NOT_PAYABLE)}) THEN 0"
        f" ELSE greatest(0, {as_of} - {row}.due_on) END"
    )


def _aging_bucket(build: Build, field: Field, row: str) -> str:
    """domain.aging.bucket of the days overdue; its bounds come from the domain's."""
    days = _days_overdue(build, field, row)
    limits = " ".join(f"WHEN {days} <= {bound} THEN '{name}'" for bound, name in AGING_BOUNDS)
    return f"CASE {limits} ELSE '{AgingBucket.DAYS_91_PLUS.value}' END"


def _promise_status(build: Build, field: Field, row: str) -> str:
    return promise_status(row, build.argument(field, "date", lambda a, r: r.day(a.get("asOf"))))


def promise_status(row: str, as_of: str) -> str:
    """domain.promises.status in SQL: payments in the promise's currency from the day it was recorded
    up to its deadline (or asOf, if sooner) keep it; past the deadline unpaid it is broken."""
    deadline = f"({row}.promised_for + {row}.grace_days)"
    paid = (
        f"(SELECT coalesce(sum(pay.amount), 0) FROM payments pay"
        f" WHERE pay.account_id = {row}.account_id AND pay.currency = {row}.currency"
        f" AND pay.received_on >= ({row}.recorded_at AT TIME ZONE 'UTC')::date"
        f" AND pay.received_on <= least({deadline}, {as_of}))"
    )
    return (
        f"CASE WHEN {row}.cancelled_at IS NOT NULL THEN '{PromiseStatus.CANCELLED.value}'"
        f" WHEN {paid} >= {row}.amount THEN '{PromiseStatus.KEPT.value}'"
        f" WHEN {as_of} > {deadline} THEN '{PromiseStatus.BROKEN.value}'"
        f" ELSE '{PromiseStatus.OPEN.value}' END"
    )


def _newest_naming(kind: EntryKind, condition: Callable[[Build, str], str]) -> Rule:
    """The newest live, visible entry of a kind naming the invoice and meeting a condition, or null."""

    def rule(build: Build, field: Field, row: str) -> str:
        child = build.alias()
        return (
            f"(SELECT {build.value(field, child)} FROM {LIVE_ENTRIES.format(c=child)}{visible(build, child)}"
            f" AND {child}.account_id = {row}.account_id AND {child}.kind = '{kind.value}'"
            f" AND EXISTS (SELECT 1 FROM entry_invoices x WHERE x.account_id = {row}.account_id"
            f" AND x.entry_id = {child}.id AND x.invoice_id = {row}.id)"
            f" AND {condition(build, child)} ORDER BY {ENTRY_ORDER.format(c=child)} LIMIT 1)"
        )

    return rule


def _open_today(build: Build, promise: str) -> str:
    today = build.param("date", lambda binding: binding.readers.today())
    return f"{promise_status(promise, today)} = '{PromiseStatus.OPEN.value}'"


INVOICE |= {
    "activePromise": _newest_naming(EntryKind.PROMISE_TO_PAY, _open_today),
    "openDispute": _newest_naming(
        EntryKind.DISPUTE, lambda build, dispute: f"{dispute}.dispute_status = '{DisputeStatus.OPEN.value}'"
    ),
}
INVOICE |= {"daysOverdue": _days_overdue, "agingBucket": _aging_bucket}
ENTRY_DETAILS["PromiseToPay"]["status"] = _promise_status

INSTALLMENT = {
    "dueOn": column(formats.day("({t}.item->>'dueOn')::date")),
    "amount": money("({t}.item->>'amount')::numeric"),
}

# Each bucket's last day, found from domain.aging.bucket itself so the two cannot drift apart.
AGING_BOUNDS = tuple((days, bucket(days).value) for days in range(1000) if bucket(days) != bucket(days + 1))


# --- connections: a keyset page, built from the page's rows plus one to tell whether there are more


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
    first `size`, and the one more says whether there is a next page.
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
        f" ORDER BY {order_sql} LIMIT {size} + 1) {page})"
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


def _after(build: Build, field: Field, types: tuple, part: int, cast: str) -> str:
    def read(arguments: dict, readers: object) -> object:
        key = readers.cursor(arguments.get("after"), *types)
        return key[part] if key else None

    return build.argument(field, cast, read)


def _timeline(build: Build, field: Field, account: str, invoice: str | None) -> str:
    """An account's entries, newest first, with the filters of TimelineFilter (or one invoice's)."""
    readers = build.readers
    size = build.argument(field, "int", lambda a, r: r.page_size(a.get("first"), 20))

    def where(name: str, cast: str) -> str:
        return build.argument(field, cast, lambda a, r: getattr(r.timeline_filter(a.get("filter")), name))

    invoice_id = invoice or where("invoice_id", "uuid")
    since, until = where("since", "timestamptz"), where("until", "timestamptz")
    kinds, teams, tags = where("kinds", "text[]"), where("teams", "text[]"), where("tags", "text[]")
    contact = where("contact_id", "uuid")
    after_at = _after(build, field, (readers.TIMESTAMP, readers.ID), 0, "timestamptz")
    after_id = _after(build, field, (readers.TIMESTAMP, readers.ID), 1, "uuid")
    rows = (
        f"{LIVE_ENTRIES} AND {{c}}.account_id = {account}{visible(build, '{c}')}"
        f" AND ({kinds} IS NULL OR {{c}}.kind = ANY({kinds}))"
        f" AND ({teams} IS NULL OR {{c}}.team = ANY({teams}))"
        f" AND ({contact} IS NULL OR {{c}}.contact_id = {contact})"
        f" AND ({invoice_id} IS NULL OR EXISTS (SELECT 1 FROM entry_invoices ei WHERE"
        f" ei.account_id = {{c}}.account_id AND ei.entry_id = {{c}}.id AND ei.invoice_id = {invoice_id}))"
        f" AND ({tags} IS NULL OR {{c}}.tags && {tags})"
        f" AND ({since} IS NULL OR {{c}}.occurred_at >= {since})"
        f" AND ({until} IS NULL OR {{c}}.occurred_at <= {until})"
        f" AND ({after_at} IS NULL OR ({{c}}.occurred_at, {{c}}.id) < ({after_at}, {after_id}))"
    )
    return connection(
        build,
        field,
        rows,
        ENTRY_ORDER,
        (formats.json_instant("{c}.occurred_at"), formats.json_text("{c}.id")),
        size,
    )


def _invoices(build: Build, field: Field, row: str) -> str:
    readers = build.readers
    size = build.argument(field, "int", lambda a, r: r.page_size(a.get("first")))
    statuses = build.argument(
        field, "text[]", lambda a, r: [s.value for s in a["filter"]["status"]] if _set(a, "status") else None
    )
    overdue_on = build.argument(field, "date", lambda a, r: r.today() if _set(a, "overdueOnly") else None)
    after_on = _after(build, field, (readers.DAY, readers.ID), 0, "date")
    after_id = _after(build, field, (readers.DAY, readers.ID), 1, "uuid")
    rows = (
        f"invoices {{c}} WHERE {{c}}.account_id = {row}.id"
        f" AND ({statuses} IS NULL OR {{c}}.status = ANY({statuses}))"
        f" AND ({overdue_on} IS NULL OR ({{c}}.due_on < {overdue_on} AND {{c}}.balance > 0"
        f" AND {{c}}.status NOT IN ({literals(NOT_PAYABLE)})))"
        f" AND ({after_on} IS NULL OR ({{c}}.issued_on, {{c}}.id) < ({after_on}, {after_id}))"
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
        f"{LIVE_ENTRIES} AND {{c}}.account_id = {{t}}.id AND {{c}}.pinned{visible(build, '{c}')}", ENTRY_ORDER
    )
    return rule(build, field, row)


ACCOUNT |= {
    "pinned": _pinned,
    "timeline": lambda build, field, row: _timeline(build, field, f"{row}.id", None),
    "invoices": _invoices,
}
INVOICE["timeline"] = lambda build, field, row: _timeline(build, field, f"{row}.account_id", f"{row}.id")


# --- the root


def _me(build: Build, field: Field, row: str) -> str:
    caller = build.param("uuid", lambda binding: binding.caller)
    return one(f"users {{c}} WHERE {{c}}.id = {caller}")(build, field, row)


def _account(build: Build, field: Field, row: str) -> str:
    id_ = build.argument(field, "uuid", lambda a, r: r.id_of(a["id"], "Account"))
    return one(f"accounts {{c}} WHERE {{c}}.id = {id_}")(build, field, row)


def _account_by_ref(build: Build, field: Field, row: str) -> str:
    system = build.argument(field, "text", lambda a, r: a["ref"]["system"])
    external_id = build.argument(field, "text", lambda a, r: a["ref"]["id"])
    return one(
        f"accounts {{c}} WHERE {{c}}.id = (SELECT r.account_id FROM account_refs r"
        f" WHERE r.system = {system} AND r.external_id = {external_id} LIMIT 1)"
    )(build, field, row)


def _accounts(build: Build, field: Field, row: str) -> str:
    readers = build.readers

    def filtered(name: str) -> object:
        return lambda a, r: (a.get("filter") or {}).get(name) or None

    size = build.argument(field, "int", lambda a, r: r.page_size(a.get("first"), 50))
    statuses = build.argument(
        field, "text[]", lambda a, r: [s.value for s in a["filter"]["status"]] if _set(a, "status") else None
    )
    tags = build.argument(field, "text[]", filtered("tags"))
    owner = build.argument(
        field, "uuid", lambda a, r: r.id_of(a["filter"]["ownerId"], "User") if _set(a, "ownerId") else None
    )
    pattern = build.argument(field, "text", lambda a, r: r.name_pattern(filtered("nameContains")(a, r)))
    after_key = _after(build, field, (readers.TEXT, readers.ID), 0, "text")
    after_id = _after(build, field, (readers.TEXT, readers.ID), 1, "uuid")
    rows = (
        f"accounts {{c}} WHERE ({statuses} IS NULL OR {{c}}.status = ANY({statuses}))"
        f" AND ({tags} IS NULL OR {{c}}.tags && {tags})"
        f" AND ({owner} IS NULL OR {{c}}.owner_id = {owner})"
        f" AND ({pattern} IS NULL OR {{c}}.name ILIKE {pattern})"
        f" AND ({after_key} IS NULL OR (lower({{c}}.name), {{c}}.id) > ({after_key}, {after_id}))"
    )
    return connection(
        build,
        field,
        rows,
        "lower({c}.name), {c}.id",
        (formats.json_text("lower({c}.name)"), formats.json_text("{c}.id")),
        size,
    )


# The tables `node` reads, by the type name inside a global id.
NODE_SOURCES = {
    "Account": ("Account", "accounts {c} WHERE {c}.id = {id}"),
    "Contact": ("Contact", CONTACT_ROWS + " WHERE {c}.id = {id}"),
    "Invoice": ("Invoice", "invoices {c} WHERE {c}.id = {id}"),
    "User": ("User", "users {c} WHERE {c}.id = {id}"),
    "Entry": (ENTRY_INTERFACE, LIVE_ENTRIES + " AND {c}.id = {id}"),
}


def _node(build: Build, field: Field, row: str) -> str:
    """Any object by its global id: each table is read only when the id names its type."""
    type_name = build.argument(field, "text", lambda a, r: r.global_id(a["id"])[0])
    id_ = build.argument(field, "uuid", lambda a, r: r.global_id(a["id"])[1])
    branches = []
    for id_type, (graphql_type, source) in NODE_SOURCES.items():
        child = build.alias()
        type_ = build.schema.get_type(graphql_type)
        if isinstance(type_, GraphQLObjectType):
            value = build.obj(type_, build.fields(type_, field.details), child)
        else:
            value = abstract(build, type_, field.details, child)
        where = source.format(c=child, id=id_)
        if id_type == "Entry":
            where += visible(build, child)
        branches.append(f"(SELECT {value} FROM {where} AND {type_name} = {formats.literal(id_type)})")
    return f"coalesce({', '.join(branches)})"


QUERY = {
    "me": _me,
    "node": _node,
    "account": _account,
    "accountByExternalRef": _account_by_ref,
    "accounts": _accounts,
}

RULES: dict[str, dict[str, Rule]] = {
    "Query": QUERY,
    "Account": ACCOUNT,
    "User": USER,
    "Contact": CONTACT,
    "ContactWindow": CONTACT_WINDOW,
    "Preference": PREFERENCE,
    "Invoice": INVOICE,
    "ExternalRef": EXTERNAL_REF,
    "Money": MONEY,
    "EntryRevision": ENTRY_REVISION,
    "Installment": INSTALLMENT,
}


def rule_for(type_: GraphQLObjectType, name: str) -> Rule:
    rules = RULES.get(type_.name)
    if rules is None and any(interface.name == ENTRY_INTERFACE for interface in type_.interfaces):
        rules = ENTRY_DETAILS.get(type_.name, {}) | ENTRY
    if rules is None or name not in rules:
        raise NotCompilable(f"{type_.name}.{name}")
    return rules[name]
