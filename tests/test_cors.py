"""CORS for frontend apps on listed origins, and security headers on every response."""

import pytest

from api import settings as settings_module
from api.settings import ConfigError
from tests.conftest import app_client

APP = "https://app.example.test"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture(scope="module")
async def cors(settings):
    """An API that lets browsers on APP call it, without credentials."""
    async with app_client(settings, cors_origins=(APP,)) as (_, client):
        yield client


async def test_a_preflight_from_a_listed_origin_is_allowed(cors):
    response = await cors.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Authorization" in response.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in response.headers


async def test_a_preflight_from_another_origin_is_refused(cors):
    response = await cors.options("/graphql", headers={"Origin": "https://evil.example.test", **PREFLIGHT})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_request_from_a_listed_origin_may_read_the_answer_and_its_request_id(cors, make_caller):
    caller = await make_caller()
    response = await cors.post(
        "/graphql",
        json={"query": "{ me { email } }"},
        headers={"Origin": APP, "Authorization": f"Bearer {caller.token}"},
    )
    assert response.json()["data"]["me"]["email"] == caller.user.email
    assert response.headers["access-control-allow-origin"] == APP
    assert "X-Request-Id" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


async def test_without_origins_there_is_no_cors(http):
    preflight = await http.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
    post = await http.post("/graphql", json={"query": "{ me { email } }"}, headers={"Origin": APP})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in post.headers


async def test_credentials_are_allowed_only_for_the_listed_origins(settings):
    async with app_client(settings, cors_origins=(APP,), cors_allow_credentials=True) as (_, client):
        allowed = await client.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
        other = await client.options("/graphql", headers={"Origin": "https://evil.example.test", **PREFLIGHT})
    assert allowed.headers["access-control-allow-origin"] == APP
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


async def test_any_origin_without_credentials_is_a_wildcard(settings):
    async with app_client(settings, cors_origins=("*",)) as (_, client):
        response = await client.options(
            "/graphql", headers={"Origin": "https://any.example.test", **PREFLIGHT}
        )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"RAPPORT_CORS_ORIGINS": "*", "RAPPORT_CORS_ALLOW_CREDENTIALS": "true"},
            "RAPPORT_CORS_ALLOW_CREDENTIALS cannot be true while RAPPORT_CORS_ORIGINS allows * (any origin); "
            "list the origins.",
        ),
        (
            {"RAPPORT_CORS_ORIGINS": f"{APP},*", "RAPPORT_CORS_ALLOW_CREDENTIALS": "true"},
            "RAPPORT_CORS_ALLOW_CREDENTIALS cannot be true while RAPPORT_CORS_ORIGINS allows * (any origin); "
            "list the origins.",
        ),
        (
            {"RAPPORT_CORS_ORIGINS": f"{APP}/"},
            "RAPPORT_CORS_ORIGINS must list origins such as https://app.example.com "
            f"(scheme and host, no path or trailing slash) or *, got '{APP}/'.",
        ),
        (
            {"RAPPORT_CORS_ALLOW_CREDENTIALS": "true"},
            "RAPPORT_CORS_ALLOW_CREDENTIALS is true but RAPPORT_CORS_ORIGINS lists no origin.",
        ),
    ],
)
def test_a_wildcard_with_credentials_or_a_bad_origin_stops_start_up(monkeypatch, env, message):
    monkeypatch.delenv("RAPPORT_CORS_ORIGINS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        settings_module.load()
    assert str(raised.value) == message


def test_origins_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("RAPPORT_CORS_ORIGINS", f" {APP}, http://localhost:5173 ")
    monkeypatch.setenv("RAPPORT_CORS_ALLOW_CREDENTIALS", "true")
    loaded = settings_module.load()
    assert loaded.cors_origins == (APP, "http://localhost:5173")
    assert loaded.cors_allow_credentials is True


async def test_every_response_carries_the_security_headers(http, admin):
    responses = [
        await admin.post("{ me { email } }"),
        await http.post("/graphql", json={"query": "{ me { email } }"}),  # unauthenticated
        await http.post("/graphql", content=b"{", headers={"Content-Type": "application/json"}),
        await http.get("/healthz"),
        await http.get("/no-such-page"),
        await http.options("/graphql"),
    ]
    for response in responses:
        for name, value in SECURITY.items():
            assert response.headers[name] == value, (response.request.url, name)
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # development


async def test_the_graphiql_page_may_load_its_scripts_from_this_server_only(http):
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    policy = page.headers["content-security-policy"]
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self';" in policy  # no inline script, no other origin (tests/test_graphiql.py)
    assert page.headers["x-frame-options"] == "DENY"


async def test_production_adds_hsts(settings):
    async with app_client(settings, env="production", introspection=False) as (_, client):
        response = await client.get("/healthz")
        page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert not page.headers["content-type"].startswith("text/html")
