"""Operations over the compilable part of the schema, for the generated differential test.

hypothesis-graphql draws a query from a pruned copy of our SDL: only the fields
the compiler is meant to cover, with the arguments that name things (ids,
cursors, external refs, tags) retyped as scalars of their own, so that their
values are drawn from the test's world rather than at random. It draws inline
fragments on interfaces itself; `dress` then adds what it does not: aliases,
`__typename`, named fragments, variables (some with defaults) and @skip/@include.

A drawn value that names something is a placeholder, "§pool:n", replaced with
the n-th item of that pool of the world when the operation is sent.
"""

import random

import graphql
from graphql import language as ast
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from schema.app_schema import export_sdl
from tests.compiled.dataset import ODD, World, instant

# Fields the compiler is not meant to answer; a query that selects one falls back, whole.
# Worklist, mentions and inbox (#17): the caller's own lists and people, left to the executor.
_MENTIONS = ("TimelineEntry", "Note", "Interaction", "CustomerNews", "PromiseToPay", "Dispute", "PaymentPlan")
_MENTIONS += ("FollowUp", "InvoiceStatusChange", "PaymentReceived")
NOT_COMPILED = {
    "Query": {
        "search",
        "collectionsQueue",
        "auditLog",
        "inbox",
        "worklist",
        "users",
        # Customer communication (#19): settings and messages, read by AR, not compiled.
        "messageTemplates",
        "dunningPolicies",
        "messagesToReview",
        "previewMessage",
    },
    "Account": {
        "receivables",
        "callBrief",
        "owners",
        "followedByMe",
        "dunningPolicy",
        "dunningPausedUntil",
        "dunningPauseReason",
        "messages",
        "statementLinks",
    },
    "Contact": {"reachability"},
    **{name: {"mentions"} for name in _MENTIONS},
}
# (type, field, argument) or (input type, field) -> the scalar that draws its values.
RETYPED = {
    ("Query", "node", "id"): "NodeId",
    ("Query", "account", "id"): "AccountId",
    ("Query", "accountByExternalRef", "ref"): "AccountRef",
    ("Query", "accounts", "first"): "PageSize",
    ("Query", "accounts", "after"): "AccountsCursor",
    ("Account", "timeline", "first"): "PageSize",
    ("Account", "timeline", "after"): "TimelineCursor",
    ("Account", "invoices", "first"): "PageSize",
    ("Account", "invoices", "after"): "InvoicesCursor",
    ("Invoice", "timeline", "first"): "PageSize",
    ("Invoice", "timeline", "after"): "TimelineCursor",
    ("AccountFilter", "ownerId"): "UserId",
    ("AccountFilter", "tags"): "Tag",
    ("AccountFilter", "nameContains"): "NameFragment",
    ("TimelineFilter", "contactId"): "ContactId",
    ("TimelineFilter", "invoiceId"): "InvoiceId",
    ("TimelineFilter", "tags"): "Tag",
}
POOL_SIZE = 64  # placeholders index pools modulo their length


def _retype(type_node: ast.TypeNode, name: str) -> ast.TypeNode:
    if isinstance(type_node, ast.NonNullTypeNode):
        return ast.NonNullTypeNode(type=_retype(type_node.type, name))
    if isinstance(type_node, ast.ListTypeNode):
        return ast.ListTypeNode(type=_retype(type_node.type, name))
    return ast.NamedTypeNode(name=ast.NameNode(value=name))


def compilable_sdl(sdl: str) -> str:
    """Our SDL without mutations, subscriptions and the fields the compiler leaves to the executor."""
    document = graphql.parse(sdl)
    definitions = []
    for definition in document.definitions:
        name = getattr(definition, "name", None) and definition.name.value
        if name in ("Mutation", "Subscription"):
            continue
        if isinstance(definition, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode):
            fields = []
            for field in definition.fields:
                if field.name.value in NOT_COMPILED.get(name, ()):
                    continue
                arguments = [
                    _copy(arg, type=_retype(arg.type, RETYPED[(name, field.name.value, arg.name.value)]))
                    if (name, field.name.value, arg.name.value) in RETYPED
                    else arg
                    for arg in field.arguments or ()
                ]
                fields.append(_copy(field, arguments=tuple(arguments)))
            definition = _copy(definition, fields=tuple(fields))
        elif isinstance(definition, ast.InputObjectTypeDefinitionNode):
            fields = [
                _copy(field, type=_retype(field.type, RETYPED[(name, field.name.value)]))
                if (name, field.name.value) in RETYPED
                else field
                for field in definition.fields
            ]
            definition = _copy(definition, fields=tuple(fields))
        definitions.append(definition)
    scalars = sorted(set(RETYPED.values()))
    extra = "".join(f"scalar {scalar}\n" for scalar in scalars)
    return graphql.print_ast(ast.DocumentNode(definitions=tuple(definitions))) + "\n" + extra


