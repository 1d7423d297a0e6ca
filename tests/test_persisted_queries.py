"""Persisted queries: the APQ round trip, trusted documents (HTTP and websocket), the SDL, bad input."""

import asyncio
import hashlib
import json
import logging
import uuid

import orjson

from api.persisted_queries import document_hash
from schema.app_schema import export_sdl
from store import persisted_documents
from tests.conftest import app_client, serving
from tests.test_cli import rapport
from tests.test_subscriptions import SUBSCRIBE, Live

CREATE_ACCOUNT = "mutation ($name: String!) { createAccount(input: {name: $name}) { account { id } } }"
NOTE = "mutation ($input: LogNoteInput!) { logNote(input: $input) { entry { id } } }"


def _document(kind: str = "query") -> str:
    """A valid document no other test has sent (its name is new), so its hash is unknown."""
    return (
        f"{kind} Op{uuid.uuid4().hex} {{ __typename }}"
        if kind == "mutation"
        else (f"query Me{uuid.uuid4().hex} {{ me {{ email }} }}")
    )


def _persisted(document: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(document.encode()).hexdigest()}}


async def _post(http, token: str, body: dict, **headers: str):
    return await http.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}", **headers})


def _code(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_apq_round_trip_is_shared_by_every_api_process(settings, http, admin):
    document = _document()
    hash_only = {"extensions": _persisted(document)}

    unknown = await _post(http, admin.token, hash_only)
    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }

    sent = await _post(http, admin.token, {"query": document, **hash_only})
    assert sent.json() == {"data": {"me": {"email": admin.user.email}}}
    again = await _post(http, admin.token, hash_only)
    assert again.json() == {"data": {"me": {"email": admin.user.email}}}

    async with app_client(settings) as (_, other_process):
        elsewhere = await _post(other_process, admin.token, hash_only)
    assert elsewhere.json() == {"data": {"me": {"email": admin.user.email}}}


async def test_get_with_a_hash_answers_a_query_and_refuses_a_mutation(http, admin):
    query, mutation = _document(), _document("mutation")
    for document in (query, mutation):
        assert (
            "errors"
            not in (
                await _post(http, admin.token, {"query": document, "extensions": _persisted(document)})
            ).json()
        )

    auth = {"Authorization": f"Bearer {admin.token}"}
    got = await http.get("/graphql", params={"extensions": json.dumps(_persisted(query))}, headers=auth)
    assert got.json() == {"data": {"me": {"email": admin.user.email}}}

    refused = await http.get(
        "/graphql", params={"extensions": json.dumps(_persisted(mutation))}, headers=auth
    )
    assert refused.status_code == 405
    assert refused.json()["errors"][0]["message"] == "Only queries may be sent with GET; use POST."


async def test_a_hash_that_is_not_the_texts_is_refused_and_nothing_is_stored(http, pool, admin):
    document, other = _document(), _document()
    mismatched = await _post(http, admin.token, {"query": document, "extensions": _persisted(other)})
    assert mismatched.status_code == 400
    assert _code(mismatched) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in mismatched.json()
    for sent in (document, other):
        assert await persisted_documents.document_by_hash(pool, document_hash(sent)) is None


async def test_bad_persisted_query_extensions_are_clear_request_errors(http, pool, admin):
    document = _document()
    sha256 = document_hash(document)
    cases = {
        "version 2 is not supported": {"version": 2, "sha256Hash": sha256},
        "version True is not supported": {"version": True, "sha256Hash": sha256},
        "must be 64 hexadecimal digits": {"version": 1, "sha256Hash": "abc"},
        "must be an object": "abc",
    }
    for message, persisted in cases.items():
        response = await _post(
            http, admin.token, {"query": document, "extensions": {"persistedQuery": persisted}}
        )
        assert response.status_code == 400, persisted
        assert _code(response) == "BAD_REQUEST"
        assert message in response.json()["errors"][0]["message"]
    assert await persisted_documents.document_by_hash(pool, sha256) is None


async def test_an_invalid_document_sent_with_its_hash_is_not_stored(http, pool, admin):
    document = f"query Bad{uuid.uuid4().hex} {{ noSuchField }}"
    response = await _post(http, admin.token, {"query": document, "extensions": _persisted(document)})
    assert _code(response) == "GRAPHQL_VALIDATION_FAILED"
    assert await persisted_documents.document_by_hash(pool, document_hash(document)) is None


