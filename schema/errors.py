"""Errors a client may see, the mask over every other one, and what the log says of each.

An exception that is not a PublicError is a bug or an outage: its text may hold
SQL, paths or row data, so the client gets INTERNAL_SERVER_ERROR with the
request id, and the traceback goes to the server log under that id.

A client's mistake (a typo in a field, a bad id or cursor, a document that does
not parse) is not the server's: it is one INFO line with the request id and the
error codes, without the message, which may quote what the client sent.
"""

import logging
from collections.abc import Iterable, Iterator

from graphql import GraphQLError, VariableDefinitionNode
from strawberry.extensions import MaskErrors, SchemaExtension

from store.db import UNAVAILABLE as UNAVAILABLE  # the api edge catches it from here
from store.db import unavailable

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
        if unavailable(error.original_error):
            message, code = "The database is unavailable; try again shortly.", "SERVICE_UNAVAILABLE"
        else:
            message, code = self.error_message, "INTERNAL_SERVER_ERROR"
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code, "requestId": request_id},
        )


def _give_code(errors: Iterable[GraphQLError] | None, code: str) -> None:
    for error in errors or ():
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": code}


def _code_variable_errors(result: object) -> None:
    """Graphql-core reports a variable that does not coerce at its definition, before execution."""
    errors = getattr(result, "errors", None) or ()
    _give_code(
        [e for e in errors if e.path is None and isinstance((e.nodes or [None])[0], VariableDefinitionNode)],
        "BAD_USER_INPUT",
    )


class RequestErrorCodes(SchemaExtension):
    """An extensions.code for errors found before anything runs, named as GraphQL servers name them.

    A client can then tell a document it must fix (GRAPHQL_PARSE_FAILED: not
    GraphQL; GRAPHQL_VALIDATION_FAILED: not valid against the schema or a limit)
    from values it must fix (BAD_USER_INPUT: variables that do not coerce to
    their types). Graphql-core gives these no code; an error with one keeps it.
    Each phase codes its own errors as it ends, so a validation error about a
    variable (one never used) is not taken for a coercion failure later.
    """

    def on_parse(self) -> Iterator[None]:
        yield
        _give_code(self.execution_context.pre_execution_errors, "GRAPHQL_PARSE_FAILED")

    def on_validate(self) -> Iterator[None]:
        yield
        _give_code(self.execution_context.pre_execution_errors, "GRAPHQL_VALIDATION_FAILED")

    def on_execute(self) -> Iterator[None]:
        yield
        _code_variable_errors(self.execution_context.result)

    def on_stream_result(self, result: object) -> Iterator[None]:
        """A subscription's variables are coerced outside on_execute; its results all pass here."""
        _code_variable_errors(result)
        yield


def error_code(error: GraphQLError) -> str:
    return (error.extensions or {}).get("code", "GRAPHQL_ERROR")


def outcome(errors: list[GraphQLError] | None) -> str:
    """For the request log: whether a request went through, and whose fault it was if not."""
    codes = {error_code(error) for error in errors or ()}
    if not codes:
        return "ok"
    return "server_error" if codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"} else "client_error"


def log_errors(errors: list[GraphQLError], request_id: str | None) -> None:
    """The log's account of a request's errors, before they are masked.

    Neither an error's message nor its source goes to the log: graphql-core quotes
    the document (and so the free text in its literals) and coercion errors quote
    variable values. An outage is a warning naming the exception type; a bug is
    an error with the traceback (the log formatter keeps client data out of it).
    """
    client_codes = []
    for error in errors:
        original = error.original_error
        if not _is_unexpected(error):
            client_codes.append(error_code(error))
        elif unavailable(original):
            log.warning(
                "database unavailable at %s (request %s): %s", error.path, request_id, type(original).__name__
            )
        else:
            log.error("unexpected error at %s (request %s)", error.path, request_id, exc_info=original)
    if client_codes:
        log.info("client error (request %s): %s", request_id, ", ".join(client_codes))
