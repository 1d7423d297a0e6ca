"""upsertInvoices' items read from the JSON (schema/mutations/invoice_batches.py) agree with graphql-core.

The reader may decline a value (graphql-core then coerces it, and reports what
is wrong); whatever it accepts, graphql-core's coercion followed by Strawberry's
conversion must accept too, and give the very same commands, down to the
decimals' exponents.
"""

import asyncio
import contextlib
import json
import uuid
from dataclasses import replace
from datetime import date

import httpx
import pytest
from graphql import Undefined
from graphql.utilities import coerce_input_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument

from api import migrate
from api.app import create_app
from domain.invoices import InvoiceStatus
from domain.teams import Team
from domain.tokens import new_token, token_hash
from schema.app_schema import build_schema
from schema.mutation import Mutation
from schema.mutations.invoice_batches import BATCH_TYPE, from_inputs, read_items
from store import users
from tests.conftest import create_database, drop_database

SCHEMA = build_schema(None)
ARGUMENT = SCHEMA._schema.mutation_type.fields["upsertInvoices"].args["input"]
FIELD = next(f for f in Mutation.__strawberry_definition__.fields if f.python_name == "upsert_invoices")


def through_graphql_core(value: object) -> list | None:
    """What the mutation got before the reader: the coerced variable, converted by Strawberry."""
    coerced = coerce_input_value(value, ARGUMENT.type)
    if coerced is Undefined:
        return None
    converted = convert_argument(
        coerced, FIELD.arguments[0].type, SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    )
    return from_inputs(converted)


def exact(commands: list) -> list:
    """Commands as their repr shows them: a Decimal's exponent, NaN (never == itself), the enum's type."""
    return [(repr(c), type(c.status), type(c.issued_on), type(c.total)) for c in commands]


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.just([]), st.just({})
)
DAYS = st.one_of(
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.sampled_from(["20260101", "2026-W01-1", "2026-02-30", "2026-1-1", " 2026-01-01", "2026-01-01T00:00"]),
    TEXT,
    ODD,
)
DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1.10", "0", "-0.00", "1e3", "1E-2", "NaN", "sNaN", "-Infinity", " 1", "1_000", ""]),
    TEXT,
    ODD,
)
STATUSES = st.one_of(
    st.sampled_from([s.value for s in InvoiceStatus]), st.sampled_from(["open", "Paid", "", "UNKNOWN"]), ODD
)
TEXTS = st.one_of(TEXT, TEXT, ODD)
REFS = st.one_of(
    st.fixed_dictionaries({"system": TEXTS, "id": TEXTS}),
    st.fixed_dictionaries({"system": TEXTS}),
    st.fixed_dictionaries({"system": TEXTS, "id": TEXTS, "other": TEXTS}),
    ODD,
)
FIELDS = {
    "externalRef": REFS,
    "accountRef": REFS,
    "number": TEXTS,
    "issuedOn": DAYS,
    "dueOn": DAYS,
    "currency": TEXTS,
    "total": DECIMALS,
    "balance": DECIMALS,
    "status": STATUSES,
}


CLEAN = st.fixed_dictionaries(
    {
        "externalRef": st.fixed_dictionaries({"system": TEXT, "id": TEXT}),
        "accountRef": st.fixed_dictionaries({"system": TEXT, "id": TEXT}),
        "number": TEXT,
        "issuedOn": st.dates().map(date.isoformat),
        "dueOn": st.dates().map(date.isoformat),
        "currency": TEXT,
        "total": st.decimals(allow_nan=False, allow_infinity=False).map(str),
        "balance": st.decimals(allow_nan=False, allow_infinity=False).map(str),
        "status": st.sampled_from([s.value for s in InvoiceStatus]),
    }
)