async def test_require_runs_registered_documents_only(settings, pool, admin):
    registered, other = _document(), _document()
    async with pool.acquire() as conn:
        await persisted_documents.trust(conn, {document_hash(registered): registered})
    async with app_client(settings, trusted_documents="require") as (_, http):
        by_text = await _post(http, admin.token, {"query": registered})
        by_hash = await _post(http, admin.token, {"extensions": _persisted(registered)})
        for response in (by_text, by_hash):
            assert response.json() == {"data": {"me": {"email": admin.user.email}}}

        refused = await _post(http, admin.token, {"query": other})
        assert refused.status_code == 403
        assert _code(refused) == "DOCUMENT_NOT_TRUSTED"
        registering = await _post(http, admin.token, {"query": other, "extensions": _persisted(other)})
        assert _code(registering) == "DOCUMENT_NOT_TRUSTED"
        unknown = await _post(http, admin.token, {"extensions": _persisted(other)})
        assert _code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert await persisted_documents.document_by_hash(pool, document_hash(other)) is None


async def test_require_refuses_a_document_a_client_registered_by_apq(settings, http, admin):
    document = _document()
    await _post(http, admin.token, {"query": document, "extensions": _persisted(document)})
    async with app_client(settings, trusted_documents="require") as (_, strict):
        response = await _post(strict, admin.token, {"extensions": _persisted(document)})
    assert _code(response) == "DOCUMENT_NOT_TRUSTED"


async def test_allow_runs_unregistered_documents_and_logs_their_hash_once(settings, admin, caplog):
    document = _document()
    caplog.set_level(logging.INFO)
    async with app_client(settings, trusted_documents="allow") as (_, http):
        responses = [await _post(http, admin.token, {"query": document}) for _ in range(3)]
    for response in responses:
        assert response.json() == {"data": {"me": {"email": admin.user.email}}}
    assert caplog.text.count(f"untrusted document {document_hash(document)} ran") == 1
    assert document not in caplog.text


async def test_the_sdl_is_served_to_authenticated_callers_also_without_introspection(settings, admin):
    async with app_client(settings, introspection=False) as (_, http):
        anonymous = await http.get("/graphql/schema.graphql")
        served = await http.get("/graphql/schema.graphql", headers={"Authorization": f"Bearer {admin.token}"})
        introspecting = await _post(http, admin.token, {"query": "{ __schema { queryType { name } } }"})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert _code(anonymous) == "UNAUTHENTICATED"
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.text == export_sdl()
    assert "errors" in introspecting.json()


