"""Identity-provider JWTs: HS256 with a secret, RS256/ES256 from a JWKS URL, mapped to users by email."""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from api import identity
from api import settings as settings_module
from api.settings import ConfigError, JwtSettings
from domain.teams import Team
from domain.tokens import token_hash
from store import users
from tests.conftest import app_client, free_port, serving

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
ISSUER = "https://idp.example.test/"
AUDIENCE = "rapport"
ME = "{ me { id email name team } }"
STRICT = {"Accept": "application/graphql-response+json"}
JWT_VARIABLES = [
    "RAPPORT_JWT_SECRET",
    "RAPPORT_JWKS_URL",
    "RAPPORT_JWT_ISSUER",
    "RAPPORT_JWT_AUDIENCE",
    "RAPPORT_JWT_LEEWAY_SECONDS",
    "RAPPORT_JWT_PROVISION_TEAM",
]


def hs256_settings(provision_team: Team | None = None) -> JwtSettings:
    return JwtSettings(
        secret=SECRET,
        jwks_url=None,
        issuer=ISSUER,
        audience=AUDIENCE,
        leeway_seconds=30,
        provision_team=provision_team,
    )


def claims(email: str, **changes) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "email": email, "iat": now, "exp": now + 300}
    return {name: value for name, value in {**base, **changes}.items() if value is not None}


def hs256(email: str, secret: str = SECRET, **changes) -> str:
    return jwt.encode(claims(email, **changes), secret, algorithm="HS256")


async def me(client, token: str, **headers: str) -> dict:
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}", **headers}
    )
    return response.json()


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def new_user(pool, team: Team = Team.AR) -> users.User:
    async with pool.acquire() as conn:
        return await users.add_user(conn, email=f"{uuid.uuid4().hex[:12]}@example.test", name="Jo", team=team)


async def users_named(pool, email: str) -> list:
    async with pool.acquire() as conn:
        return await conn.fetch("SELECT id, team, name FROM users WHERE lower(email) = lower($1)", email)


@pytest.fixture(scope="module")
async def idp(settings):
    """An API that accepts HS256 tokens and refuses unknown emails."""
    async with app_client(settings, jwt=hs256_settings()) as (_, client):
        yield client


@pytest.fixture(scope="module")
async def provisioning(settings):
    """An API that makes unknown emails SALES users."""
    async with app_client(settings, jwt=hs256_settings(Team.SALES)) as (_, client):
        yield client


async def test_a_valid_token_is_the_user_with_its_email(idp, pool):
    user = await new_user(pool)
    # when
    body = await me(idp, hs256(user.email.upper()))
    # then
    assert body["data"]["me"]["email"] == user.email
    assert body["data"]["me"]["team"] == "AR"


async def test_expiry_allows_a_small_clock_skew_and_no_more(idp, pool):
    user = await new_user(pool)
    now = int(time.time())
    assert "data" in await me(idp, hs256(user.email, exp=now - 10))
    assert code(await me(idp, hs256(user.email, exp=now - 60))) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("case", "forge"),
    [
        ("wrong issuer", lambda email: hs256(email, iss="https://evil.example.test/")),
        ("wrong audience", lambda email: hs256(email, aud="another-app")),
        ("bad signature", lambda email: hs256(email, secret="another-secret-that-is-long-enough-too")),
        ("no expiry", lambda email: hs256(email, exp=None)),
        ("not yet valid", lambda email: hs256(email, nbf=int(time.time()) + 600)),
        ("alg none", lambda email: jwt.encode(claims(email), None, algorithm="none")),
        ("unverified email", lambda email: hs256(email, email_verified=False)),
        ("no email", lambda email: jwt.encode({**claims(email), "email": None}, SECRET, algorithm="HS256")),
        ("garbage", lambda email: "not.a.jwt"),
    ],
)
async def test_a_forged_or_unusable_token_is_unauthenticated(idp, pool, case, forge):
    user = await new_user(pool)
    strict = await me(idp, forge(user.email), **STRICT)
    assert code(strict) == "UNAUTHENTICATED", case
    assert "data" not in strict


async def test_an_unknown_email_is_refused_and_not_signed_up(idp, pool):
    email = f"{uuid.uuid4().hex[:12]}@example.test"
    assert code(await me(idp, hs256(email))) == "UNAUTHENTICATED"
    assert await users_named(pool, email) == []


async def test_a_disabled_user_is_refused_on_the_next_request(idp, pool):
    user = await new_user(pool)
    token = hs256(user.email)
    assert "data" in await me(idp, token)
    # when
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
    # then
    assert code(await me(idp, token)) == "UNAUTHENTICATED"


async def test_api_tokens_keep_working_beside_jwts_and_revocation_still_applies(idp, make_caller, pool):
    caller = await make_caller()
    assert (await me(idp, caller.token))["data"]["me"]["email"] == caller.user.email
    async with pool.acquire() as conn:
        await users.revoke_token(conn, digest=token_hash(caller.token))
    assert code(await me(idp, caller.token)) == "UNAUTHENTICATED"


