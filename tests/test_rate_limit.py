"""Rate limiting per identity: a token bucket per user, or per client IP without a valid token."""

import asyncio
import json

import httpx
import pytest
import websockets

from api import settings as settings_module
from api.rate_limit import RateLimiter
from api.settings import ConfigError
from tests.conftest import app_client, serving

ME = {"query": "{ me { email } }"}
PER_SECOND, BURST = 0.5, 5  # slow enough that the burst cannot refill while it is sent


@pytest.fixture(scope="module")
async def limited(settings):
    """An API allowing a request every 2 seconds, with bursts of 5."""
    async with app_client(settings, rate_limit_per_second=PER_SECOND, rate_limit_burst=BURST) as (app, _):
        yield app


def client_from(app, ip: str = "192.0.2.10") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://rapport.test")


async def test_after_the_burst_the_answer_is_429_with_retry_after_and_then_it_recovers(limited, make_caller):
    caller = await make_caller()
    headers = {"Authorization": f"Bearer {caller.token}"}
    async with client_from(limited) as client:
        burst = [await client.post("/graphql", json=ME, headers=headers) for _ in range(BURST)]
        # when
        refused = await client.post("/graphql", json=ME, headers=headers)
        strict = await client.post(
            "/graphql", json=ME, headers={**headers, "Accept": "application/graphql-response+json"}
        )
        # then
        assert [r.status_code for r in burst] == [200] * BURST
        for response in (refused, strict):
            assert response.status_code == 429
            assert response.headers["retry-after"] in ("1", "2")
            body = response.json()
            assert "data" not in body
            assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert "0.5 per second with bursts of 5" in body["errors"][0]["message"]
        # and after waiting as told, requests go through again
        await asyncio.sleep(int(refused.headers["retry-after"]))
        again = await client.post("/graphql", json=ME, headers=headers)
        assert again.status_code == 200
        assert again.json()["data"]["me"]["email"] == caller.user.email


async def test_each_identity_has_its_own_bucket(limited, make_caller):
    greedy, patient = await make_caller(), await make_caller()
    async with client_from(limited) as client:
        for _ in range(BURST + 1):
            last = await client.post("/graphql", json=ME, headers={"Authorization": f"Bearer {greedy.token}"})
        other = await client.post("/graphql", json=ME, headers={"Authorization": f"Bearer {patient.token}"})
    assert last.status_code == 429
    assert other.status_code == 200


async def test_requests_without_a_valid_token_are_limited_per_client_ip(limited, make_caller):
    caller = await make_caller()
    bad = {"Authorization": "Bearer rpt_guessing"}
    async with client_from(limited, "198.51.100.7") as guesser, client_from(limited, "198.51.100.8") as other:
        answers = [
            (await guesser.post("/graphql", json=ME, headers=bad)).status_code for _ in range(BURST + 1)
        ]
        elsewhere = await other.post("/graphql", json=ME, headers=bad)
        # a valid token from the throttled address has its own bucket
        valid = await guesser.post("/graphql", json=ME, headers={"Authorization": f"Bearer {caller.token}"})
    assert answers == [200] * BURST + [429]  # 200: UNAUTHENTICATED under application/json
    assert elsewhere.status_code == 200
    assert elsewhere.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert valid.status_code == 200
    assert "data" in valid.json()


async def test_websocket_connections_take_from_the_same_bucket(settings, make_caller, tmp_path):
    caller = await make_caller()
    env = {"RAPPORT_RATE_LIMIT_PER_SECOND": "0.1", "RAPPORT_RATE_LIMIT_BURST": "2"}
    with serving(settings, tmp_path / "serve.log", **env) as (url, _):
        answers = []
        for _ in range(3):
            async with websockets.connect(
                url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10
            ) as socket:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {caller.token}"}}
                await socket.send(json.dumps(init))
                try:
                    answers.append(json.loads(await asyncio.wait_for(socket.recv(), 10))["type"])
                except websockets.ConnectionClosed as closed:
                    answers.append(closed.rcvd.code)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{url}/graphql", json=ME, headers={"Authorization": f"Bearer {caller.token}"}
            )
    assert answers == ["connection_ack", "connection_ack", 4403]
    assert response.status_code == 429


def test_the_bucket_refills_at_the_rate_up_to_the_burst():
    now = [0.0]
    limiter = RateLimiter(per_second=20, burst=100, clock=lambda: now[0])
    assert all(limiter.take("u") == 0 for _ in range(100))
    assert limiter.take("u") == pytest.approx(0.05)
    now[0] += 0.5  # ten tokens back
    assert all(limiter.take("u") == 0 for _ in range(10))
    assert limiter.take("u") > 0
    now[0] += 3600
    assert all(limiter.take("u") == 0 for _ in range(100))  # never more than the burst
    assert limiter.take("u") > 0


def test_full_buckets_are_forgotten():
    now = [0.0]
    limiter = RateLimiter(per_second=20, burst=100, clock=lambda: now[0])
    for caller in range(1000):
        limiter.take(f"ip:{caller}")
    now[0] += 60
    limiter.take("someone")
    assert list(limiter._buckets) == ["someone"]


def test_zero_turns_rate_limiting_off():
    limiter = RateLimiter(per_second=0, burst=1)
    assert all(limiter.take("u") == 0 for _ in range(1000))


def test_the_defaults_are_20_per_second_with_bursts_of_100(monkeypatch):
    monkeypatch.delenv("RAPPORT_RATE_LIMIT_PER_SECOND", raising=False)
    monkeypatch.delenv("RAPPORT_RATE_LIMIT_BURST", raising=False)
    loaded = settings_module.load()
    assert (loaded.rate_limit_per_second, loaded.rate_limit_burst) == (20.0, 100)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "RAPPORT_RATE_LIMIT_PER_SECOND",
            "lots",
            "RAPPORT_RATE_LIMIT_PER_SECOND must be a number, got 'lots'.",
        ),
        ("RAPPORT_RATE_LIMIT_BURST", "0", "RAPPORT_RATE_LIMIT_BURST must be between 1 and 1000000, got 0."),
        (
            "RAPPORT_TRUSTED_PROXIES",
            "10.0.0.1, proxy.internal",
            "RAPPORT_TRUSTED_PROXIES must list IP addresses or networks (or *), got 'proxy.internal'.",
        ),
    ],
)
def test_a_bad_rate_limit_setting_is_one_sentence(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        settings_module.load()
    assert str(raised.value) == message
