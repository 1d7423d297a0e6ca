"""No response ever carries SQL, a stack trace or row data; bad input is a clear 4xx or userError."""

import logging

import asyncpg
import strawberry

from schema.app_schema import RapportSchema
from schema.errors import MaskUnexpectedErrors, PublicError


class Context:
    request_id = "req-1"


@strawberry.type
class Query:
    @strawberry.field
    def leaky(self) -> str:
        raise RuntimeError('relation "secret_table" does not exist: SELECT card FROM secret_table')

    @strawberry.field
    def down(self) -> str:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    @strawberry.field
    def unencodable(self) -> str:
        raise asyncpg.DataError("invalid input for query argument $1: 'x' (an integer is required)")

    @strawberry.field
    def public(self) -> str:
        raise PublicError("you asked for something odd")


masked = RapportSchema(query=Query, extensions=[MaskUnexpectedErrors])


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(caplog):
    caplog.set_level(logging.ERROR, logger="rapport.errors")
    result = await masked.execute("{ leaky }", context_value=Context())
    error = result.errors[0].formatted
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
    assert "secret_table" not in str(result.errors)
    assert any("req-1" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_database_outage_says_so_without_details():
    result = await masked.execute("{ down }", context_value=Context())
    error = result.errors[0].formatted
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "starting up" not in error["message"]


async def test_an_argument_asyncpg_cannot_encode_is_our_bug_not_an_outage(caplog):
    """DataError subclasses InterfaceError, as a closed connection does; a retry would never help."""
    caplog.set_level(logging.ERROR, logger="rapport.errors")
    result = await masked.execute("{ unencodable }", context_value=Context())
    error = result.errors[0].formatted
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "integer" not in error["message"]


async def test_a_public_error_keeps_its_message():
    result = await masked.execute("{ public }", context_value=Context())
    assert result.errors[0].formatted["message"] == "you asked for something odd"


async def test_a_nul_character_is_refused_before_it_reaches_postgres(admin):
    response = await admin.post(
        "query ($name: String) { accounts(filter: {nameContains: $name}) { edges { cursor } } }",
        {"name": "a\u0000b"},
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"][0]["message"]


async def test_an_unreachable_database_is_a_clear_503(settings, make_caller):
    from dataclasses import replace

    import httpx

    from api.app import create_app

    caller = await make_caller()
    app = create_app(replace(settings, db_pool_min=1))
    async with app.router.lifespan_context(app):
        await app.state.pool.close()  # the database is gone for this app: both its pools
        await app.state.read_pool.close()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post(
                "/graphql",
                json={"query": "{ me { email } }"},
                headers={"Authorization": f"Bearer {caller.token}"},
            )
        app.state.pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
        app.state.read_pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
