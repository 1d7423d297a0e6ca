"""The walk over an operation's selections that writes its one SQL statement.

Fields are collected with graphql-core's own `collect_subfields`, so aliases,
fragments, merging and @skip/@include select exactly what the executor would.
A field's SQL comes from the catalog; a field the catalog does not hold makes
the whole operation NotCompilable. Arguments become statement parameters whose
values are read when a request binds the plan, so one plan serves every value.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values

from compiler.formats import literal

# json_build_object takes at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50


class NotCompilable(Exception):
    """The operation selects something the catalog cannot write in SQL; the executor answers it."""


class Refused(Exception):
    """An argument the executor would refuse, met while planning: the executor answers, in its words."""


@dataclass(frozen=True)
class Field:
    """One response key of a selection: its definition and the nodes merged under it."""

    definition: GraphQLField
    details: list[FieldDetails]

    @property
    def node(self) -> FieldNode:
        return self.details[0].node

    @property
    def type(self) -> GraphQLNamedType:
        return get_named_type(self.definition.type)


class Binding:
    """One request's argument values, read once per field node, and the caller."""

    def __init__(self, variables: VariableValues, readers: Any, caller: object) -> None:
        self.variables = variables
        self.readers = readers
        self.caller = caller
        self._arguments: dict[int, dict] = {}
        self._derived: dict[tuple[int, str], object] = {}

    def arguments(self, field_: Field) -> dict:
        key = id(field_.node)
        if key not in self._arguments:
            self._arguments[key] = get_argument_values(field_.definition, field_.node, self.variables)
        return self._arguments[key]

    def derived(self, field_: Field, name: str, read: Callable[[dict, Any], object]) -> object:
        """A value read from the field's arguments once per request, however many parameters use it."""
        key = (id(field_.node), name)
        if key not in self._derived:
            self._derived[key] = read(self.arguments(field_), self.readers)
        return self._derived[key]


Reader = Callable[[Binding], object]


def given(read: Reader, binding: Binding) -> bool:
    """Whether the request gives the value `read` reads (not None)."""
    try:
        return read(binding) is not None
    except Exception as error:  # any refusal is the executor's to report
        raise Refused from error


def reads(field_: Field, read: Callable[[dict, Any], object]) -> Reader:
    """A reader of a value derived from the field's arguments and the API's readers."""
    return lambda binding: read(binding.arguments(field_), binding.readers)


@dataclass
class Build:
    """One compile: the parameters the statement takes, and the walk that writes it."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variables: VariableValues
    operation: OperationDefinitionNode
    restricted: bool  # whether the caller sees RESTRICTED entries
    readers: Any  # compiler.plans.Readers
    # The catalog's lookups, handed in so the walk does not import the catalog that uses it.
    rule_for: Callable[[GraphQLObjectType, str], Callable[["Build", Field, str], str]]
    abstract: Callable[["Build", GraphQLInterfaceType, list[FieldDetails], str], str]
    # The type each `node(id:)` variable names in the request being planned (see plans.py).
    node_types: dict[str, str | None] = field(default_factory=dict)
    params: list[Reader] = field(default_factory=list)
    # The values whose presence the statement is written for, in the order the walk meets them.
    given: list[Reader] = field(default_factory=list)
    _names: Any = field(default_factory=lambda: itertools.count(1))
    _planned: Binding | None = None

    def alias(self) -> str:
        return f"t{next(self._names)}"

    def param(self, cast: str, read: Reader) -> str:
        """A placeholder for a value read at bind time; use the returned text wherever it is needed."""
        self.params.append(read)
        return f"${len(self.params)}::{cast}"

    def argument(self, field_: Field, cast: str, read: Callable[[dict, Any], object]) -> str:
        """A placeholder for a value derived from this field's arguments and the API's readers."""
        return self.param(cast, reads(field_, read))

    def is_given(self, read: Reader) -> bool:
        """Whether the request being planned gives this value (not None); the plan holds for that only.

        The answer is part of the plan's key (plans.py), so a statement may leave out what an
        absent value would not filter, instead of `$n IS NULL OR ...`: Postgres keeps one generic
        plan per statement, and one made for "every filter, maybe" reads and sorts the whole
        accounts table (29 ms) where the first page of an index does (1.2 ms).
        """
        self.given.append(read)
        if self._planned is None:
            self._planned = Binding(self.variables, self.readers, None)
        return given(read, self._planned)

    def optional(self, condition: str, cast: str, read: Reader) -> str:
        """` AND condition`, `{v}` its value's placeholder, when the request gives the value; else nothing."""
        if not self.is_given(read):
            return ""
        return f" AND {condition.format(c='{c}', v=self.param(cast, read))}"

    def fields(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, Field]:
        grouped = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, type_, details
        ).grouped_field_set
        return {key: Field(self._definition(type_, found), found) for key, found in grouped.items()}

    def obj(
        self, type_: GraphQLObjectType, selected: dict[str, Field], row: str, typename: str | None = None
    ) -> str:
        """The JSON object of one row of `type_`, with the selected keys in the executor's order.

        `typename` is the SQL of `__typename` when one object serves several types alike.
        """
        if len(selected) > MAX_KEYS:
            raise NotCompilable(f"more than {MAX_KEYS} keys in one selection")
        pairs = []
        for key, field_ in selected.items():
            name = field_.node.name.value
            if name == "__typename":
                expr = typename or literal(type_.name)
            else:
                expr = self.rule_for(type_, name)(self, field_, row)
            pairs.append(f"{literal(key)}, {expr}")
        return f"json_build_object({', '.join(pairs)})"

    def value(self, field_: Field, row: str) -> str:
        """The JSON of an object-typed field's row, whichever concrete type it has."""
        type_ = field_.type
        if isinstance(type_, GraphQLObjectType):
            return self.obj(type_, self.fields(type_, field_.details), row)
        if isinstance(type_, GraphQLInterfaceType):
            return self.abstract(self, type_, field_.details, row)
        raise NotCompilable(f"{type_.name} is neither an object nor an interface")

    @staticmethod
    def _definition(type_: GraphQLObjectType, found: list[FieldDetails]) -> GraphQLField:
        name = found[0].node.name.value
        if name == "__typename":
            return GraphQLField(type_)  # never read: __typename is the type's name
        if name.startswith("__") or name not in type_.fields:
            raise NotCompilable(f"{type_.name}.{name}")
        return type_.fields[name]
