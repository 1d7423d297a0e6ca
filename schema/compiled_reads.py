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

import asyncpg
import orjson
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.str_converters import to_snake_case

from compiler.plans import Compiler, Readers, run
from schema import ids, pagination
from schema.errors import UNAVAILABLE
from schema.types.entries.rows import TYPE_OF_KIND
from schema.types.entries.timeline import TimelineFilter
from schema.types.invoice import today
from store import accounts, entries

log = logging.getLogger("rapport.compiled_reads")

MODES = ("on", "off", "shadow")


def _timeline_filter(raw: dict | None) -> entries.TimelineFilter:
    if not raw:
        return entries.TimelineFilter()
    return TimelineFilter(**{to_snake_case(name): value for name, value in raw.items()}).to_store()


def _entry_types() -> dict[str, tuple[str, ...]]:
    types: dict[str, tuple[str, ...]] = {}
    for kind, cls in TYPE_OF_KIND.items():
        name = cls.__strawberry_definition__.name
        types[name] = (*types.get(name, ()), kind.value)
    return types


READERS = Readers(
    page_size=pagination.page_size,
    cursor=pagination.decode,
    global_id=ids.decode,
    id_of=ids.decode_as,
    timeline_filter=_timeline_filter,
    name_pattern=accounts.name_pattern,
    today=today,
    entry_types=_entry_types(),
    TIMESTAMP=pagination.TIMESTAMP,
    DAY=pagination.DAY,
    TEXT=pagination.TEXT,
    ID=pagination.ID,
)


def compiled_reads(mode: str) -> type[SchemaExtension]:
    """The extension for a mode; one compiler (and plan cache) per schema."""
    shared: dict[str, Compiler] = {}

    class CompiledReads(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            execution = self.execution_context
            context = execution.context
            if (
                mode == "off"
                or execution.operation_type != OperationType.QUERY
                or getattr(context, "websocket", None) is not None
            ):
                yield
                return
            compiler = shared.get("compiler")
            if compiler is None:
                compiler = shared["compiler"] = Compiler(self.execution_context.schema._schema, READERS)
            answer = await _compiled(compiler, execution, context)
            if answer is None:
                context.read_path = "fallback"
                yield
                return
            if mode == "on":
                context.read_path = "compiled"
                execution.result = ExecutionResult(data=orjson.Fragment(answer), errors=None)
                yield
                return
            context.read_path = "shadow"
            yield
            result = execution.result
            if result is None or result.errors or orjson.loads(answer) != result.data:
                context.read_mismatch = True
                log.warning(
                    "compiled read differs from the executor's (operation %s, request %s)",
                    context.operation_name or "anonymous",
                    context.request_id,
                )

    return CompiledReads


async def _compiled(compiler: Compiler, execution: object, context: object) -> str | None:
    """The compiled `data` as JSON text; None when the executor must answer."""
    planned = compiler.plan(
        execution.query,
        execution.graphql_document,
        execution.operation_name,
        execution.variables,
        context.sees_restricted,
    )
    if planned is None:
        return None
    plan, variables = planned
    values = compiler.bind(plan, variables, context.user.id)
    if values is None:
        return None
    try:
        async with context.pool.acquire() as conn:
            return await run(conn, plan, values)
    except UNAVAILABLE:
        return None  # the executor meets the outage too, and reports it as such
    except asyncpg.PostgresError as error:
        # A compiler bug, never the client's doing: the executor still answers.
        log.error("compiled read failed with %s (SQLSTATE %s)", type(error).__name__, error.sqlstate)
        return None
