"""The assembled schema, and its SDL as exported to schema.graphql."""

import strawberry

from schema.errors import MaskUnexpectedErrors
from schema.mutation import Mutation
from schema.operation import RecordOperation
from schema.query import Query
from schema.types.entry import ENTRY_TYPES

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=list(ENTRY_TYPES),
    extensions=[MaskUnexpectedErrors, RecordOperation],
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
