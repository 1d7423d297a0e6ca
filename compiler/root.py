"""The root Query's compilable fields."""

from graphql import GraphQLObjectType, ValueNode, VariableNode

from compiler import rules
from compiler.builder import Build, Field, NotCompilable
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
    """Any object by its global id, read from the one table the id's type names.

    The type is the plan's to know (a literal id in the document, or the type the
    request's variable names, which is part of the plan's key); a type we do not
    serve, or an id that is none, is the executor's to answer.
    """
    given = next(a.value for a in field.node.arguments if a.name.value == "id")
    if isinstance(given, VariableNode):
        id_type = build.node_types.get(given.name.value)
    else:
        id_type = _literal_type(build, given)
    if id_type not in NODE_SOURCES:
        raise NotCompilable(f"node of type {id_type}")
    graphql_type, source = NODE_SOURCES[id_type]
    id_ = build.argument(field, "uuid", lambda a, r: r.id_of(a["id"], id_type))
    child = build.alias()
    type_ = build.schema.get_type(graphql_type)
    if isinstance(type_, GraphQLObjectType):
        value = build.obj(type_, build.fields(type_, field.details), child)
    else:
        value = rules.abstract(build, type_, field.details, child)
    where = source.format(c=child, id=id_)
    if id_type == "Entry":
        where += rules.visible(build, child)
    return f"(SELECT {value} FROM {where})"


def _literal_type(build: Build, given: ValueNode) -> str | None:
    try:
        return build.readers.global_id(given.value)[0]
    except Exception:  # not a string, or not one of our ids: the executor says so
        return None


QUERY = {
    "me": _me,
    "node": _node,
    "account": _account,
    "accountByExternalRef": _account_by_ref,
    "accounts": accounts,
}
