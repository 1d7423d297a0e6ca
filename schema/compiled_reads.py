"""Where the compiler meets the executor: after parse and validation, before execution.

`on` answers a compilable query with the compiler's statement, handing its
JSON text through unparsed (orjson.Fragment), and everything else to the
executor. `shadow` runs both, serves the executor's answer, and counts and
logs (the operation's name, never data) any difference: the way to turn the
compiler on for real traffic without trusting it first. `off` never compiles.

Only queries over HTTP are compiled: mutations, subscriptions and anything on
a websocket go to the executor. Rate limits, auth and document limits ran
before this point, and the request log and metrics read `read_path`.
"""

import logging
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import orjson
from graphql import GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.str_converters import to_snake_case

from compiler.plans import Compiler, Prepared, Readers, run
from schema import ids, pagination
from schema.context import Context
from schema.errors import UNAVAILABLE, InvalidArgument
from schema.limits import cost_error
from schema.moments import day
from schema.types.entries.rows import TYPE_OF_KIND
from schema.types.entries.timeline import TimelineFilter
from schema.types.invoice import today
from store import accounts, entries

log = logging.getLogger("rapport.compiled_reads")

MODES = ("on", "off", "shadow")
# SQLSTATE classes of a statement that should never have been written: syntax or access rule,
# data exception, cardinality (a subquery's second row), feature not supported.
_COMPILER_BUGS = frozenset({"42", "22", "21", "0A"})


def _timeline_filter(raw: dict | None) -> entries.TimelineFilter:
    if not raw:
        return entries.TimelineFilter()
    return TimelineFilter(**{to_snake_case(name): value for name, value in raw.items()}).to_store()


# Node types only the executor reads (an inbox item is its holder's own): node(id) of one falls back.
EXECUTOR_NODES = frozenset({"InboxItem"})


def _node_id(global_id: str) -> tuple[str, UUID]:
    found = ids.decode(global_id)
    if found[0] in EXECUTOR_NODES:
        raise InvalidArgument(f"{found[0]} ids are read by the executor.")
    return found


def _entry_types() -> dict[str, tuple[str, ...]]:
    types: dict[str, tuple[str, ...]] = {}
    for kind, cls in TYPE_OF_KIND.items():
        name = cls.__strawberry_definition__.name
        types[name] = (*types.get(name, ()), kind.value)
    return types


READERS = Readers(
    page_size=pagination.page_size,
    cursor=pagination.decode,
    global_id=_node_id,
    id_of=ids.decode_as,
    timeline_filter=_timeline_filter,
    name_pattern=accounts.name_pattern,
    today=today,
    day=day,
    entry_types=_entry_types(),
    TIMESTAMP=pagination.TIMESTAMP,
    DAY=pagination.DAY,
    TEXT=pagination.TEXT,
    ID=pagination.ID,
)


class CompiledReads:
    """The compiler of one served schema, and the two places it answers from.

    The executor's way (Strawberry parses, validates, then `extension` answers
    in place of the executor) sees every document first; a document it found
    valid is remembered, and the next request with the same text is answered
    by `answer` straight from the HTTP endpoint, skipping Strawberry: its parse
    and validation would give the same verdict, and only the cost depends on
    the variables, so the cost is checked again.
    """

    def __init__(self, mode: str, max_cost: int) -> None:
        if mode not in MODES:
            raise ValueError(f"compiled reads mode {mode!r}")
        self.mode = mode
        self.max_cost = max_cost
        self.compiler: Compiler | None = None

    def attach(self, schema: GraphQLSchema) -> None:
        self.compiler = Compiler(schema, READERS)

    async def answer(
        self, query: str, operation_name: str | None, variables: dict | None, context: Context
    ) -> str | None:
        """The `data` of a query seen valid before, as JSON text; None: let Strawberry handle the request."""
        if self.mode != "on" or self.compiler is None:
            return None
        prepared = self.compiler.known(query, operation_name)
        if prepared is None or self._too_costly(prepared, variables):
            return None
        answer = await _compiled(self.compiler, prepared, query, variables, context)
        if answer is not None:
            context.operation_name, context.operation_type = prepared.name, OperationType.QUERY.value
            context.read_path = "compiled"
        return answer

    def _too_costly(self, prepared: Prepared, variables: dict | None) -> bool:
        """The cost was checked when the document was validated; only page sizes in variables change it."""
        if not prepared.page_sizes:
            return False
        return cost_error(self.compiler.schema, prepared.document, variables, self.max_cost) is not None

    def extension(self) -> type[SchemaExtension]:
        reads = self

        class CompiledReadsExtension(SchemaExtension):
            async def on_execute(self) -> AsyncIterator[None]:
                execution = self.execution_context
                context = execution.context
                if (
                    reads.mode == "off"
                    or reads.compiler is None
                    or execution.operation_type != OperationType.QUERY
                    or getattr(context, "websocket", None) is not None
                ):
                    yield
                    return
                prepared = reads.compiler.prepare(
                    execution.query, execution.operation_name, execution.graphql_document
                )
                answer = prepared and await _compiled(
                    reads.compiler, prepared, execution.query, execution.variables, context
                )
                if answer is None:
                    context.read_path = "fallback"
                    yield
                    return
                if reads.mode == "on":
                    context.read_path = "compiled"
                    execution.result = ExecutionResult(data=orjson.Fragment(answer), errors=None)
                    yield
                    return
                context.read_path = "shadow"
                yield
                _compare(answer, execution.result, context)

        return CompiledReadsExtension


def _compare(answer: str, result: ExecutionResult | None, context: Context) -> None:
    """Shadow mode: count and log (never the data) a compiled answer that differs from the executor's.

    An executor that failed (the database went away mid-request) has no answer to compare.
    """
    if result is None or result.errors or orjson.loads(answer) == result.data:
        return
    context.read_mismatch = True
    log.warning(
        "compiled read differs from the executor's (operation %s, request %s)",
        context.operation_name or "anonymous",
        context.request_id,
    )


async def _compiled(
    compiler: Compiler, prepared: Prepared, query: str, variables: dict | None, context: Context
) -> str | None:
    """The compiled `data` as JSON text; None when the executor must answer."""
    planned = compiler.plan(prepared, query, variables, context.sees_restricted)
    if planned is None:
        return None
    plan, coerced = planned
    values = compiler.bind(plan, coerced, context.user.id)
    if values is None:
        return None
    try:
        async with (context.read_pool or context.pool).acquire() as conn:
            return await run(conn, plan, values)
    except UNAVAILABLE:
        return None  # the executor meets the outage too, and reports it as such
    except asyncpg.PostgresError as error:
        # The executor still answers. A statement Postgres refuses is a compiler bug, never the client's
        # doing; anything else (a lock or statement timeout) the executor meets too, and reports.
        level = logging.ERROR if error.sqlstate[:2] in _COMPILER_BUGS else logging.WARNING
        log.log(level, "compiled read failed with %s (SQLSTATE %s)", type(error).__name__, error.sqlstate)
        return None
