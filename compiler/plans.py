"""Plans: an operation compiled once, then bound and run per request.

A document that passed validation is kept prepared (its query operation, its
fragments, the variables @skip/@include read), so a request sending the same
text again can be answered without parsing or validating it anew. A plan
depends on the document, the operation, whether the caller sees RESTRICTED
entries (written into the statement, never a parameter a bug could drop), the
values of the @skip/@include variables and the type each `node(id:)` variable
names (so the statement reads that one table: one holding every table's branch
is re-planned by Postgres for each id, at ten times the cost of running it);
every other argument is a statement parameter. An optional filter is written into
the statement only for a request that gives it, one variant of the plan for each
combination requests use, so that Postgres's one generic plan of a statement is
made for the filters it runs. Both are kept for the most recent documents only, so
unique documents sent on purpose cannot grow memory. An operation the catalog
cannot write is remembered as such, so it is not walked again.
"""

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    visit,
)
from graphql.execution.collect_fields import FragmentDetails, collect_fields
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import DirectiveNode, Visitor

from compiler import catalog, rules
from compiler.builder import Binding, Build, Field, NotCompilable, Reader, Refused, given
from store.entries import TimelineFilter

log = logging.getLogger("rapport.compiled_reads")

PLANS_KEPT = 256


@dataclass(frozen=True)
class Readers:
    """How the API reads arguments, handed in by schema/ so both paths read them with the same code.

    Each raises on a value the executor would refuse; the request then goes to
    the executor, which gives the client its error.
    """

    page_size: Callable[..., int]  # (first, default=20)
    cursor: Callable[..., tuple | None]  # (after, *part parsers)
    global_id: Callable[[str], tuple[str, UUID]]
    id_of: Callable[[str, str], UUID]  # (global id, the type it must name)
    timeline_filter: Callable[[dict | None], TimelineFilter]
    name_pattern: Callable[[str | None], str | None]
    today: Callable[[], date]
    day: Callable[[date | None], date]  # an asOf argument: the date, or today; refused if far away
    entry_types: dict[str, tuple[str, ...]]  # GraphQL type name -> the entry kinds it shows
    TIMESTAMP: Callable[[str], Any]
    DAY: Callable[[str], Any]
    TEXT: Callable[[str], Any]
    ID: Callable[[str], Any]


@dataclass(frozen=True)
class Plan:
    sql: str
    params: tuple[Reader, ...]
    given: tuple[Reader, ...] = ()  # the values whose presence the statement was written for


@dataclass(frozen=True)
class Prepared:
    """A validated document's query operation, as far as planning needs it."""

    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDetails]
    switches: tuple[str, ...]  # the variables @skip and @include read
    page_sizes: tuple[str, ...]  # the variables `first` arguments read: a query's cost depends on them
    node_ids: tuple[str, ...]  # the variables `node(id:)` reads

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None


class _Kept(OrderedDict):
    """The most recently used entries, at most PLANS_KEPT."""

    def get_recent(self, key: object) -> object:
        if key in self:
            self.move_to_end(key)
            return self[key]
        return None

    def keep(self, key: object, value: object) -> None:
        self[key] = value
        if len(self) > PLANS_KEPT:
            self.popitem(last=False)


_NOT_COMPILABLE = Plan("", ())