@st.composite
def items(draw: st.DrawFn) -> object:
    """A well-formed item with one thing wrong, or odder: a field's value, a field too few or too many."""
    item = draw(CLEAN)
    for _ in range(draw(st.integers(1, 2))):
        name = draw(st.sampled_from(sorted(FIELDS)))
        match draw(st.integers(0, 9)):
            case 0:
                item.pop(name, None)
            case 1:
                item[draw(st.sampled_from(["extra", "external_ref", "id"]))] = draw(TEXTS)
            case _:
                item[name] = draw(FIELDS[name])
    return item if draw(st.integers(0, 19)) else draw(ODD)


VALUES = st.one_of(st.lists(items(), max_size=4), items(), ODD)


@settings(database=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES)
def test_what_the_reader_accepts_graphql_core_accepts_as_the_same_commands(value):
    read = read_items(value)
    if read is not None:
        slow = through_graphql_core(value)
        assert slow is not None, value
        assert exact(read) == exact(slow)


@settings(database=None, max_examples=300)
@given(value=st.lists(CLEAN, max_size=5))
def test_well_formed_items_are_read_without_graphql_core(value):
    # Semantic problems (blank refs, unknown currencies, negative amounts) are the rules' business.
    read = read_items(value)
    assert read is not None
    assert exact(read) == exact(through_graphql_core(value))


def test_the_variable_type_it_reads_is_the_arguments():
    assert str(ARGUMENT.type) == BATCH_TYPE


# ------------------------------------------------------------ the same batches, both ways, on two databases

UPSERT = """
mutation ($input: [InvoiceUpsertInput!]!) { upsertInvoices(input: $input) { %s } }
"""
LITERAL = "mutation { upsertInvoices(input: %s) { %s } }"
PAYLOAD = """
created updated unchanged
invoices {
  number externalRef { system id } issuedOn dueOn status total { amount currency } balance { amount }
}
userErrors { code field message }
"""
ACCOUNTS = ["A-1", "A-2", "A-3"]


def literal(value: object) -> str:
    """A JSON value as a GraphQL literal: the status is an enum, keys are names."""
    if isinstance(value, dict):
        fields = ", ".join(
            f"{key}: {item}" if key == "status" else f"{key}: {literal(item)}" for key, item in value.items()
        )
        return f"{{{fields}}}"
    if isinstance(value, list):
        return f"[{', '.join(literal(item) for item in value)}]"
    return json.dumps(value)


@pytest.fixture(scope="module")
async def twins(base_settings, settings):
    """Two apps on two new databases holding the same accounts and the same ERP user: (client, pool) each."""
    names = [f"rapport_batches_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    async with contextlib.AsyncExitStack() as stack:
        twins = []
        for name in names:
            url = await create_database(base_settings.database_url, name)
            await asyncio.to_thread(migrate.upgrade, url)
            app = create_app(replace(settings, database_url=url))
            await stack.enter_async_context(app.router.lifespan_context(app))
            async with app.state.pool.acquire() as conn:
                erp = await users.add_user(conn, email="erp@example.com", name="ERP", team=Team.INTEGRATION)
                admin = await users.add_user(conn, email="admin@example.com", name="Admin", team=Team.ADMIN)
                tokens = {user.id: new_token() for user in (erp, admin)}
                for user_id, token in tokens.items():
                    await users.add_token(conn, user_id, token_hash(token), "test")
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
            )
            for account in ACCOUNTS:
                answer = await client.post(
                    "/graphql",
                    json={
                        "query": CREATE_ACCOUNT,
                        "variables": {
                            "input": {"name": account, "externalRefs": [{"system": "crm", "id": account}]}
                        },
                    },
                    headers={"Authorization": f"Bearer {tokens[admin.id]}"},
                )
                assert answer.json()["data"]["createAccount"]["userErrors"] == []
            client.headers["Authorization"] = f"Bearer {tokens[erp.id]}"
            twins.append((client, app.state.pool))
        yield twins
    for name in names:
        await drop_database(base_settings.database_url, name)


CREATE_ACCOUNT = """
mutation ($input: CreateAccountInput!) { createAccount(input: $input) { userErrors { message } } }
"""


