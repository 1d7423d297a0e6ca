"""The assembled schema, and its SDL as exported to schema.graphql.

Built by the API from its settings, since the limits are configuration; the
SDL does not depend on them.
"""

from datetime import date, datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.compiled_reads import CompiledReads
from schema.errors import MaskUnexpectedErrors, RequestErrorCodes, log_errors
from schema.limits import Limits, limit_extensions
from schema.mutation import Mutation
from schema.mutations.invoice_batches import InvoiceBatchVariables
from schema.operation import RecordOperation
from schema.query import Query
from schema.scalars import DAY, EXACT_DECIMAL, INSTANT
from schema.subscription import Subscription
from schema.types.entries.rows import ENTRY_TYPES


class RapportSchema(strawberry.Schema):
    """Errors are logged our way: Strawberry's own way logs each at ERROR with the query text."""

    compiled_reads: CompiledReads

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, getattr(execution_context and execution_context.context, "request_id", None))


def build_schema(limits: Limits | None, compiled: str = "off") -> RapportSchema:
    """The schema; without limits only for its SDL, never to serve. `compiled`: RAPPORT_COMPILED_READS."""
    reads = CompiledReads(compiled, limits.max_cost if limits else 0)
    schema = RapportSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(ENTRY_TYPES),
        # RequestErrorCodes first, so it labels the errors after every other extension has added its own.
        extensions=[
            RequestErrorCodes,
            MaskUnexpectedErrors,
            RecordOperation,
            InvoiceBatchVariables,
            *(limit_extensions(limits) if limits else ()),
            # Last, so it runs after every limit and only where the executor would have run.
            reads.extension(),
        ],
        scalar_overrides={Decimal: EXACT_DECIMAL, datetime: INSTANT, date: DAY},
    )
    reads.attach(schema._schema)
    schema.compiled_reads = reads
    return schema


def export_sdl() -> str:
    return build_schema(None).as_str() + "\n"
