"""A plan is written for the optional filters its request gives, one variant per combination.

Postgres keeps one generic plan per prepared statement; for a statement with
`$n IS NULL OR ...` in place of each filter that plan cannot know which filters
apply, and for `accounts(first: 50)` it read and sorted the whole table where
the name index gives the first page. Whether the answers stay the executor's is
the differential tests' to show (tests/compiled/test_compiled_reads.py sends one
document with and without filters); here: which statement each request gets.
"""

import uuid

from graphql import parse

from compiler import plans
from schema import ids
from schema.app_schema import build_schema
from schema.limits import Limits

ACCOUNTS = """
query Accounts($filter: AccountFilter, $after: String) {
  accounts(first: 5, filter: $filter, after: $after) { edges { node { name } } }
}
"""
TIMELINE = """
query Timeline($id: ID!, $filter: TimelineFilter) {
  account(id: $id) { timeline(first: 5, filter: $filter) { edges { node { summary } } } }
}
"""


def compiler():
    limits = Limits(max_depth=20, max_aliases=20, max_tokens=2000, max_cost=10_000, introspection=False)
    return build_schema(limits, "on").compiled_reads.compiler


def statement(compiler, query: str, variables: dict) -> tuple[str, list]:
    prepared = compiler.prepare(query, None, parse(query))
    plan, coerced = compiler.plan(prepared, query, variables, False)
    return plan.sql, compiler.bind(plan, coerced, uuid.uuid4())


def test_a_filter_the_request_does_not_give_is_not_in_the_statement():
    reads = compiler()
    bare, values = statement(reads, ACCOUNTS, {})
    assert "ILIKE" not in bare
    assert "ANY(" not in bare
    assert "IS NULL" not in bare
    assert values == [5]

    named, values = statement(reads, ACCOUNTS, {"filter": {"nameContains": "acme"}})
    assert "ILIKE $2::text" in named
    assert "ANY(" not in named
    assert values == [5, "%acme%"]

    # Each combination is its own variant, and the first one is still served as it was.
    assert statement(reads, ACCOUNTS, {"filter": {"status": ["ACTIVE"]}})[1] == [5, ["ACTIVE"]]
    assert statement(reads, ACCOUNTS, {"filter": {}}) == (bare, [5])
    assert statement(reads, ACCOUNTS, {"filter": {"nameContains": "beta"}}) == (named, [5, "%beta%"])


def test_the_timeline_gets_only_the_filters_it_is_given():
    reads = compiler()
    account = ids.encode("Account", uuid.uuid4())
    bare, _ = statement(reads, TIMELINE, {"id": account})
    assert "IS NULL OR" not in bare
    assert "entry_invoices" not in bare
    kinds, values = statement(reads, TIMELINE, {"id": account, "filter": {"kinds": ["NOTE"]}})
    assert ".kind = ANY(" in kinds
    assert values[-1] == ["NOTE"]


def test_a_cursor_the_executor_would_refuse_is_the_executors_to_answer():
    reads = compiler()
    prepared = reads.prepare(ACCOUNTS, None, parse(ACCOUNTS))
    assert reads.plan(prepared, ACCOUNTS, {"after": "not a cursor"}, False) is None
    assert reads.plan(prepared, ACCOUNTS, {}, False) is not None


def test_variants_count_towards_the_plans_kept(monkeypatch):
    """Filters in every combination cannot grow memory: each variant is one of the PLANS_KEPT entries."""
    monkeypatch.setattr(plans, "PLANS_KEPT", 4)
    reads = compiler()
    combinations = [
        {"status": ["ACTIVE"]},
        {"tags": ["vip"]},
        {"nameContains": "a"},
        {"status": ["ACTIVE"], "tags": ["vip"]},
        {"tags": ["vip"], "nameContains": "a"},
        {"status": ["CLOSED"], "nameContains": "a"},
        {},
    ]
    for flt in combinations * 2:
        sql, _ = statement(reads, ACCOUNTS, {"filter": flt})
        assert ("ILIKE" in sql) == ("nameContains" in flt)
    assert len(reads._plans) <= 4
