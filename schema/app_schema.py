"""The assembled schema, and its SDL as exported to schema.graphql.

Built by the API from its settings, since the limits are configuration; the
SDL does not depend on them.
"""

from datetime import datetime
from decimal import Decimal

import strawberry

from schema.errors import MaskUnexpectedErrors
from schema.limits import Limits, limit_extensions
from schema.mutation import Mutation
from schema.operation import RecordOperation
from schema.query import Query
from schema.scalars import EXACT_DECIMAL, INSTANT
from schema.subscription import Subscription
from schema.types.entry import ENTRY_TYPES


def build_schema(limits: Limits | None) -> strawberry.Schema:
    """The schema; without limits only for its SDL, never to serve."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(ENTRY_TYPES),
        extensions=[MaskUnexpectedErrors, RecordOperation, *(limit_extensions(limits) if limits else ())],
        scalar_overrides={Decimal: EXACT_DECIMAL, datetime: INSTANT},
    )


def export_sdl() -> str:
    return build_schema(None).as_str() + "\n"
