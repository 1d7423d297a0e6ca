"""RESTRICTED entries on the compiled path: hidden from SALES and SERVICE, shown to AR and ADMIN, everywhere.

Each case asserts three things: the compiled app answered in SQL, its answer is
the executor's, and the restricted entries are (or are not) in it: the last so
that a compiler and an executor that both leaked would not pass together.
"""

import pytest

from domain.teams import Team

HIDDEN = [Team.SALES, Team.SERVICE]
SHOWN = [Team.AR, Team.ADMIN]
every_team = pytest.mark.parametrize("team", HIDDEN + SHOWN, ids=lambda team: team.value)

TIMELINE = """
query($id: ID!) { account(id: $id) { timeline(first: 100) { edges { node { id visibility } } } } }
"""
PINNED = "query($id: ID!) { account(id: $id) { pinned { id visibility summary } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on TimelineEntry { visibility summary body } } }"
INVOICE_TIMELINE = """
query($id: ID!) {
  node(id: $id) { ... on Invoice { timeline(first: 100) { edges { node { id visibility } } } } }
}
"""
FRAGMENTS = """
query($id: ID!) {
  account(id: $id) {
    timeline(first: 100, filter: {kinds: [NOTE, CALL, NEWS]}) { edges { node { ...Seen } } }
    pinned { ...Seen }
  }
}
fragment Seen on Node {
  id ... on TimelineEntry { visibility ... on Note { summary } ... on CustomerNews { category } }
}
"""
INVOICE_ENTRIES = """
query($id: ID!) { account(id: $id) { invoices { edges { node { timeline { edges { node { id } } } } } } } }
"""
CONTACT_FILTER = """
query($id: ID!, $contact: ID!) {
  account(id: $id) { timeline(first: 100, filter: {contactId: $contact}) { edges { node { id } } } }
}
"""


def ids_in(value: object) -> set[str]:
    """Every `id` anywhere in a JSON value."""
    if isinstance(value, dict):
        found = {value["id"]} if isinstance(value.get("id"), str) else set()
        return found.union(*(ids_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(ids_in(v) for v in value))
    return set()


def expect(team: Team, body: dict, restricted: list[str], shown_here: set[str]) -> None:
    seen = ids_in(body["data"]) & set(restricted)
    if team in HIDDEN:
        assert not seen, f"{team.value} sees RESTRICTED entries {seen}"
    else:
        assert seen == shown_here, f"{team.value} misses RESTRICTED entries {shown_here - seen}"


@every_team
async def test_the_timeline_list(world, team):
    diff, w = world
    body = await diff.check(TIMELINE, {"id": w.main}, team)
    expect(team, body, w.restricted, set(w.restricted))


@every_team
async def test_pinned(world, team):
    diff, w = world
    body = await diff.check(PINNED, {"id": w.main}, team)
    expect(team, body, w.restricted, {w.entries["note restricted"]})


@every_team
async def test_node(world, team):
    diff, w = world
    for entry in w.restricted:
        body = await diff.check(NODE, {"id": entry}, team)
        if team in HIDDEN:
            assert body["data"]["node"] is None
        else:
            assert body["data"]["node"]["id"] == entry


@every_team
async def test_nested_invoice_timeline(world, team):
    diff, w = world
    body = await diff.check(INVOICE_TIMELINE, {"id": w.invoices[0]}, team)
    expect(team, body, w.restricted, {w.entries["note restricted"]})
    body = await diff.check(INVOICE_ENTRIES, {"id": w.main}, team)
    expect(team, body, w.restricted, {w.entries["note restricted"]})


@every_team
async def test_through_fragments(world, team):
    diff, w = world
    body = await diff.check(FRAGMENTS, {"id": w.main}, team)
    expect(team, body, w.restricted, set(w.restricted))  # every restricted entry is a note, call or news


@every_team
async def test_filtered_by_contact(world, team):
    diff, w = world
    body = await diff.check(CONTACT_FILTER, {"id": w.main, "contact": w.contacts[0]}, team)
    expect(team, body, w.restricted, {w.entries["call restricted"]})
