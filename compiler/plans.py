"""Plans: an operation compiled once, then bound and run per request.

A plan depends on the document, the operation, whether the caller sees
RESTRICTED entries (written into the statement, never a parameter a bug could
drop) and the values of the variables that @skip/@include read; every other
argument is a statement parameter. Plans are kept for the most recent
documents only, so unique documents sent on purpose cannot grow memory.
An operation the catalog cannot write is remembered as such, so it is not
walked again for the next request.
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
    DocumentNode,
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

from compiler import catalog
from compiler.builder import Binding, Build, Field, NotCompilable, Reader
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
    entry_types: dict[str, tuple[str, ...]]  # GraphQL type name -> the entry kinds it shows
    TIMESTAMP: Callable[[str], Any]
    DAY: Callable[[str], Any]
    TEXT: Callable[[str], Any]
    ID: Callable[[str], Any]


@dataclass(frozen=True)
class Plan:
    sql: str
    params: tuple[Reader, ...]


class Compiler:
    def __init__(self, schema: GraphQLSchema, readers: Readers) -> None:
        self.schema = schema
        self.readers = readers
        self._plans: OrderedDict[tuple, Plan | None] = OrderedDict()
        self._switches: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def plan(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        raw_variables: dict | None,
        restricted: bool,
    ) -> tuple[Plan, VariableValues] | None:
        """The plan for this request and its coerced variables; None when the executor must answer."""
        operation, fragments = _parts(document, operation_name)
        if operation is None or operation.operation != OperationType.QUERY or fragments is None:
            return None
        definitions = operation.variable_definitions or ()
        variables = get_variable_values(self.schema, definitions, raw_variables or {})
        if isinstance(variables, list):
            return None  # the executor reports the coercion errors
        switches = tuple(variables.coerced.get(name) for name in self._switch_names(query, document))
        key = (query, operation_name, restricted, switches)
        if key in self._plans:
            self._plans.move_to_end(key)
            plan = self._plans[key]
        else:
            plan = self._compile(operation, fragments, variables, restricted)
            self._plans[key] = plan
            if len(self._plans) > PLANS_KEPT:
                self._plans.popitem(last=False)
        return (plan, variables) if plan else None

    def _switch_names(self, query: str, document: DocumentNode) -> tuple[str, ...]:
        names = self._switches.get(query)
        if names is None:
            names = self._switches[query] = _directive_variables(document)
            if len(self._switches) > PLANS_KEPT:
                self._switches.popitem(last=False)
        return names

    def _compile(
        self,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        restricted: bool,
    ) -> Plan | None:
        build = Build(
            self.schema,
            fragments,
            variables,
            operation,
            restricted,
            self.readers,
            rule_for=catalog.rule_for,
            abstract=catalog.abstract,
        )
        root = self.schema.query_type
        grouped = collect_fields(self.schema, fragments, variables, root, operation).grouped_field_set
        try:
            selected = {key: Field(build._definition(root, found), found) for key, found in grouped.items()}
            sql = f"SELECT {build.obj(root, selected, '')}::text"
        except NotCompilable as reason:
            log.debug("not compiled: %s", reason)
            return None
        return Plan(sql, tuple(build.params))

    def bind(self, plan: Plan, variables: VariableValues, caller: object) -> list | None:
        """The statement's parameter values; None when an argument is one the executor would refuse."""
        binding = Binding(variables, self.readers, caller)
        try:
            return [read(binding) for read in plan.params]
        except Exception:  # any refusal is the executor's to report, in its words
            return None


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


def _directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables @skip and @include read: the plan's shape depends on their values."""
    found: dict[str, None] = {}

    class Directives(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    found[argument.value.name.value] = None

    visit(document, Directives())
    return tuple(found)
