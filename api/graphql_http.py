"""GraphQL over HTTP, as the GraphQL-over-HTTP spec and its audit suite read it.

Strawberry's own HTTP view answers only application/json, so parse and
validation failures come back 200 with a `data` entry; this endpoint does the
transport itself and hands execution to the Strawberry schema. Conventions:

- POST with `Content-Type: application/json`, or GET with query parameters
  (queries only: a mutation over GET is 405). A browser GET (Accept: text/html)
  gets GraphiQL.
- The response type follows Accept: `application/graphql-response+json` when
  the client asks for it, else `application/json`.
- A malformed request (bad JSON, missing or non-string query, bad variables,
  parse or validation failure, variables that do not coerce) is a request
  error: 400 under graphql-response+json, 200 under application/json; either
  way the body has `errors` and no `data`.
- No valid bearer token: a request error with extensions.code
  UNAUTHENTICATED; 200 under application/json, 401 under graphql-response+json.
- Batching (a JSON array) is refused with 400; a body over max_body_bytes
  (RAPPORT_MAX_BODY_BYTES) is 413, found out without reading more of it.
- The caller is identified from the Authorization header before the body is
  read, and then takes a token from its rate-limit bucket (per user, or per
  client IP without a valid token): an empty bucket is 429 with Retry-After and
  extensions.code RATE_LIMITED, whatever the Accept.
- A persisted query's hash may stand for its text (api/persisted_queries.py:
  APQ, and trusted documents under RAPPORT_TRUSTED_DOCUMENTS).
- GET /graphql/schema.graphql serves the SDL to any authenticated caller, also
  with introspection off, so that client code generators work in production.
- Anything unexpected is INTERNAL_SERVER_ERROR with the request id, the
  traceback in the log only; never a bare 500.
"""

import asyncio
import logging
import re
import time
import uuid

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from api import graphiql, metrics
from api.auth import bearer_token, unauthenticated_reason
from api.identity import IdentityUnavailable
from api.persisted_queries import DocumentRefused
from api.rate_limit import bucket_key, retry_after
from schema.context import Context
from schema.errors import UNAVAILABLE, error_code, outcome
from store.db import counting_queries
from store.users import User

log = logging.getLogger("rapport.http")

# A NUL as a raw character or as a GraphQL escape (\u0000, \u{0}): Postgres text cannot hold it.
_NUL_IN_DOCUMENT = re.compile(r"\x00|\\u0000|\\u\{0+\}")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
AUTH_TIMEOUT_SECONDS = 5.0


class RequestError(Exception):
    """The request cannot be executed; `status` applies under graphql-response+json."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "BAD_REQUEST",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers or {}


def _response_type(request: Request) -> str | None:
    """The media type to answer with, or None when Accept allows neither of ours."""
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    offered = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for media in offered:
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return None


def _wants_ide(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept and "query" not in request.query_params


def _json_param(raw: str, name: str) -> object:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestError(f"The {name} parameter is not valid JSON.") from None


def _size(limit: int) -> str:
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"


async def _body(request: Request, limit: int) -> bytes:
    too_large = RequestError(f"The request body is larger than the limit of {_size(limit)}.", status=413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _params(request: Request, max_body_bytes: int) -> dict:
    if request.method == "GET":
        params: dict = dict(request.query_params)
        for name in ("variables", "extensions"):
            if isinstance(params.get(name), str) and params[name]:
                params[name] = _json_param(params[name], name)
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestError("POST requests must have Content-Type: application/json.", status=415)
    body = await _body(request, max_body_bytes)
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError("The request body is not valid JSON.") from None
    if isinstance(params, list):
        raise RequestError("Batched requests are not supported; send one operation per request.")
    if not isinstance(params, dict):
        raise RequestError("The request body must be a JSON object.")
    return params


def _check(params: dict) -> tuple[str | None, dict | None, str | None, dict | None]:
    """The request's parts; the query may be missing when a persisted query's hash stands for it."""
    query = params.get("query")
    persisted = isinstance(params.get("extensions"), dict) and "persistedQuery" in params["extensions"]
    if not (isinstance(query, str) and query.strip()) and not (query is None and persisted):
        raise RequestError("The request needs a `query` string.")
    if (query and _NUL_IN_DOCUMENT.search(query)) or (
        params.get("variables") and b"\\u0000" in orjson.dumps(params["variables"])
    ):
        raise RequestError("The request contains a NUL character, which no field accepts.")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError("`operationName` must be a string or null.")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError("`variables` must be an object or null.")
    extensions = params.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError("`extensions` must be an object or null.")
    return query, variables, operation_name, extensions


def _is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable-coercion failures: nothing was executed.

    Field errors always carry a path; errors before execution never do.
    """
    if isinstance(result, PreExecutionError):
        return True
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)


def _encode(payload: dict, media: str, status: int, request_id: str, **headers: str) -> Response:
    return Response(
        orjson.dumps(payload),
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers={"X-Request-Id": request_id, **headers},
    )


def _error_payload(message: str, code: str, **extensions: str) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


async def _identify(request: Request, request_id: str) -> User | None:
    """The caller, None without a valid token; a 503 RequestError when that cannot be known now."""
    token = bearer_token(request.headers.get("authorization"))
    try:
        async with asyncio.timeout(AUTH_TIMEOUT_SECONDS):  # unlike wait_for, no task per request
            return await request.app.state.authenticator.user(token)
    except UNAVAILABLE:
        log.warning("database unavailable while authenticating (request %s)", request_id)
        message = "The database is unavailable; try again shortly."
    except IdentityUnavailable as error:
        log.warning("%s (request %s)", error, request_id)
        message = "The identity provider's signing keys cannot be fetched; try again shortly."
    raise RequestError(message, status=503, code="SERVICE_UNAVAILABLE")


