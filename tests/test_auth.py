"""Every operation needs a live bearer token; `me` is the caller."""

import pytest

from domain.teams import Team
from domain.tokens import token_hash
from store import users

ME = "{ me { id email name team } }"


async def test_me_returns_the_caller(make_caller):
    caller = await make_caller(Team.AR, name="Ada AR")
    data = await caller.gql(ME)
    assert data["me"]["email"] == caller.user.email
    assert data["me"]["name"] == "Ada AR"
    assert data["me"]["team"] == "AR"
    assert data["me"]["id"]


@pytest.mark.parametrize(
    ("authorization", "says"),
    [
        (None, "The Authorization header is missing"),
        ("", "The Authorization header is missing"),
        ("Basic dXNlcjpwYXNz", "The Authorization header has no bearer token"),
        ("Bearer ", "The Authorization header has no bearer token"),
        ("rpt_bare", "The Authorization header has no bearer token"),
        ("Bearer rpt_not-a-real-token", "The bearer token is not valid"),
    ],
)
async def test_without_a_valid_token_the_error_is_unauthenticated_and_says_why(http, authorization, says):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await http.post("/graphql", json={"query": ME}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"].startswith(says)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unauthenticated_is_401_when_the_client_accepts_graphql_response_json(http):
    response = await http.post(
        "/graphql", json={"query": ME}, headers={"Accept": "application/graphql-response+json"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_revoked_token_stops_working_on_the_next_request(make_caller, pool):
    caller = await make_caller()
    assert (await caller.gql(ME))["me"]["email"] == caller.user.email
    # when
    async with pool.acquire() as conn:
        assert await users.revoke_token(conn, digest=token_hash(caller.token)) == 1
    # then
    body = (await caller.post(ME)).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"].startswith("The bearer token is not valid")


async def test_revoking_one_token_leaves_the_users_other_tokens_working(make_caller, pool):
    caller = await make_caller()
    async with pool.acquire() as conn:
        other_id = await users.add_token(conn, caller.user.id, token_hash("rpt_second"), "second")
        assert await users.revoke_token(conn, token_id=other_id) == 1
    assert (await caller.gql(ME))["me"]["email"] == caller.user.email


async def test_the_token_is_stored_only_as_a_hash(make_caller, pool):
    caller = await make_caller()
    async with pool.acquire() as conn:
        stored = await conn.fetch("SELECT t.* FROM api_tokens t WHERE t.user_id = $1", caller.user.id)
    assert len(stored) == 1
    assert caller.token.encode() not in b"".join(str(value).encode() for value in stored[0].values())
    assert stored[0]["token_hash"] == token_hash(caller.token)