async def test_provisioning_creates_the_user_once_in_the_configured_team(provisioning, pool):
    email = f"{uuid.uuid4().hex[:12]}@example.test"
    token = hs256(email, name="Pat Provisioned")
    # when five first requests arrive at once
    bodies = await asyncio.gather(*(me(provisioning, token) for _ in range(5)))
    # then
    assert all("data" in body for body in bodies), bodies
    assert {body["data"]["me"]["id"] for body in bodies} == {bodies[0]["data"]["me"]["id"]}
    assert bodies[0]["data"]["me"]["team"] == "SALES"
    assert bodies[0]["data"]["me"]["name"] == "Pat Provisioned"
    assert len(await users_named(pool, email)) == 1


async def test_provisioning_does_not_revive_a_disabled_user(provisioning, pool):
    user = await new_user(pool)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
    assert code(await me(provisioning, hs256(user.email))) == "UNAUTHENTICATED"
    assert len(await users_named(pool, user.email)) == 1


class Jwks:
    """A JWKS endpoint on a local port: `keys` may change (rotation); `fetches` counts the requests."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                body = json.dumps({"keys": jwks.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"

    def publish(self, kid: str, private_key) -> None:
        algorithm = RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) else ECAlgorithm
        self.keys.append({**json.loads(algorithm.to_jwk(private_key.public_key())), "kid": kid, "use": "sig"})


@contextlib.contextmanager
def jwks_server() -> Iterator[Jwks]:
    jwks = Jwks()
    thread = threading.Thread(target=jwks.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield jwks
    finally:
        jwks.server.shutdown()
        jwks.server.server_close()


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signed(email: str, key, kid: str, algorithm: str = "RS256") -> str:
    return jwt.encode(claims(email), key, algorithm=algorithm, headers={"kid": kid})


def hmac_forgery(email: str, secret: bytes, kid: str) -> str:
    """An HS256 token keyed with `secret`, built by hand: PyJWT refuses to sign with a public key."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = part(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = part(json.dumps(claims(email)).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{part(signature)}"


@pytest.fixture(scope="module")
async def keys(settings):
    """An API that verifies RS256/ES256 tokens with keys from a local JWKS, and that JWKS."""
    with jwks_server() as jwks:
        rsa1, ec1 = rsa_key(), ec.generate_private_key(ec.SECP256R1())
        jwks.publish("rsa-1", rsa1)
        jwks.publish("ec-1", ec1)
        jwt_settings = JwtSettings(
            secret=None,
            jwks_url=jwks.url,
            issuer=ISSUER,
            audience=AUDIENCE,
            leeway_seconds=30,
            provision_team=None,
        )
        async with app_client(settings, jwt=jwt_settings) as (_, client):
            yield client, jwks, {"rsa-1": rsa1, "ec-1": ec1}


async def test_rs256_and_es256_tokens_are_verified_with_keys_fetched_once(keys, pool):
    client, jwks, private = keys
    user = await new_user(pool)
    fetches = jwks.fetches
    # when
    rs256 = [await me(client, signed(user.email, private["rsa-1"], "rsa-1")) for _ in range(3)]
    es256 = await me(client, signed(user.email, private["ec-1"], "ec-1", "ES256"))
    # then
    assert all(body["data"]["me"]["email"] == user.email for body in [*rs256, es256])
    assert jwks.fetches - fetches <= 1


async def test_an_unknown_kid_refreshes_the_keys_so_rotation_works(keys, pool):
    client, jwks, private = keys
    user = await new_user(pool)
    assert "data" in await me(client, signed(user.email, private["rsa-1"], "rsa-1"))
    # when the provider rotates to a new key
    rsa2 = rsa_key()
    jwks.keys = []
    jwks.publish("rsa-2", rsa2)
    jwks.publish("ec-1", private["ec-1"])
    await asyncio.sleep(identity.JWKS_MIN_REFRESH_SECONDS)
    fetches = jwks.fetches
    # then a token with the new kid is accepted after one fetch
    assert (await me(client, signed(user.email, rsa2, "rsa-2")))["data"]["me"]["email"] == user.email
    assert jwks.fetches == fetches + 1
    # and a made-up kid right after is refused without another fetch
    assert code(await me(client, signed(user.email, rsa_key(), "made-up"))) == "UNAUTHENTICATED"
    assert jwks.fetches == fetches + 1
    # and the withdrawn key no longer works
    assert code(await me(client, signed(user.email, private["rsa-1"], "rsa-1"))) == "UNAUTHENTICATED"


