"""Compiled reads when the compiler is wrong, or must not answer alone.

A deliberate bug in the catalog (a wrong format, a missing visibility filter)
must be seen by shadow mode's comparison; a statement Postgres refuses must
fall back to the executor with one ERROR line; a plan must never serve one
caller's visibility to another; and the path that skips Strawberry must still
refuse a document whose variables make it too costly.
"""

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY

from compiler import catalog, rules
from domain.teams import Team
from tests.conftest import Caller, app_client

NEW_ACCOUNT = """
mutation NewAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { code message field } }
}
"""

LOG_NOTE = """
mutation LogNote($input: LogNoteInput!) {
  logNote(input: $input) { entry { id } userErrors { code message field } }
}
"""

TIMELINE = """
query Timeline($id: ID!) {
  account(id: $id) { timeline(first: 10) { edges { node { id summary occurredAt author { name } } } } }
}
"""


@contextlib.asynccontextmanager
async def served(settings, caller: Caller, mode: str) -> AsyncIterator[Caller]:
    """The caller, talking to an API of its own with RAPPORT_COMPILED_READS=mode."""
    async with app_client(settings, compiled_reads=mode) as (_, client):
        yield Caller(http=client, user=caller.user, token=caller.token)


async def account_with_notes(writer: Caller, *visibilities: str) -> tuple[str, list[str]]:
    """A new account with one note per visibility; its id and the notes' ids."""
    created = await writer.gql(NEW_ACCOUNT, {"input": {"name": f"Faults {uuid.uuid4().hex[:8]}"}})
    account = created["createAccount"]["account"]["id"]
    notes = []
    for visibility in visibilities:
        logged = await writer.gql(
            LOG_NOTE,
            {"input": {"accountId": account, "summary": f"{visibility} note", "visibility": visibility}},
        )
        assert logged["logNote"]["userErrors"] == []
        notes.append(logged["logNote"]["entry"]["id"])
    return account, notes


def mismatches(operation: str) -> float:
    return (
        REGISTRY.get_sample_value("rapport_compiled_read_mismatches_total", {"operation": operation}) or 0.0
    )


def query_lines(caplog) -> list:
    return [r for r in caplog.records if r.name == "rapport.http" and r.operation_type == "query"]


def read_paths(caplog) -> list[str]:
    return [r.read_path for r in query_lines(caplog)]


def node_ids(data: dict) -> list[str]:
    return [edge["node"]["id"] for edge in data["account"]["timeline"]["edges"]]


@pytest.mark.read_mismatches_expected
async def test_shadow_mode_sees_a_wrong_format_and_serves_the_executors_answer(
    settings, admin, monkeypatch, caplog
):
    account, _ = await account_with_notes(admin, "ALL_TEAMS")
    monkeypatch.setitem(catalog.USER, "name", rules.column("upper({t}.name)"))
    before = mismatches("Timeline")
    caplog.set_level(logging.INFO)
    # when
    async with served(settings, admin, "shadow") as caller:
        data = await caller.gql(TIMELINE, {"id": account})
    # then
    assert data["account"]["timeline"]["edges"][0]["node"]["author"]["name"] == admin.user.name
    assert mismatches("Timeline") == before + 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "rapport.compiled_reads"]
    assert len(warnings) == 1
    assert "Timeline" in warnings[0]
    assert not any(admin.user.name.upper() in r.getMessage() for r in caplog.records)
    assert read_paths(caplog) == ["shadow"]


@pytest.mark.read_mismatches_expected
async def test_shadow_mode_sees_a_missing_visibility_filter(settings, make_caller, monkeypatch):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    account, _ = await account_with_notes(ar, "ALL_TEAMS", "RESTRICTED")
    monkeypatch.setattr(rules, "visible", lambda build, entry: "")
    before = mismatches("Timeline")
    # when
    async with served(settings, sales, "shadow") as caller:
        shadowed = await caller.gql(TIMELINE, {"id": account})
    async with served(settings, sales, "on") as caller:
        compiled = await caller.gql(TIMELINE, {"id": account})
    # then
    assert len(node_ids(shadowed)) == 1
    assert len(node_ids(compiled)) == 2  # what the bug would serve
    assert mismatches("Timeline") == before + 1


async def test_a_statement_postgres_refuses_falls_back_with_one_error_line(
    settings, admin, monkeypatch, caplog
):
    account, _ = await account_with_notes(admin, "ALL_TEAMS")
    monkeypatch.setitem(catalog.USER, "name", rules.column("{t}.no_such_column"))
    caplog.set_level(logging.INFO)
    # when
    async with served(settings, admin, "on") as caller:
        data = await caller.gql(TIMELINE, {"id": account})
    # then
    assert data["account"]["timeline"]["edges"][0]["node"]["author"]["name"] == admin.user.name
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["compiled read failed with UndefinedColumnError (SQLSTATE 42703)"]
    assert read_paths(caplog) == ["fallback"]


async def test_one_document_is_planned_per_visibility(settings, make_caller, caplog):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    account, (shared, restricted) = await account_with_notes(ar, "ALL_TEAMS", "RESTRICTED")
    caplog.set_level(logging.INFO)
    # when: the same text, first from AR, then from SALES, on one server
    async with app_client(settings, compiled_reads="on") as (_, client):
        seen_by_ar = await Caller(http=client, user=ar.user, token=ar.token).gql(TIMELINE, {"id": account})
        seen_by_sales = await Caller(http=client, user=sales.user, token=sales.token).gql(
            TIMELINE, {"id": account}
        )
    # then
    assert set(node_ids(seen_by_ar)) == {shared, restricted}
    assert node_ids(seen_by_sales) == [shared]
    assert read_paths(caplog) == ["compiled", "compiled"]


async def test_the_path_around_strawberry_still_checks_the_cost(settings, admin, caplog):
    nested = """
    query Nested($a: Int, $b: Int) {
      accounts(first: $a) { edges { node { timeline(first: $b) { edges { cursor } } } } }
    }
    """
    caplog.set_level(logging.INFO)
    async with served(settings, admin, "on") as caller:
        # given: the document is known valid and compiled
        await caller.gql(nested, {"a": 1, "b": 1})
        # when
        response = await caller.post(nested, {"a": 100, "b": 100})
    # then
    body = response.json()
    assert "data" not in body
    assert "query cost limit" in body["errors"][0]["message"]
    assert read_paths(caplog)[0] == "compiled"


async def test_a_document_seen_valid_is_answered_without_strawberry(settings, admin, monkeypatch, caplog):
    account, _ = await account_with_notes(admin, "ALL_TEAMS")
    caplog.set_level(logging.INFO)
    async with app_client(settings, compiled_reads="on") as (app, client):
        executed = []
        execute = app.state.schema.execute

        async def counted(*args: object, **kwargs: object) -> object:
            executed.append(kwargs.get("operation_name"))
            return await execute(*args, **kwargs)

        monkeypatch.setattr(app.state.schema, "execute", counted)
        caller = Caller(http=client, user=admin.user, token=admin.token)
        # when: the same text three times, the request naming no operation
        answers = [await caller.gql(TIMELINE, {"id": account}) for _ in range(3)]
    # then: Strawberry parsed and validated it once
    assert executed == [None]
    assert answers[0] == answers[1] == answers[2]
    assert read_paths(caplog) == ["compiled"] * 3
    operations = [r.operation for r in query_lines(caplog)]
    assert operations == ["Timeline"] * 3