def _take_rate_limit_token(request: Request, user: User | None) -> None:
    """One request from this caller's bucket: per user, or per client IP without a valid token."""
    limiter = request.app.state.limiter
    wait = limiter.take(bucket_key(request, user))
    if wait:
        seconds = retry_after(wait)
        raise RequestError(
            f"Too many requests: the rate limit is {limiter.per_second:g} per second with bursts of "
            f"{limiter.burst}; retry in {seconds} s.",
            status=429,
            code="RATE_LIMITED",
            headers={"Retry-After": seconds},
        )


async def graphql_endpoint(request: Request) -> Response:
    request_id = uuid.uuid4().hex
    try:
        return await _serve(request, request_id)
    except Exception:
        log.exception("unexpected error serving /graphql (request %s)", request_id)
        media = _response_type(request) or JSON
        payload = _error_payload("Internal server error.", "INTERNAL_SERVER_ERROR", requestId=request_id)
        return _encode(payload, media, 500, request_id)


async def schema_endpoint(request: Request) -> Response:
    """The exported SDL (what schema.graphql holds), for a caller with a valid token."""
    request_id = uuid.uuid4().hex
    try:
        user = await _identify(request, request_id)
        _take_rate_limit_token(request, user)
        if user is None:
            raise RequestError(
                unauthenticated_reason(request.headers.get("authorization")),
                status=401,
                code="UNAUTHENTICATED",
                headers={"WWW-Authenticate": "Bearer"},
            )
    except RequestError as error:
        payload = _error_payload(str(error), error.code)
        return _encode(payload, JSON, error.status, request_id, **error.headers)
    return Response(
        request.app.state.sdl,
        media_type="text/plain; charset=utf-8",
        headers={"X-Request-Id": request_id},
    )


async def _serve(request: Request, request_id: str) -> Response:
    settings = request.app.state.settings
    if request.method not in ("GET", "POST"):
        return Response(status_code=405, headers={"Allow": "GET, POST"})
    if settings.introspection and _wants_ide(request):
        return graphiql.page()
    media = _response_type(request)
    if media is None:
        return Response(
            f"Acceptable response types: {GRAPHQL_RESPONSE}, {JSON}.",
            status_code=406,
            media_type="text/plain",
        )
    strict = media == GRAPHQL_RESPONSE
    try:
        user = await _identify(request, request_id)
        _take_rate_limit_token(request, user)
        if user is None:
            raise RequestError(
                unauthenticated_reason(request.headers.get("authorization")),
                status=401,
                code="UNAUTHENTICATED",
                headers={"WWW-Authenticate": "Bearer"},
            )
        query, variables, operation_name, extensions = _check(await _params(request, settings.max_body_bytes))
        document = await request.app.state.documents.resolve(query, extensions)
        query = document.query
    except (RequestError, DocumentRefused) as error:
        unauthenticated = error.code == "UNAUTHENTICATED"
        status = 200 if unauthenticated and not strict else error.status
        return _encode(_error_payload(str(error), error.code), media, status, request_id, **error.headers)

    state = request.app.state
    context = Context(
        pool=state.pool,
        read_pool=state.read_pool,
        request_id=request_id,
        meili=state.meili,
        index_uid=state.index_uid,
        user=user,
        public_url=state.settings.public_url or str(request.base_url).rstrip("/"),
    )
    allowed = (
        {OperationType.QUERY}
        if request.method == "GET"
        else {
            OperationType.QUERY,
            OperationType.MUTATION,
        }
    )
    started = time.perf_counter()
    try:
        with counting_queries() as queries:
            # A query already seen valid is answered by its compiled statement, without Strawberry.
            answer = await state.schema.compiled_reads.answer(query, operation_name, variables, context)
            if answer is not None:
                result = ExecutionResult(data=orjson.Fragment(answer), errors=None)
            else:
                result = await state.schema.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=extensions,
                )
            await asyncio.sleep(0)  # let asyncpg report the last query
    except InvalidOperationTypeError:
        return _encode(
            _error_payload("Only queries may be sent with GET; use POST.", "BAD_REQUEST"),
            media,
            405,
            request_id,
            Allow="POST",
        )
    except CannotGetOperationTypeError as error:
        message = error.as_http_error_reason()
        return _encode(_error_payload(message, "BAD_REQUEST"), media, 400, request_id)

    if document.store and not _is_request_error(result):
        await request.app.state.documents.store(document)
    log.info(
        "graphql request",
        extra={
            "request_id": request_id,
            "operation": context.operation_name,
            "operation_type": context.operation_type,
            "user_id": str(user.id),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "queries": queries[0],
            "read_path": context.read_path,
            "outcome": outcome(result.errors),
        },
    )
    metrics.observe(
        context.operation_name,
        context.operation_type,
        time.perf_counter() - started,
        [error_code(e) for e in result.errors or []],
        context.read_path,
        context.read_mismatch,
    )
    payload: dict = {}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if _is_request_error(result):
        return _encode(payload, media, 400 if strict else 200, request_id)
    payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    return _encode(payload, media, 200, request_id)