def _copy(node: ast.Node, **changes: object) -> ast.Node:
    return node.__class__(**{**{key: getattr(node, key) for key in node.keys}, **changes})


def placeholder(pool: str) -> st.SearchStrategy[graphql.ValueNode]:
    return st.integers(0, POOL_SIZE - 1).map(lambda n: nodes.String(f"§{pool}:{n}"))


INSTANTS = [
    instant(-30),
    instant(0),
    instant(1, micro=False),
    instant(3, hour=12),
    instant(20),
    "2025-06-05T23:59:59.5+05:30",
    "2000-01-01T00:00:00Z",
    "2099-01-01T00:00:00+00:00",
]
SCALARS = {
    "NodeId": placeholder("node"),
    "AccountId": placeholder("account"),
    "AccountRef": placeholder("ref"),
    "UserId": placeholder("user"),
    "ContactId": placeholder("contact"),
    "InvoiceId": placeholder("invoice"),
    "Tag": placeholder("tag"),
    "NameFragment": placeholder("name"),
    "AccountsCursor": placeholder("accounts cursor"),
    "TimelineCursor": placeholder("timeline cursor"),
    "InvoicesCursor": placeholder("invoices cursor"),
    # Only values the API accepts: a refused one (first: -1, an asOf ten years away) in a branch the
    # data never reaches makes the compiler hand the operation to the executor, which answers it
    # alike; the hand-written cases check refusals.
    "PageSize": st.sampled_from([0, 1, 2, 3, 3, 5, 8, 100, 101]).map(nodes.Int),
    "DateTime": st.sampled_from(INSTANTS).map(nodes.String),
    "Date": st.sampled_from(["2025-06-01", "2026-01-01", "2026-12-31", "2027-03-01", "2035-12-31"]).map(
        nodes.String
    ),
    "Decimal": st.just(nodes.String("1.00")),
    "JSON": st.just(nodes.String("{}")),
}
SCHEMA = graphql.build_schema(export_sdl())
QUERIES = queries(compilable_sdl(export_sdl()), custom_scalars=SCALARS, print_ast=lambda document: document)


def pools(world: World) -> dict[str, list]:
    missing = "QWNjb3VudDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"
    return {
        "node": [*world.nodes(), *world.deleted, *world.restricted * 3, missing, "not an id"],
        "account": [world.main] * 4
        + [world.second, world.bare, *world.plain[:3], missing, world.contacts[0]],
        "ref": [
            {"system": "x", "id": "missing"},
            *(world.refs[a] for a in (world.main, world.second, world.plain[1])),
        ],
        "user": [*world.users.values(), missing],
        "contact": world.contacts,
        "invoice": world.invoices,
        "tag": [*world.tags, "tie", "call", "news", "nope"],
        "name": ["plain", "Main", "same NAME", "ü", "%", "_", "", "zzz", ODD[:5]],
        "accounts cursor": [*world.cursors["accounts"], "garbage"],
        "timeline cursor": [
            *world.cursors["timeline"],
            *world.cursors["invoice timeline"],
            world.cursors["accounts"][0],
        ],
        "invoices cursor": [*world.cursors["invoices"], "e30"],
    }


def refused(world: World) -> set[str]:
    """The pools' values an argument refuses somewhere: an operation holding one may fall back
    unanswered-for (the refusal sits in a branch the data never reaches, so the executor answers
    without an error, while the compiler, binding every argument up front, hands it over)."""
    return {"garbage", "e30", "not an id", world.cursors["accounts"][0], world.contacts[0]}


def _value(value: object) -> ast.ValueNode:
    return (
        graphql.ast_from_value(value, graphql.GraphQLScalarType("Any", serialize=lambda v: v))
        or ast.NullValueNode()
    )


def resolve(node: ast.Node, pool: dict[str, list]) -> ast.Node:
    """The document with each placeholder replaced by an item of the world."""

    class Resolver(graphql.Visitor):
        def enter_string_value(self, value_node: ast.StringValueNode, *_):
            if not value_node.value.startswith("§"):
                return None
            name, index = value_node.value[1:].rsplit(":", 1)
            items = pool[name]
            item = items[int(index) % len(items)]
            if isinstance(item, dict):
                return ast.ObjectValueNode(
                    fields=tuple(
                        ast.ObjectFieldNode(name=ast.NameNode(value=k), value=ast.StringValueNode(value=v))
                        for k, v in item.items()
                    )
                )
            return ast.StringValueNode(value=item)

    return graphql.visit(node, Resolver())


