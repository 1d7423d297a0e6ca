"""Who is calling: the bearer token, looked up by its hash on every request.

No cache, so a revoked token stops working on the very next request.
"""

from starlette.requests import HTTPConnection

from domain.tokens import token_hash
from store import users


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(connection: HTTPConnection) -> users.User | None:
    token = bearer_token(connection.headers.get("authorization"))
    if token is None:
        return None
    async with connection.app.state.pool.acquire() as conn:
        return await users.user_for_token(conn, token_hash(token))
