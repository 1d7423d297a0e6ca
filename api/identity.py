"""Identity-provider JWTs: signature, issuer, audience and expiry checked, then the email they name.

HS256 tokens are checked against a shared secret; RS256/ES256 tokens against
the provider's public keys from its JWKS URL. The accepted algorithms follow
from the configured key, never from the token, so `alg: none` or an HS256
token signed with a public key is refused. Keys are cached; a token naming an
unknown `kid` makes us fetch the set again (the provider rotated its keys),
at most once per JWKS_MIN_REFRESH_SECONDS so that made-up kids cannot turn us
into a flood of requests to the provider.
"""

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from api.settings import JwtSettings

if TYPE_CHECKING:
    import jwt

log = logging.getLogger("rapport.identity")

JWKS_TIMEOUT_SECONDS = 3.0
JWKS_MAX_AGE_SECONDS = 600.0  # refetch anyway this often, so a withdrawn key stops working
JWKS_MIN_REFRESH_SECONDS = 2.0
JWKS_ALGORITHMS = frozenset({"RS256", "ES256"})
EMAIL_MAX = 320
# The provider vouches for the address; we only make sure it is one address and safe to store.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")


class InvalidToken(Exception):
    """The token does not prove an identity; the message is for the server log only."""


class IdentityUnavailable(Exception):
    """The provider's keys cannot be fetched, so the token can be neither accepted nor refused."""


@dataclass(frozen=True, slots=True)
class Identity:
    email: str
    name: str | None


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


class JwksKeys:
    """The provider's signing keys by `kid`, fetched with a short timeout and cached."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = httpx.AsyncClient(timeout=JWKS_TIMEOUT_SECONDS, follow_redirects=False)
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._tried_at = float("-inf")  # last attempt, successful or not
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> "jwt.PyJWK":
        stale = self._fetched_at is None or time.monotonic() - self._fetched_at > JWKS_MAX_AGE_SECONDS
        if stale and self._may_fetch():
            await self._refresh(self._tried_at)
        key = self._lookup(kid)
        if key is None and self._may_fetch():
            await self._refresh(self._tried_at)  # rotated keys
            key = self._lookup(kid)
        if key is None and not self._keys:
            raise IdentityUnavailable(f"no keys from the JWKS at {self.url} yet")
        if key is None:
            raise InvalidToken(f"no key with kid {kid!r} in the JWKS")
        return key

    def _may_fetch(self) -> bool:
        return time.monotonic() - self._tried_at >= JWKS_MIN_REFRESH_SECONDS

    def _lookup(self, kid: str | None) -> "jwt.PyJWK | None":
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    async def _refresh(self, seen: float) -> None:
        """Fetch the set, unless another request did since we looked (`seen`: the last attempt then).

        On failure the keys we have keep serving until the provider answers again.
        """
        async with self._lock:
            if self._tried_at != seen:
                return
            self._tried_at = time.monotonic()
            try:
                response = await self._client.get(self.url, headers={"Accept": "application/json"})
                response.raise_for_status()
                keys = _signing_keys(response.json()["keys"])
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                log.warning("cannot fetch the JWKS from %s: %r", self.url, error)
                return
            self._keys, self._fetched_at = keys, time.monotonic()

    async def aclose(self) -> None:
        await self._client.aclose()


def _signing_keys(entries: list[dict]) -> "dict[str | None, jwt.PyJWK]":
    """The RS256/ES256 signing keys of a JWKS by kid; keys of other types are left out."""
    import jwt

    keys = {}
    for data in entries:
        if not isinstance(data, dict) or data.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(data)
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            continue
        if key.algorithm_name in JWKS_ALGORITHMS:
            keys[data.get("kid")] = key
    return keys


class JwtVerifier:
    def __init__(self, settings: JwtSettings) -> None:
        self.settings = settings
        self.jwks = JwksKeys(settings.jwks_url) if settings.jwks_url else None

    async def verify(self, token: str) -> Identity:
        """The identity a valid token names; InvalidToken says why a token is refused."""
        import jwt  # PyJWT and cryptography only in a server that takes JWTs (10 MB a process)

        try:
            header = jwt.get_unverified_header(token)
            if self.jwks is None:
                key, algorithms = self.settings.secret, ["HS256"]
            else:
                kid = header.get("kid")
                if header.get("alg") not in JWKS_ALGORITHMS or not isinstance(kid, str | None):
                    raise InvalidToken(f"alg {header.get('alg')!r} or kid {kid!r} is not accepted")
                key = await self.jwks.key(kid)
                algorithms = [key.algorithm_name]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud"], "enforce_minimum_key_length": True},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        return _identity(claims)

    async def aclose(self) -> None:
        if self.jwks is not None:
            await self.jwks.aclose()


def _identity(claims: dict) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or not _EMAIL.fullmatch(email) or len(email) > EMAIL_MAX:
        raise InvalidToken("the token has no usable email claim")
    if claims.get("email_verified", True) is not True:
        raise InvalidToken("the token's email is not verified")
    name = claims.get("name")
    return Identity(email=email, name=name if isinstance(name, str) and name.isprintable() else None)
