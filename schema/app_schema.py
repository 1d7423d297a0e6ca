"""The assembled schema, and its SDL as exported to schema.graphql."""

import strawberry

from schema.errors import MaskUnexpectedErrors
from schema.query import Query

schema = strawberry.Schema(query=Query, extensions=[MaskUnexpectedErrors])


def export_sdl() -> str:
    return schema.as_str() + "\n"
