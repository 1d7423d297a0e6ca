"""The transport conventions of /graphql (see api/graphql_http.py)."""

STRICT = {"Accept": "application/graphql-response+json"}


async def test_get_runs_a_query(admin):
    response = await admin.http.get(
        "/graphql",
        params={"query": "{ me { email } }"},
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["me"]["email"] == admin.user.email


async def test_get_refuses_a_mutation(admin):
    response = await admin.http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"Authorization": f"Bearer {admin.token}", **STRICT},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_a_browser_gets_graphiql(http):
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_post_to_graphql_does_not_redirect(admin):
    response = await admin.post("{ me { email } }")
    assert response.status_code == 200
    assert not response.is_redirect


async def test_a_parse_error_is_a_request_error_without_data(admin):
    strict = await admin.post("{ me { email ", **STRICT)
    assert strict.status_code == 400
    assert "data" not in strict.json()
    assert strict.json()["errors"][0]["message"].startswith("Syntax Error")
    assert strict.json()["errors"][0]["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    lenient = await admin.post("{ me { email ")
    assert lenient.status_code == 200
    assert "data" not in lenient.json()


async def test_a_validation_error_is_a_request_error_without_data(admin):
    response = await admin.post("{ me { shoeSize } }", **STRICT)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "shoeSize" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_a_refused_limit_a_literal_of_the_wrong_type_and_an_unused_variable_are_invalid(admin):
    aliases = "{ me { email } " + "".join(f"a{i}: me {{ email }} " for i in range(40)) + "}"
    literal = '{ search(query: "x", first: "ten") { estimatedTotal } }'
    unused = "query ($n: Int!) { me { email } }"
    for document in (aliases, literal, unused):
        body = (await admin.post(document, {"n": "three"})).json()
        assert "data" not in body, document
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", document


async def test_variables_that_do_not_coerce_are_a_request_error(admin):
    response = await admin.post(
        "query ($n: Int!) { accounts(first: $n) { edges { cursor } } }", {"n": "three"}, **STRICT
    )
    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_batches_are_refused(admin):
    response = await admin.http.post(
        "/graphql",
        json=[{"query": "{ me { email } }"}],
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert response.status_code == 400
    assert "Batched" in response.json()["errors"][0]["message"]


async def test_a_body_that_is_not_json_is_400(admin):
    response = await admin.http.post(
        "/graphql",
        content=b"{not json",
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


async def test_a_post_without_json_content_type_is_415(admin):
    response = await admin.http.post(
        "/graphql",
        content=b'{"query": "{ me { email } }"}',
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "text/plain"},
    )
    assert response.status_code == 415


async def test_an_unacceptable_accept_header_is_406(admin):
    response = await admin.post("{ me { email } }", Accept="text/csv")
    assert response.status_code == 406


async def test_an_oversized_body_is_413(admin):
    response = await admin.post("{ me { email } }", {"padding": "x" * (1024 * 1024)})
    assert response.status_code == 413


async def test_every_response_carries_a_request_id(admin):
    first = await admin.post("{ me { email } }")
    second = await admin.post("{ me { email } }")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
