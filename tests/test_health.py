"""Liveness and readiness."""

from dataclasses import replace

import httpx

from api.app import create_app


async def test_healthz_and_readyz_answer_when_all_is_well(http):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert set(body["outbox"]) == {"pending", "oldestPendingSeconds", "failing"}
    assert body["outbox"]["pending"] >= 0


async def test_readyz_is_503_with_the_reason_when_meilisearch_is_unreachable(settings):
    app = create_app(replace(settings, meili_url="http://127.0.0.1:9", meili_timeout_seconds=0.5))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["meilisearch does not answer"]
