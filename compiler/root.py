"""The root Query's compilable fields."""

from graphql import GraphQLObjectType

from compiler import formats, rules
from compiler.builder import Build, Field
from compiler.connections import accounts
from compiler.rules import ENTRY_INTERFACE, LIVE_ENTRIES, one


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


# The tables `node` reads, by the type name inside a global id.
NODE_SOURCES = {
    "Account": ("Account", "accounts {c} WHERE {c}.id = {id}"),
    "Contact": ("Contact", "contacts {c} WHERE {c}.id = {id}"),
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
            value = rules.abstract(build, type_, field.details, child)
        where = source.format(c=child, id=id_)
        if id_type == "Entry":
            where += rules.visible(build, child)
        branches.append(f"(SELECT {value} FROM {where} AND {type_name} = {formats.literal(id_type)})")
    return f"coalesce({', '.join(branches)})"


QUERY = {
    "me": _me,
    "node": _node,
    "account": _account,
    "accountByExternalRef": _account_by_ref,
    "accounts": accounts,
}