def weighted(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """Mostly good values: a batch with any bad one writes nothing."""
    return st.one_of(*[st.sampled_from(good)] * 3, st.sampled_from(bad))


ITEM = st.fixed_dictionaries(
    {
        "externalRef": st.fixed_dictionaries(
            {"system": weighted(["erp"], [" ", "x" * 201]), "id": weighted(["I-1", "I-2", "I-3"], [""])}
        ),
        "accountRef": st.fixed_dictionaries(
            {"system": weighted(["crm"], ["nowhere", ""]), "id": weighted(ACCOUNTS, ["A-9", " "])}
        ),
        "number": weighted(["N-1", "N-2", " N-3 "], [" ", "x" * 101]),
        "issuedOn": weighted(["2026-01-10", "2026-02-01"], ["1899-12-31", "2026-03-01"]),
        "dueOn": weighted(["2026-02-10", "2026-03-01"], ["2200-01-01"]),
        "currency": weighted(["EUR", "USD"], ["EURO", "eur"]),
        "total": weighted(["100.00", "100", "250.5"], ["-1", "1.00001", "1e14", "NaN"]),
        "balance": weighted(["100.00", "0", "25.00", "0.00"], ["200", "Infinity", "-0.5"]),
        "status": st.sampled_from([s.value for s in InvoiceStatus]),
    }
)


async def _both(twins, batch: list[dict]) -> list[dict]:
    (fast, _), (slow, _) = twins
    answers = [
        await fast.post("/graphql", json={"query": UPSERT % PAYLOAD, "variables": {"input": batch}}),
        await slow.post("/graphql", json={"query": LITERAL % (literal(batch), PAYLOAD)}),
    ]
    return [answer.json() for answer in answers]


async def _tables(pool) -> dict[str, list]:
    """What the batches left, named by external refs and emails rather than ids."""
    statements = {
        "invoices": "SELECT r.external_id, i.ext_system, i.ext_id, i.number, i.issued_on, i.due_on,"
        " i.currency, i.total::text, i.balance::text, i.status"
        " FROM invoices i JOIN account_refs r USING (account_id)",
        "entries": "SELECT r.external_id, e.kind, e.team, e.summary, e.from_status, e.to_status, e.author_id,"
        " i.ext_id FROM entries e JOIN account_refs r USING (account_id)"
        " JOIN entry_invoices x ON x.entry_id = e.id JOIN invoices i ON i.id = x.invoice_id",
        "audit": "SELECT r.external_id, a.action, a.entity_type, i.ext_id, u.email FROM audit_log a"
        " JOIN account_refs r USING (account_id) LEFT JOIN invoices i ON i.id = a.entity_id"
        " LEFT JOIN users u ON u.id = a.actor_id",
        "outbox": "SELECT r.external_id, o.entity_type, o.op, coalesce(i.ext_id, e.summary) FROM outbox o"
        " JOIN account_refs r USING (account_id) LEFT JOIN invoices i ON i.id = o.entity_id"
        " LEFT JOIN entries e ON e.id = o.entity_id",
        "events": "SELECT r.external_id, t.op, e.summary FROM timeline_events t JOIN account_refs r USING"
        " (account_id) JOIN entries e ON e.id = t.entry_id",
    }
    async with pool.acquire() as conn:
        return {
            name: sorted((tuple(row) for row in await conn.fetch(sql)), key=repr)
            for name, sql in statements.items()
        }


@settings(
    database=None,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(batches=st.lists(st.lists(ITEM, max_size=6), min_size=1, max_size=3))
async def test_the_same_batches_as_variables_and_as_literals_write_the_same(twins, batches):
    for batch in batches:
        fast, slow = await _both(twins, batch)
        assert "errors" not in fast, fast
        assert fast == slow
    (_, fast_pool), (_, slow_pool) = twins
    assert await _tables(fast_pool) == await _tables(slow_pool)