class Compiler:
    def __init__(self, schema: GraphQLSchema, readers: Readers) -> None:
        self.schema = schema
        self.readers = readers
        self._prepared = _Kept()  # (query, operation name) -> Prepared, or False: not a compilable query
        self._plans = _Kept()  # (query, operation name, restricted, switch values) -> Plan

    def prepare(self, query: str, operation_name: str | None, document: DocumentNode) -> Prepared | None:
        """Remember a valid document: later requests with the same text skip parse and validation.

        `operation_name` is the one executed (Strawberry names the only operation of a
        document even when the request did not); a request that names none finds the
        document's only operation too.
        """
        found = self._prepared.get_recent((query, operation_name))
        if found is None:
            operation, fragments = _parts(document, operation_name)
            compilable = (
                operation is not None and operation.operation == OperationType.QUERY and fragments is not None
            )
            found = (
                Prepared(document, operation, fragments, *_variables_read(document)) if compilable else False
            )
            self._prepared.keep((query, operation_name), found)
            if sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) == 1:
                self._prepared.keep((query, None), found)
        return found or None

    def known(self, query: str, operation_name: str | None) -> Prepared | None:
        """The document as prepared by an earlier request; None if it has not been seen valid lately."""
        return self._prepared.get_recent((query, operation_name)) or None

    def plan(
        self, prepared: Prepared, query: str, raw_variables: dict | None, restricted: bool
    ) -> tuple[Plan, VariableValues] | None:
        """The plan for this request and its coerced variables; None when the executor must answer."""
        definitions = prepared.operation.variable_definitions or ()
        variables = get_variable_values(self.schema, definitions, raw_variables or {})
        if isinstance(variables, list):
            return None  # the executor reports the coercion errors
        switches = tuple(variables.coerced.get(name) for name in prepared.switches)
        node_types = tuple(self._id_type(variables.coerced.get(name)) for name in prepared.node_ids)
        key = (query, prepared.name, restricted, switches, node_types)
        # Under the key: the values the plan's variants are written for the presence of; under the
        # key and which of them this request gives: that variant. Each counts as one kept entry.
        given = self._plans.get_recent(key)
        if given is _NOT_COMPILABLE:
            return None
        try:
            plan = None
            if given is not None:
                plan = self._plans.get_recent((key, _given(given, variables, self.readers)))
            if plan is None:
                node_types_of = dict(zip(prepared.node_ids, node_types, strict=True))
                plan = self._compile(prepared, variables, restricted, node_types_of)
                if plan is None:
                    self._plans.keep(key, _NOT_COMPILABLE)
                    return None
                self._plans.keep(key, plan.given)
                self._plans.keep((key, _given(plan.given, variables, self.readers)), plan)
        except Refused:
            return None
        return plan, variables

    def _id_type(self, value: object) -> str | None:
        """The type a global id names; None for anything else (the executor reports it)."""
        try:
            return self.readers.global_id(value)[0]
        except Exception:
            return None

    def _compile(
        self, prepared: Prepared, variables: VariableValues, restricted: bool, node_types: dict
    ) -> Plan | None:
        build = Build(
            self.schema,
            prepared.fragments,
            variables,
            prepared.operation,
            restricted,
            self.readers,
            rule_for=catalog.rule_for,
            abstract=rules.abstract,
            node_types=node_types,
        )
        root = self.schema.query_type
        grouped = collect_fields(
            self.schema, prepared.fragments, variables, root, prepared.operation
        ).grouped_field_set
        try:
            selected = {key: Field(build._definition(root, found), found) for key, found in grouped.items()}
            sql = f"SELECT {build.obj(root, selected, '')}::text"
        except NotCompilable as reason:
            log.debug("not compiled: %s", reason)
            return None
        return Plan(sql, tuple(build.params), tuple(build.given))

    def bind(self, plan: Plan, variables: VariableValues, caller: object) -> list | None:
        """The statement's parameter values; None when an argument is one the executor would refuse."""
        binding = Binding(variables, self.readers, caller)
        try:
            return [read(binding) for read in plan.params]
        except Exception:  # any refusal is the executor's to report, in its words
            return None


def _given(readers: tuple[Reader, ...], variables: VariableValues, api_readers: Readers) -> tuple[bool, ...]:
    """Which of the values a plan was written for the presence of this request gives: its variant's key."""
    binding = Binding(variables, api_readers, None)
    return tuple(given(read, binding) for read in readers)


async def run(conn: asyncpg.Connection, plan: Plan, values: list) -> str:
    """The `data` of the answer as JSON text, unparsed."""
    return await conn.fetchval(plan.sql, *values)


def _parts(
    document: DocumentNode, operation_name: str | None
) -> tuple[OperationDefinitionNode | None, dict[str, FragmentDetails] | None]:
    """The operation to run and the fragments; None fragments when one declares variables."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        operation = operations[0] if len(operations) == 1 else None
    else:
        operation = next((o for o in operations if o.name and o.name.value == operation_name), None)
    fragments: dict[str, FragmentDetails] | None = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:
                fragments = None
                break
            fragments[definition.name.value] = FragmentDetails(definition)
    return operation, fragments


def _variables_read(document: DocumentNode) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The variables @skip and @include read, those `first` arguments read, and those `node(id:)` reads."""
    switches: dict[str, None] = {}
    page_sizes: dict[str, None] = {}
    node_ids: dict[str, None] = {}

    class Reads(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    switches[argument.value.name.value] = None

        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            if node.name.value == "first" and isinstance(node.value, VariableNode):
                page_sizes[node.value.name.value] = None

        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.name.value == "node":
                for argument in node.arguments or ():
                    if argument.name.value == "id" and isinstance(argument.value, VariableNode):
                        node_ids[argument.value.name.value] = None

    visit(document, Reads())
    return tuple(switches), tuple(page_sizes), tuple(node_ids)
