"""How big a GraphQL document may be, checked before anything is executed.

Every limit is a validation failure, so a refused document is a request error
that names the limit (400 under graphql-response+json). Strawberry's own
extensions count tokens, depth and aliases, and DisableIntrospection turns
introspection off. Two rules are ours:

- DocumentGuard runs before validation and refuses what would make the other
  rules misbehave: Strawberry's depth and alias limiters walk every fragment
  spread afresh, which is exponential in nested spreads (a few hundred tokens
  could keep a worker busy for hours), and fail on an unknown fragment. The
  guard expands fragments once each, memoised, and refuses unknown or cyclic
  fragments, spreads nested deeper than the depth limit, and documents that
  expand to more selections than the token limit; when it refuses, validation
  is skipped.
- The cost rule multiplies `first` arguments down nested fields: the most nodes
  a query could return. `first` is capped at MAX_PAGE by the resolvers, so it is
  capped here too; a variable counts with the value sent.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document

from schema.pagination import MAX_PAGE

# Distinct documents whose parse and validation are kept; a bound, so unique texts
# sent on purpose cannot grow memory.
VALIDATED_DOCUMENTS = 256


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    introspection: bool


class _Refused(Exception):
    """The guard's reason for refusing a document, as the client will read it."""


def _shape(selection_set: SelectionSetNode) -> tuple[int, list[str]]:
    """Selections in this set and below (spreads not followed), and the fragments it spreads.

    Iterative, so a deeply nested document cannot exhaust the Python stack.
    """
    count, spreads, stack = 0, [], [selection_set]
    while stack:
        for selection in stack.pop().selections:
            count += 1
            if isinstance(selection, FragmentSpreadNode):
                spreads.append(selection.name.value)
            elif selection.selection_set is not None:
                stack.append(selection.selection_set)
    return count, spreads


def _check_document(document: DocumentNode, limits: Limits) -> None:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    shapes = {name: _shape(fragment.selection_set) for name, fragment in fragments.items()}
    expanded: dict[str, tuple[int, int]] = {}  # fragment -> (selections once expanded, spread nesting)

    def expand(name: str, path: tuple[str, ...]) -> tuple[int, int]:
        if name not in fragments:
            raise _Refused(f"Unknown fragment '{name}'.")
        if name in path:
            raise _Refused(f"Cannot spread fragment '{name}' within itself.")
        if len(path) >= limits.max_depth:
            raise _Refused(
                f"Fragments are nested more than {limits.max_depth} levels deep, the query depth limit."
            )
        if name not in expanded:
            count, spreads = shapes[name]
            nesting = 0
            for spread in spreads:
                inner, inner_nesting = expand(spread, (*path, name))
                count, nesting = count + inner, max(nesting, inner_nesting + 1)
            expanded[name] = (count, nesting)
        return expanded[name]

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            count, spreads = _shape(definition.selection_set)
            count += sum(expand(spread, ())[0] for spread in spreads)
            if count > limits.max_tokens:
                raise _Refused(
                    f"The query has {count:,} selections once its fragments are expanded, more than "
                    f"the token limit of {limits.max_tokens:,}."
                )


class DocumentGuard(SchemaExtension):
    """Refuses documents the limit rules cannot walk safely (see the module docstring)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            try:
                _check_document(context.graphql_document, self.limits)
            except _Refused as refused:
                context.pre_execution_errors = [GraphQLError(str(refused))]
        yield


class ReportingParserCache(ParserCache):
    """Strawberry's ParserCache, except that a document that does not parse is left to Strawberry.

    ParserCache raises the syntax error as parsing begins, outside the step that
    turns it into a result: an HTTP client still gets it, but a websocket client
    gets only `complete`, and no extension sees the parse fail. Left unparsed,
    the document is parsed again by Strawberry, which reports the error.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        except GraphQLError:
            context.graphql_document = None
        yield


class _Cost:
    """The most nodes an operation could return, counted from `first` arguments."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict | None) -> None:
        self.schema = schema
        definitions = document.definitions
        self.fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = variables or {}
        self.defaults: dict[str, object] = {}
        self.memo: dict[str, int] = {}

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        self.defaults = {
            v.variable.name.value: int(v.default_value.value)
            for v in operation.variable_definitions or ()
            if isinstance(v.default_value, IntValueNode)
        }
        return self._selections(operation.selection_set, root, frozenset()) if root else 0

    def _first(self, node: FieldNode, argument_default: object) -> int:
        given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        value: object = argument_default
        if isinstance(given, IntValueNode):
            value = int(given.value)
        elif isinstance(given, VariableNode):
            name = given.name.value
            value = self.variables.get(name, self.defaults.get(name, argument_default))
        if not isinstance(value, int) or isinstance(value, bool):
            return MAX_PAGE  # a null or unusable value: assume the worst the resolvers allow
        return max(0, min(value, MAX_PAGE))

    def _selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, path: frozenset) -> int:
        """Nodes below this set per instance of `parent`; linear in the multiplier, so fragments memoise."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, path)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self._selections(selection.selection_set, inner, path) if inner else 0
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, path)
        return total

    def _field(self, node: FieldNode, parent: GraphQLNamedType, path: frozenset) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0  # __typename, introspection, or unknown (another rule says so)
        below = 0
        if node.selection_set is not None:
            below = self._selections(node.selection_set, get_named_type(definition.type), path)
        if "first" not in definition.args:
            return below
        first = self._first(node, definition.args["first"].default_value)
        return first + first * below

    def _fragment(self, name: str, path: frozenset) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in path:
            return 0  # unknown or cyclic: other rules refuse the document
        if name not in self.memo:
            condition = self.schema.get_type(fragment.type_condition.name.value)
            self.memo[name] = (
                self._selections(fragment.selection_set, condition, path | {name}) if condition else 0
            )
        return self.memo[name]


def cost_error(schema: GraphQLSchema, document: DocumentNode, variables: dict | None, max_cost: int):
    """The refusal of the first operation that could return more than max_cost nodes, if any."""
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        cost = _Cost(schema, document, variables).of_operation(definition)
        if cost > max_cost:
            return GraphQLError(
                f"The query could return up to {cost:,} nodes, more than the query cost limit of "
                f"{max_cost:,} (the product of `first` arguments down nested lists); ask for smaller pages.",
                definition,
            )
    return None


@lru_cache(maxsize=VALIDATED_DOCUMENTS)
def _validation_errors(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> tuple[GraphQLError, ...]:
    return tuple(validate_document(schema, document, rules))


class ValidateOnce(SchemaExtension):
    """Validates each distinct document once, then checks this request's cost.

    Validation walks the whole document with every rule, about a fifth of a timeline
    page's time; the rules are fixed per schema, so the verdict depends on the document
    alone and is kept in a bounded cache. Only the cost depends on the variables, so it
    is checked per request, once the document is known to be valid.
    """

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            schema = context.schema._schema
            errors = list(_validation_errors(schema, document, tuple(context.validation_rules)))
            if not errors and (too_costly := cost_error(schema, document, context.variables, self.max_cost)):
                errors = [too_costly]
            context.pre_execution_errors = errors
        yield


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions enforcing `limits`, as factories: a fresh instance per request."""
    # The rule classes are made once, so every request validates with the same rules and
    # ValidateOnce can reuse a verdict.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ReportingParserCache(maxsize=VALIDATED_DOCUMENTS),
        lambda: AddValidationRules(rules),
        lambda: DocumentGuard(limits),
        lambda: ValidateOnce(limits.max_cost),
    ]