async def test_keys_from_the_jwks_do_not_accept_forgeries(keys, pool):
    client, _, private = keys
    user = await new_user(pool)
    public_pem = (
        private["ec-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    forgeries = {
        "another key under a known kid": signed(user.email, rsa_key(), "ec-1"),
        "HS256 keyed with the public key": hmac_forgery(user.email, public_pem, "ec-1"),
        "alg none": jwt.encode(claims(user.email), None, algorithm="none", headers={"kid": "ec-1"}),
    }
    for case, token in forgeries.items():
        assert code(await me(client, token)) == "UNAUTHENTICATED", case


async def test_an_unreachable_jwks_is_503_not_a_refusal(settings, pool):
    user = await new_user(pool)
    unreachable = JwtSettings(
        secret=None,
        jwks_url=f"http://127.0.0.1:{free_port()}/jwks.json",
        issuer=ISSUER,
        audience=AUDIENCE,
        leeway_seconds=30,
        provision_team=None,
    )
    async with app_client(settings, jwt=unreachable) as (_, client):
        response = await client.post(
            "/graphql",
            json={"query": ME},
            headers={"Authorization": f"Bearer {signed(user.email, rsa_key(), 'k')}"},
        )
    assert response.status_code == 503
    assert code(response.json()) == "SERVICE_UNAVAILABLE"


async def test_the_websocket_takes_jwts_and_closes_when_one_expires(settings, pool, tmp_path):
    user = await new_user(pool)
    env = {
        "RAPPORT_JWT_SECRET": SECRET,
        "RAPPORT_JWT_ISSUER": ISSUER,
        "RAPPORT_JWT_AUDIENCE": AUDIENCE,
        "RAPPORT_JWT_LEEWAY_SECONDS": "0",
    }
    with serving(settings, tmp_path / "serve.log", **env) as (url, _):
        account = await _account(url, hs256(user.email))

        async def connect(token: str):
            socket = await websockets.connect(
                url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10
            )
            await socket.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            return socket

        expired = await connect(hs256(user.email, exp=int(time.time()) - 5))
        assert await _close_code(expired) == 4403
        # when a token that expires in a few seconds subscribes
        socket = await connect(hs256(user.email, exp=int(time.time()) + 3))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        subscription = f'subscription {{ timeline(accountId: "{account}") {{ id }} }}'
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": subscription}}))
        # then the subscription's periodic check closes it
        assert await _close_code(socket, within=30) == 4401


async def _account(url: str, token: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": 'mutation { createAccount(input: {name: "JWT"}) { account { id } } }'},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.json()["data"]["createAccount"]["account"]["id"]


async def _close_code(socket, within: float = 15) -> int:
    try:
        while True:
            await asyncio.wait_for(socket.recv(), within)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"RAPPORT_JWT_SECRET": SECRET, "RAPPORT_JWKS_URL": "https://idp.example.test/jwks"},
            "Set RAPPORT_JWT_SECRET (HS256) or RAPPORT_JWKS_URL (RS256/ES256), not both.",
        ),
        ({"RAPPORT_JWT_SECRET": "short"}, "RAPPORT_JWT_SECRET must be at least 32 bytes long for HS256."),
        (
            {"RAPPORT_JWT_SECRET": SECRET, "RAPPORT_JWT_ISSUER": ISSUER},
            "RAPPORT_JWT_ISSUER and RAPPORT_JWT_AUDIENCE",
        ),
        (
            {"RAPPORT_JWKS_URL": "ftp://idp/jwks"},
            "RAPPORT_JWKS_URL must be an http(s) URL, got 'ftp://idp/jwks'.",
        ),
        ({"RAPPORT_JWT_AUDIENCE": AUDIENCE}, "RAPPORT_JWT_AUDIENCE is set but neither RAPPORT_JWT_SECRET"),
        ({"RAPPORT_JWT_PROVISION_TEAM": "ADMIN"}, "RAPPORT_JWT_PROVISION_TEAM may not be ADMIN"),
        ({"RAPPORT_JWT_PROVISION_TEAM": "pirates"}, "RAPPORT_JWT_PROVISION_TEAM: unknown team 'pirates'"),
        ({"RAPPORT_JWT_LEEWAY_SECONDS": "3600"}, "RAPPORT_JWT_LEEWAY_SECONDS must be between 0 and 300"),
    ],
)
def test_a_bad_jwt_setting_is_one_sentence(monkeypatch, env, message):
    complete = {"RAPPORT_JWT_ISSUER": ISSUER, "RAPPORT_JWT_AUDIENCE": AUDIENCE, "RAPPORT_JWT_SECRET": SECRET}
    for name in JWT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    if "RAPPORT_JWT_PROVISION_TEAM" in env or "RAPPORT_JWT_LEEWAY_SECONDS" in env:
        env = {**complete, **env}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        settings_module.load()
    assert message in str(raised.value)


def test_jwts_are_off_unless_configured_and_leeway_defaults_to_30s(monkeypatch):
    for name in JWT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert settings_module.load().jwt is None
    monkeypatch.setenv("RAPPORT_JWT_SECRET", SECRET)
    monkeypatch.setenv("RAPPORT_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("RAPPORT_JWT_AUDIENCE", AUDIENCE)
    loaded = settings_module.load().jwt
    assert loaded == hs256_settings()
