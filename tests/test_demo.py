"""`rapport demo`: loads once, tells the same story every time, and shows what Rapport is for."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from api import migrate
from tests.conftest import create_database, drop_database
from tests.test_cli import rapport

BY_REF = 'query ($id: String!) { accountByExternalRef(ref: {system: "demo", id: $id}) { id name } }'
QUEUE = """
query ($after: String) {
  collectionsQueue(first: 100, after: $after) {
    edges { node { account { id } priority flags reasons suggestedContact { contact { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SEARCH = """
query ($q: String!, $account: ID!) {
  search(query: $q, filter: {accountId: $account}) { hits { entry { summary } } }
}
"""
BRIEF = """
query ($id: ID!, $at: DateTime) {
  account(id: $id) {
    callBrief(at: $at) {
      flags
      whoToContact { contact { name } reason reachability { reachable reason } }
      brokenPromises { summary status }
      openPromises { summary }
      openDisputes { summary reason status }
      recentNews { summary category team }
      openFollowUps { summary }
    }
  }
}
"""

MY_DAY = """
{
  worklist { edges { node { followUp { summary } account { name } } } }
  inbox { unreadCount edges { node { reason entry { summary author { name } } } } }
}
"""


@pytest.fixture(scope="module")
def first_load(settings):
    """The demo, loaded once into the test database (tests share it: the demo's accounts are its own)."""
    return rapport("demo", DATABASE_URL=settings.database_url)


@pytest.fixture
async def demo_ids(first_load, admin) -> dict[str, str]:
    assert first_load.returncode == 0, first_load.stderr
    refs = ("northwind", "contoso", "fabrikam", "tailspin", "adventure-works", "wide-world", "litware")
    refs += ("vanarsdel", "blue-yonder")
    return {ref: (await admin.gql(BY_REF, {"id": ref}))["accountByExternalRef"]["id"] for ref in refs}


async def test_the_demo_loads_once_and_refuses_a_second_time(first_load, settings):
    assert first_load.returncode == 0, first_load.stderr
    assert "Loaded the demo: 20 customers" in first_load.stdout
    assert "sam.sales@demo.example (SALES)" in first_load.stdout
    assert first_load.stdout.split("(shown once):\n")[1].split()[0].startswith("rpt_")

    again = await asyncio.to_thread(rapport, "demo", DATABASE_URL=settings.database_url)
    assert again.returncode == 1
    assert "the demo data is already in this database" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


async def test_the_queue_ranks_the_demo_accounts_with_their_flags(demo_ids, admin):
    queue, after = {}, None
    while True:
        page = (await admin.gql(QUEUE, {"after": after}))["collectionsQueue"]
        queue |= {edge["node"]["account"]["id"]: edge["node"] for edge in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    def flags(ref: str) -> set[str]:
        return set(queue[demo_ids[ref]]["flags"])

    # Whether someone is reachable depends on the hour the test runs; the rest does not.
    assert flags("northwind") >= {"BROKEN_PROMISE", "FINANCIAL_DIFFICULTY_NEWS"}
    assert flags("vanarsdel") >= {"BROKEN_PROMISE"}
    assert flags("wide-world") >= {"SEVERELY_OVERDUE", "NO_BILLING_CONTACT"}
    assert flags("litware") >= {"DO_NOT_CONTACT", "NOT_REACHABLE_NOW"}
    assert flags("fabrikam") >= {"OPEN_DISPUTE"}
    assert flags("adventure-works") >= {"OPEN_PROMISE"}
    assert queue[demo_ids["adventure-works"]]["priority"] < 0  # a promise not yet due: wait for it
    assert any("broken" in reason for reason in queue[demo_ids["northwind"]]["reasons"])
    assert queue[demo_ids["northwind"]]["suggestedContact"]["contact"]["name"] == "Tom Hale"
    # Paid up, or not yet due: nothing to chase.
    assert demo_ids["tailspin"] not in queue
    assert demo_ids["blue-yonder"] not in queue


def _local(day: date, zone: str) -> str:
    return datetime.combine(day, time(10), ZoneInfo(zone)).astimezone(UTC).isoformat()


def _tuesday(on_or_after: date) -> date:
    return on_or_after + timedelta(days=(1 - on_or_after.weekday()) % 7)


async def test_the_call_brief_knows_the_clerk_is_away_the_third_week_of_every_month(demo_ids, make_caller):
    from domain.teams import Team

    ar = await make_caller(Team.AR)
    month = date.today().replace(day=1)
    third_week = _tuesday(month + timedelta(days=14))  # days 15-21
    first_week = _tuesday(month)  # days 1-7
    away = await ar.gql(BRIEF, {"id": demo_ids["contoso"], "at": _local(third_week, "Europe/Berlin")})
    back = await ar.gql(BRIEF, {"id": demo_ids["contoso"], "at": _local(first_week, "Europe/Berlin")})
    away, back = away["account"]["callBrief"], back["account"]["callBrief"]
    assert "NOT_REACHABLE_NOW" in away["flags"]
    klaus = away["whoToContact"][0]
    assert klaus["contact"]["name"] == "Klaus Becker"
    assert not klaus["reachability"]["reachable"]
    assert "third week of the month" in klaus["reachability"]["reason"]
    assert "NOT_REACHABLE_NOW" not in back["flags"]
    assert back["whoToContact"][0]["reachability"]["reachable"]


async def test_the_call_brief_tells_ar_what_sales_and_service_heard(demo_ids, make_caller):
    from domain.teams import Team

    ar = await make_caller(Team.AR)
    northwind = (await ar.gql(BRIEF, {"id": demo_ids["northwind"]}))["account"]["callBrief"]
    assert {"BROKEN_PROMISE", "FINANCIAL_DIFFICULTY_NEWS"} <= set(northwind["flags"])
    assert [(n["category"], n["team"]) for n in northwind["recentNews"]] == [("DOWNSIZING", "SALES")]
    assert [p["status"] for p in northwind["brokenPromises"]] == ["BROKEN"]
    assert len(northwind["openFollowUps"]) == 1
    # the follow-up says to call Tom Hale, and so does the brief
    assert [s["contact"]["name"] for s in northwind["whoToContact"]] == ["Tom Hale", "Margaret Pike"]
    assert northwind["whoToContact"][0]["reason"].startswith('open follow-up: "Call Tom Hale, not Margaret')
    fabrikam = (await ar.gql(BRIEF, {"id": demo_ids["fabrikam"]}))["account"]["callBrief"]
    assert [(d["reason"], d["status"]) for d in fabrikam["openDisputes"]] == [("QUANTITY", "OPEN")]
    adventure = (await ar.gql(BRIEF, {"id": demo_ids["adventure-works"]}))["account"]["callBrief"]
    assert len(adventure["openPromises"]) == 1


async def test_ada_starts_her_day_with_a_follow_up_due_and_one_from_sales(demo_ids, first_load, http):
    """What My day shows a new user signed in as Ada (and the README's screenshot of it)."""
    token = first_load.stdout.split("(shown once):\n")[1].split()[0]
    response = await http.post(
        "/graphql", json={"query": MY_DAY}, headers={"Authorization": f"Bearer {token}"}
    )
    day = response.json()["data"]
    assert [
        (e["node"]["account"]["name"], e["node"]["followUp"]["summary"]) for e in day["worklist"]["edges"]
    ] == [("Northwind Traders", "Call Tom Hale, not Margaret, about the broken promise on NW-1041")]
    assert day["inbox"]["unreadCount"] == 1
    [item] = [e["node"] for e in day["inbox"]["edges"]]
    assert (item["reason"], item["entry"]["author"]["name"]) == ("ASSIGNED", "Sam Patel")
    assert item["entry"]["summary"].startswith("Their buyer called me")


async def test_the_demo_goes_through_the_outbox_into_search(demo_ids, admin):
    """The worker indexes what the demo queued; a busy Meilisearch only delays it."""
    deadline, leeds = monotonic() + 60, []
    while not leeds and monotonic() < deadline:
        response = await admin.post(SEARCH, {"q": "Leeds plant", "account": demo_ids["northwind"]})
        hits = (response.json().get("data") or {}).get("search", {}).get("hits", [])
        leeds = [h for h in hits if h["entry"] and "Leeds plant" in h["entry"]["summary"]]
        await asyncio.sleep(0.2)
    assert leeds, response.text


FINGERPRINT = {
    "accounts": """
        SELECT r.external_id, a.name, a.status, a.tags, a.time_zone
          FROM accounts a JOIN account_refs r ON r.account_id = a.id WHERE r.system = 'demo'
         ORDER BY 1""",
    "contacts": """
        SELECT r.external_id, c.name, c.title, c.roles, c.email, c.phone, c.preferred_channel,
               c.language, c.do_not_contact,
               (SELECT array_agg(w.kind || coalesce(w.note, '') ORDER BY w.position)
                  FROM contact_windows w WHERE w.contact_id = c.id) AS windows
          FROM contacts c JOIN account_refs r ON r.account_id = c.account_id WHERE r.system = 'demo'
         ORDER BY 1, 2""",
    "invoices": """
        SELECT number, current_date - issued_on, current_date - due_on, currency, total, balance, status
          FROM invoices WHERE ext_system = 'demo' ORDER BY 1""",
    "entries": """
        SELECT r.external_id, e.kind, e.team, e.summary, e.visibility, u.email,
               current_date - (e.occurred_at AT TIME ZONE 'UTC')::date AS days_ago,
               e.amount, current_date - e.promised_for, e.dispute_status, e.installments::text
          FROM entries e JOIN account_refs r ON r.account_id = e.account_id
          LEFT JOIN users u ON u.id = e.author_id
         WHERE r.system = 'demo' ORDER BY 1, 7, 2, 4""",
    "preferences": """
        SELECT r.external_id, p.key, p.value, p.note
          FROM preferences p JOIN account_refs r ON r.account_id = p.account_id WHERE r.system = 'demo'
         ORDER BY 1, 2""",
}


async def _fingerprint(url: str) -> dict[str, list]:
    conn = await asyncpg.connect(url)
    try:
        return {name: [tuple(row) for row in await conn.fetch(sql)] for name, sql in FINGERPRINT.items()}
    finally:
        await conn.close()


async def test_the_demo_tells_the_same_story_every_time(first_load, settings, base_settings):
    assert first_load.returncode == 0, first_load.stderr
    name = f"rapport_demo_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        other = await asyncio.to_thread(rapport, "demo", DATABASE_URL=url)
        assert other.returncode == 0, other.stderr
        ours, theirs = await _fingerprint(settings.database_url), await _fingerprint(url)
    finally:
        await drop_database(base_settings.database_url, name)
    assert len(ours["accounts"]) == 20
    assert {row[1] for row in ours["entries"]} >= {"NOTE", "CALL", "EMAIL", "NEWS", "PROMISE_TO_PAY"}
    assert {row[2] for row in ours["entries"]} >= {"SALES", "SERVICE", "AR"}
    assert ours == theirs


def test_dev_offers_the_demo_on_an_empty_database_only(base_settings, monkeypatch, capsys):
    """What `make run` does before serving: a hint without a terminal, a question with one."""
    from dataclasses import replace

    import click

    from api.commands.data import offer_demo

    name = f"rapport_offer_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(create_database(base_settings.database_url, name))
    try:
        migrate.upgrade(url)
        settings = replace(base_settings, database_url=url)
        monkeypatch.setattr("sys.stdin.isatty", lambda: False)
        offer_demo(settings)
        hint = capsys.readouterr().out
        assert hint == "The database has no accounts yet: `.venv/bin/rapport demo` loads a demo dataset.\n"

        asked = []
        monkeypatch.setattr("sys.stdin.isatty", lambda: True)
        monkeypatch.setattr(click, "confirm", lambda text, default: asked.append((text, default)) or True)
        offer_demo(settings)
        assert asked == [("Load the demo data?", False)]
        assert "Loaded the demo: 20 customers" in capsys.readouterr().out

        offer_demo(settings)
        assert asked == [("Load the demo data?", False)]
        assert capsys.readouterr().out == ""
    finally:
        asyncio.run(drop_database(base_settings.database_url, name))