def test_documents_add_registers_files_and_manifests(settings, pool, tmp_path):
    single, listed = _document(), _document()
    (tmp_path / "single.graphql").write_text(single)
    (tmp_path / "manifest.json").write_bytes(orjson.dumps({document_hash(listed): listed}))
    env = {"DATABASE_URL": settings.database_url}

    added = rapport(
        "documents", "add", str(tmp_path / "single.graphql"), str(tmp_path / "manifest.json"), **env
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "2 documents trusted (2 newly, 0 already)"
    again = rapport("documents", "add", str(tmp_path / "single.graphql"), **env)
    assert again.stdout.strip() == "1 documents trusted (0 newly, 1 already)"


def test_documents_add_refuses_bad_sets_and_registers_none_of_them(settings, tmp_path):
    env = {"DATABASE_URL": settings.database_url}
    good = _document()
    (tmp_path / "good.graphql").write_text(good)
    (tmp_path / "bad.graphql").write_text("query { noSuchField }")
    (tmp_path / "lying.json").write_bytes(orjson.dumps({document_hash(good): _document()}))
    huge = {document_hash(d): d for d in (f"query Q{i} {{ __typename }}" for i in range(10_000))}
    (tmp_path / "huge.json").write_bytes(orjson.dumps(huge))

    invalid = rapport(
        "documents", "add", str(tmp_path / "good.graphql"), str(tmp_path / "bad.graphql"), **env
    )
    assert invalid.returncode == 1
    assert "is not valid here: Cannot query field 'noSuchField'" in invalid.stderr
    assert "nothing registered" in invalid.stderr
    lying = rapport("documents", "add", str(tmp_path / "lying.json"), **env)
    assert lying.returncode == 1
    assert "is not the SHA-256 of its document" in lying.stderr
    too_many = rapport("documents", "add", str(tmp_path / "huge.json"), **env)
    assert too_many.returncode == 2
    assert "more than 5,000 documents at once" in too_many.stderr

    # None of it was registered: the good document is new to a later run.
    later = rapport("documents", "add", str(tmp_path / "good.graphql"), **env)
    assert later.stdout.strip() == "1 documents trusted (1 newly, 0 already)"


async def test_require_holds_subscriptions_to_registered_documents_too(settings, pool, admin, tmp_path):
    account = (await admin.gql(CREATE_ACCOUNT, {"name": f"Live {uuid.uuid4().hex[:8]}"}))["createAccount"][
        "account"
    ]["id"]
    async with pool.acquire() as conn:
        await persisted_documents.trust(conn, {document_hash(SUBSCRIBE): SUBSCRIBE})
    with serving(settings, tmp_path / "serve.log", RAPPORT_TRUSTED_DOCUMENTS="require") as (url, _):
        live = await Live.open(url, admin.token)
        try:
            await live.acked()
            for id_, document in (("unregistered", SUBSCRIBE + "\n"), ("registered", SUBSCRIBE)):
                message = {"query": document, "variables": {"account": account}}
                await live.socket.send(json.dumps({"id": id_, "type": "subscribe", "payload": message}))
            refused = json.loads(await asyncio.wait_for(live.socket.recv(), 10))
            assert refused["id"] == "unregistered"
            assert refused["type"] == "error"
            assert refused["payload"][0]["extensions"] == {"code": "DOCUMENT_NOT_TRUSTED"}
            await asyncio.sleep(0.3)  # the subscription starts from "now"
            await admin.gql(NOTE, {"input": {"accountId": account, "summary": "Heard live"}})
            assert (await live.next())["summary"] == "Heard live"
        finally:
            await live.close()


async def test_a_query_sent_by_hash_takes_the_compiled_path(settings, admin, caplog):
    document = (
        f"query Accounts{uuid.uuid4().hex} {{ accounts(first: 2) {{ edges {{ node {{ id name }} }} }} }}"
    )
    caplog.set_level(logging.INFO)
    async with app_client(settings, compiled_reads="on") as (_, http):
        answers = [
            (await _post(http, admin.token, body)).json()
            for body in (
                {"query": document, "extensions": _persisted(document)},
                {"extensions": _persisted(document)},
                {"extensions": _persisted(document)},
            )
        ]
    assert answers[0] == answers[1] == answers[2]
    assert "errors" not in answers[0]
    paths = [
        r.read_path
        for r in caplog.records
        if r.name == "rapport.http" and r.getMessage() == "graphql request"
    ]
    assert paths[-2:] == ["compiled", "compiled"]


async def test_untrusted_documents_are_capped_oldest_first_and_trusted_ones_stay(pool):
    """Any caller may store documents by APQ, so the table must not grow without bound."""
    hashes = {name: hashlib.sha256(name.encode()).hexdigest() for name in ("a", "b", "c", "d", "e", "t")}
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("DELETE FROM persisted_documents WHERE NOT trusted")
            await conn.executemany(
                "INSERT INTO persisted_documents (sha256, document, trusted, created_at)"
                " VALUES ($1, $2, $3, now() - make_interval(hours => $4))",
                [
                    (hashes[n], f"query {n} {{ __typename }}", n == "t", hours)
                    for n, hours in zip("tabcd", (9, 4, 3, 2, 1), strict=True)
                ],
            )
            await persisted_documents.remember(conn, hashes["e"], "query e { __typename }", keep=3)
            untrusted = (
                "SELECT array_agg(sha256 ORDER BY created_at) FROM persisted_documents WHERE NOT trusted"
            )
            assert await conn.fetchval(untrusted) == [hashes["c"], hashes["d"], hashes["e"]]
            assert await persisted_documents.document_by_hash(conn, hashes["t"])
            # A document already stored is not a new one: it evicts nothing, whatever the cap.
            await persisted_documents.remember(conn, hashes["c"], "query c { __typename }", keep=1)
            assert await conn.fetchval(untrusted) == [hashes["c"], hashes["d"], hashes["e"]]
        finally:
            await transaction.rollback()
