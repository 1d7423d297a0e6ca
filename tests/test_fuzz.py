"""Generated operations, valid and invalid, against the real endpoint: never a 500, never a leak.

hypothesis-graphql builds queries and mutations from our own SDL (positive mode:
well-typed documents with random arguments; negative mode: documents that break
the schema). Each goes over HTTP as an ADMIN, the team allowed the most.
"""

import re
import string
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from schema.app_schema import export_sdl

LEAKS = re.compile(r"Traceback|File \"|site-packages|/work/|asyncpg|SELECT |INSERT |psycopg|line \d+, in")
METACHARACTERS = st.sampled_from(
    [
        "' OR 1=1 --",
        '"; DROP TABLE entries; --',
        '" OR visibility = "RESTRICTED',
        'tags IN ["x"]',
        "%_\\",
        "(",
        "]",
        "{",
        "\u202e",
        "💳 4111 1111 1111 1111",
    ]
)
TEXT = st.one_of(st.text(alphabet=string.printable, max_size=40), METACHARACTERS)
SCALARS = {
    "DateTime": st.one_of(st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()), TEXT).map(
        nodes.String
    ),
    "Date": st.one_of(st.dates().map(lambda d: d.isoformat()), TEXT).map(nodes.String),
    "Decimal": st.one_of(st.decimals(allow_nan=False, allow_infinity=False).map(str), TEXT).map(nodes.String),
    "JSON": st.just(nodes.String("{}")),
}
SDL = export_sdl()


# 4 x 150 = 600 generated operations per run, the same ones every run.
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)


async def _send(admin, document: str) -> None:
    response = await admin.http.post(
        "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {admin.token}"}
    )
    assert response.status_code in (200, 400, 413), (response.status_code, document, response.text)
    assert not LEAKS.search(response.text), (document, response.text)
    body = response.json()
    assert "data" in body or "errors" in body
    for error in body.get("errors", []):
        assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", (document, error)


QUERIES = queries(SDL, custom_scalars=SCALARS, mode=Mode.POSITIVE)
BROKEN_QUERIES = queries(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE)
MUTATIONS = mutations(SDL, custom_scalars=SCALARS, mode=Mode.POSITIVE)
BROKEN_MUTATIONS = mutations(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE)


@FUZZ
@given(document=QUERIES)
async def test_generated_queries(admin, document):
    await _send(admin, document)


@FUZZ
@given(document=BROKEN_QUERIES)
async def test_generated_invalid_queries(admin, document):
    await _send(admin, document)


@FUZZ
@given(document=MUTATIONS)
async def test_generated_mutations(admin, document):
    await _send(admin, document)


@FUZZ
@given(document=BROKEN_MUTATIONS)
async def test_generated_invalid_mutations(admin, document):
    await _send(admin, document)
