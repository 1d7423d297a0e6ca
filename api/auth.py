"""Who is calling: one of our API tokens, or a JWT from the company's identity provider.

Nothing is cached between requests: an API token is looked up by its hash and
the user a JWT names by email, every time, so a revoked token or a disabled
user stops working on the very next request. HTTP requests and websocket
connections (and the re-checks of a long-lived subscription) all go through
Authenticator.user.
"""

import logging

import asyncpg

from api.identity import Identity, InvalidToken, JwtVerifier, looks_like_jwt
from api.settings import JwtSettings
from domain.tokens import PREFIX, token_hash
from domain.validation import NAME_MAX
from store import identities, users

log = logging.getLogger("rapport.auth")


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthenticated_reason(authorization: str | None) -> str:
    """Why a caller with this Authorization header was not let in, so a client knows what to fix.

    A refused token is not told apart further: whether it never existed, was
    revoked, or names a disabled user is not for an unauthenticated caller to learn.
    """
    if not (authorization or "").strip():
        return "The Authorization header is missing; send `Authorization: Bearer <token>`."
    if bearer_token(authorization) is None:
        return "The Authorization header has no bearer token; send `Authorization: Bearer <token>`."
    return "The bearer token is not valid: it is unknown, revoked or expired, or its user is disabled."


class Authenticator:
    def __init__(self, pool: asyncpg.Pool, jwt_settings: JwtSettings | None) -> None:
        self.pool = pool
        self.verifier = JwtVerifier(jwt_settings) if jwt_settings else None
        self.provision_team = jwt_settings.provision_team if jwt_settings else None

    async def user(self, token: str | None) -> users.User | None:
        """The caller, or None for a missing, unknown, revoked, expired or forged token.

        Raises when the answer cannot be known: the database is unavailable
        (schema.errors.UNAVAILABLE) or the provider's keys cannot be fetched
        (api.identity.IdentityUnavailable).
        """
        if not token:
            return None
        if self.verifier is not None and not token.startswith(PREFIX) and looks_like_jwt(token):
            try:
                identity = await self.verifier.verify(token)
            except InvalidToken as error:
                log.info("identity-provider token refused: %s", error)
                return None
            return await self._user_named(identity)
        async with self.pool.acquire() as conn:
            return await users.user_for_token(conn, token_hash(token))

    async def _user_named(self, identity: Identity) -> users.User | None:
        async with self.pool.acquire() as conn:
            user = await identities.enabled_user_by_email(conn, identity.email)
            if user is None and self.provision_team is not None:
                name = (identity.name or "").strip()[:NAME_MAX] or identity.email.split("@")[0]
                user = await identities.provision_user(
                    conn, email=identity.email, name=name, team=self.provision_team
                )
                if user is not None:
                    log.info("provisioned %s in team %s on first sign-in", user.email, user.team.value)
        if user is None:
            log.info("identity-provider token for %s names no enabled user", identity.email)
        return user

    async def aclose(self) -> None:
        if self.verifier is not None:
            await self.verifier.aclose()