class Dresser:
    """Rewrites a drawn query with aliases, __typename, named fragments, variables and directives."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.variables: dict[str, object] = {}
        self.definitions: list[ast.VariableDefinitionNode] = []
        self.fragments: list[ast.FragmentDefinitionNode] = []
        self.count = 0

    def chance(self, p: float) -> bool:
        return self.rnd.random() < p

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def variable(self, type_: str, literal: ast.ValueNode) -> ast.VariableNode:
        name = self.name("v")
        default = None
        if self.chance(0.3):
            default = literal
        else:
            self.variables[name] = graphql.value_from_ast_untyped(literal)
        self.definitions.append(
            ast.VariableDefinitionNode(
                variable=ast.VariableNode(name=ast.NameNode(value=name)),
                type=graphql.parse_type(type_),
                default_value=default,
                directives=(),
            )
        )
        return ast.VariableNode(name=ast.NameNode(value=name))

    def directive(self) -> ast.DirectiveNode:
        which = self.rnd.choice(["include", "skip"])
        value = self.rnd.random() < 0.5
        literal = ast.BooleanValueNode(value=value)
        argument = self.variable("Boolean!", literal) if self.chance(0.7) else literal
        return ast.DirectiveNode(
            name=ast.NameNode(value=which),
            arguments=(ast.ArgumentNode(name=ast.NameNode(value="if"), value=argument),),
        )

    def selections(
        self, selection_set: ast.SelectionSetNode, parent: graphql.GraphQLNamedType
    ) -> ast.SelectionSetNode:
        out: list[ast.SelectionNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, ast.InlineFragmentNode):
                on = SCHEMA.get_type(selection.type_condition.name.value)
                inner = self.selections(selection.selection_set, on)
                if self.chance(0.35):
                    out.append(self.named_fragment(on.name, inner))
                else:
                    out.append(_copy(selection, selection_set=inner))
                continue
            field = self.field(selection, parent)
            if self.chance(0.08):
                out.append(self.named_fragment(parent.name, ast.SelectionSetNode(selections=(field,))))
            else:
                out.append(field)
        if self.chance(0.15):
            out.insert(self.rnd.randint(0, len(out)), _field("__typename", self.alias(0.3)))
        return ast.SelectionSetNode(selections=tuple(out))

    def alias(self, p: float) -> ast.NameNode | None:
        return ast.NameNode(value=self.name("a")) if self.chance(p) else None

    def field(self, node: ast.FieldNode, parent: graphql.GraphQLNamedType) -> ast.FieldNode:
        definition = parent.fields[node.name.value]
        arguments = []
        for argument in node.arguments or ():
            value = argument.value
            if self.chance(0.3):
                value = self.variable(str(definition.args[argument.name.value].type), value)
            arguments.append(_copy(argument, value=value))
        selection_set = node.selection_set
        if selection_set is not None:
            selection_set = self.selections(selection_set, graphql.get_named_type(definition.type))
        directives = (self.directive(),) if self.chance(0.06) else ()
        return _copy(
            node,
            alias=node.alias or self.alias(0.12),
            arguments=tuple(arguments),
            selection_set=selection_set,
            directives=directives,
        )

    def named_fragment(self, on: str, selection_set: ast.SelectionSetNode) -> ast.FragmentSpreadNode:
        name = self.name("F")
        self.fragments.append(
            ast.FragmentDefinitionNode(
                name=ast.NameNode(value=name),
                type_condition=ast.NamedTypeNode(name=ast.NameNode(value=on)),
                selection_set=selection_set,
                directives=(),
            )
        )
        return ast.FragmentSpreadNode(name=ast.NameNode(value=name), directives=())


def _field(name: str, alias: ast.NameNode | None = None) -> ast.FieldNode:
    return ast.FieldNode(
        name=ast.NameNode(value=name), alias=alias, arguments=(), directives=(), selection_set=None
    )


@st.composite
def operations(draw: st.DrawFn, pool: dict[str, list]) -> tuple[str, dict, str | None]:
    """A query of the compilable part, dressed: (document, variables, operation name)."""
    drawn = resolve(draw(QUERIES), pool)
    (operation,) = drawn.definitions
    # One seed for every dressing decision: drawing each from Hypothesis costs more than the query.
    dresser = Dresser(random.Random(draw(st.integers(0, 2**32), label="dressing")))
    selection_set = dresser.selections(operation.selection_set, SCHEMA.query_type)
    name = dresser.rnd.choice([None, "Generated"])
    operation = _copy(
        operation,
        name=ast.NameNode(value=name) if name else None,
        variable_definitions=tuple(dresser.definitions),
        selection_set=selection_set,
    )
    document = ast.DocumentNode(definitions=(operation, *dresser.fragments))
    return graphql.print_ast(document), dresser.variables, name
