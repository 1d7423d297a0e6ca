"""Errors a client may see, and the mask over every other one.

An exception that is not a PublicError is a bug or an outage: its text may hold
SQL, paths or row data, so the client gets INTERNAL_SERVER_ERROR with the
request id, and the traceback goes to the server log under that id.
"""

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from store.db import UNAVAILABLE

log = logging.getLogger("rapport.errors")


class PublicError(Exception):
    """An error whose message is written for the client; `code` goes to extensions."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions = {"code": self.code}


class Forbidden(PublicError):
    """The caller's team may not read this."""

    code = "FORBIDDEN"


class InvalidArgument(PublicError):
    """An argument is malformed, e.g. a tampered cursor or an id of the wrong type."""

    code = "INVALID"


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, PublicError | GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Replace unexpected errors by INTERNAL_SERVER_ERROR, logging the original."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", None)
        if isinstance(error.original_error, UNAVAILABLE):
            log.warning(
                "database unavailable at %s (request %s): %r", error.path, request_id, error.original_error
            )
            message, code = "The database is unavailable; try again shortly.", "SERVICE_UNAVAILABLE"
        else:
            log.error(
                "unexpected error at %s (request %s)", error.path, request_id, exc_info=error.original_error
            )
            message, code = self.error_message, "INTERNAL_SERVER_ERROR"
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code, "requestId": request_id},
        )
