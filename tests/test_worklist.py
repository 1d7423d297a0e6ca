"""The worklist and the calls that close the loop, with pinned dates.

Journey: a SALES user logs DOWNSIZING news on an account whose AR owner is Ada;
Ada hears of it, and her worklist tomorrow shows the follow-up the rep assigned
to her, ordered by her contacts' windows across time zones; her NO_ANSWER call
completes it and schedules the next in the same transaction.
"""

import uuid
from datetime import UTC, datetime, timedelta

from domain import worklist
from domain.teams import Team
from schema import ids
from tests.test_inbox import FOLLOW_UP, NEWS, OWNER, _account, _inbox, _uid

ERRORS = "userErrors { code message field }"
CONTACT = """
mutation ($a: ID!, $name: String!, $tz: String!, $start: String!, $end: String!) {
  createContact(input: {accountId: $a, name: $name, phone: "+1 555 0100", timeZone: $tz,
    windows: [{kind: PREFERRED, startTime: $start, endTime: $end}]}) { contact { id } }
}
"""
FOLLOW_UP_WITH_CONTACT = f"""
mutation ($a: ID!, $to: ID, $due: DateTime!, $c: ID, $s: String!) {{
  createFollowUp(input: {{accountId: $a, summary: $s, dueAt: $due, assigneeId: $to, contactId: $c}}) {{
    entry {{ id }} {ERRORS}
  }}
}}
"""
WORKLIST = """
query ($at: DateTime, $dueBy: DateTime, $who: ID) {
  worklist(at: $at, dueBy: $dueBy, assigneeId: $who) {
    edges { node {
      followUp { id summary done mentions { id } }
      account { id } contact { name } overdue reachableNow nextReachableAt reasons
    } }
  }
}
"""
CALL = f"""
mutation ($input: LogInteractionInput!) {{ logInteraction(input: $input) {{ entry {{ id kind }} {ERRORS} }} }}
"""
SNOOZE = f"""
mutation ($input: SnoozeFollowUpInput!) {{ snoozeFollowUp(input: $input) {{ entry {{ id }} {ERRORS} }} }}
"""
REASSIGN = f"""
mutation ($id: ID!, $to: ID!) {{ reassignFollowUp(id: $id, assigneeId: $to) {{ entry {{ id }} {ERRORS} }} }}
"""
TIMELINE = """
query ($a: ID!) { account(id: $a) { timeline(first: 20) { edges { node { id kind
  ... on FollowUp { done dueAt } ... on Interaction { outcome } } } } } }
"""
# Thursday 2030-01-10, 14:00 UTC: 09:00 in New York, 15:00 in Berlin, 22:00 in Singapore.
AT = "2030-01-10T14:00:00+00:00"


async def _contact(caller, account, name, tz, start, end) -> str:
    variables = {"a": account, "name": name, "tz": tz, "start": start, "end": end}
    return (await caller.gql(CONTACT, variables))["createContact"]["contact"]["id"]


async def test_journey_news_reaches_the_owner_and_her_worklist_closes_the_loop(make_caller):
    sam = await make_caller(Team.SALES, "Sam Sales")
    ada = await make_caller(Team.AR, "Ada Ar")
    account = await _account(sam)
    await sam.gql(OWNER, {"input": {"accountId": account, "team": "AR", "userId": _uid(ada)}})
    # when: sales logs the news and asks Ada to call, in Berlin hours and in Singapore hours
    news = (await sam.gql(NEWS, {"a": account}))["logNews"]["entry"]["id"]
    berlin = await _contact(sam, account, "Berta Berlin", "Europe/Berlin", "09:00", "17:00")
    singapore = await _contact(sam, account, "Sing Apore", "Asia/Singapore", "09:00", "17:00")
    new_york = await _contact(sam, account, "Ny York", "America/New_York", "08:00", "12:00")

    async def follow_up(contact, due, summary):
        variables = {"a": account, "to": _uid(ada), "due": due, "c": contact, "s": summary}
        return (await sam.gql(FOLLOW_UP_WITH_CONTACT, variables))["createFollowUp"]["entry"]["id"]

    late = await follow_up(singapore, "2030-01-10T16:00:00Z", "Singapore, due later, closed now")
    berlin_call = await follow_up(berlin, "2030-01-10T17:00:00Z", "Berlin, reachable")
    overdue = await follow_up(singapore, "2030-01-10T08:00:00Z", "Overdue, not reachable")
    early = await follow_up(new_york, "2030-01-10T18:00:00Z", "New York, reachable")
    tomorrow = await follow_up(berlin, "2030-01-11T09:00:00Z", "Not today")
    # then: one FOLLOWED_ACTIVITY item (the follow-ups are ASSIGNED ones)
    reasons = {e["node"]["entry"]["id"]: e["node"]["reason"] for e in (await _inbox(ada))["edges"]}
    assert reasons[news] == "FOLLOWED_ACTIVITY"
    assert sorted(reasons.values()).count("FOLLOWED_ACTIVITY") == 1
    assert reasons[late] == "ASSIGNED"
    # her worklist that day: overdue first, then reachable now by due time, then the rest
    listed = (await ada.gql(WORKLIST, {"at": AT}))["worklist"]["edges"]
    assert [e["node"]["followUp"]["id"] for e in listed] == [overdue, berlin_call, early, late]
    first = listed[0]["node"]
    assert first["overdue"] is True
    assert first["reachableNow"] is False
    assert first["contact"] == {"name": "Sing Apore"}
    assert first["nextReachableAt"] == "2030-01-11T01:00:00+00:00"
    assert first["reasons"][0].startswith("Overdue")
    assert listed[1]["node"]["reachableNow"] is True
    assert "reachable now" in listed[1]["node"]["reasons"][1]
    assert tomorrow not in [e["node"]["followUp"]["id"] for e in listed]
    # Sam's own worklist is empty; Ada's is readable for her lead by assigneeId
    assert (await sam.gql(WORKLIST, {"at": AT}))["worklist"]["edges"] == []
    assert len((await sam.gql(WORKLIST, {"at": AT, "who": _uid(ada)}))["worklist"]["edges"]) == 4
    # when: Ada calls Berlin, NO_ANSWER, completing it and scheduling the call back tomorrow
    call = await ada.gql(
        CALL,
        {
            "input": {
                "accountId": account,
                "kind": "CALL",
                "direction": "OUTBOUND",
                "outcome": "NO_ANSWER",
                "summary": "No answer",
                "contactId": berlin,
                "completesFollowUpId": berlin_call,
                "nextFollowUp": {"summary": "Call Berta back", "dueAt": "2030-01-10T15:30:00Z"},
            }
        },
    )
    assert call["logInteraction"]["userErrors"] == []
    listed = (await ada.gql(WORKLIST, {"at": AT}))["worklist"]["edges"]
    summaries = [e["node"]["followUp"]["summary"] for e in listed]
    assert "Berlin, reachable" not in summaries
    assert "Call Berta back" in summaries
    timeline = (await ada.gql(TIMELINE, {"a": account}))["account"]["timeline"]["edges"]
    kinds = {e["node"]["id"]: e["node"] for e in timeline}
    assert kinds[berlin_call]["done"] is True
    assert kinds[call["logInteraction"]["entry"]["id"]]["outcome"] == "NO_ANSWER"
    # completing it twice is refused and writes nothing
    again = await ada.gql(
        CALL,
        {
            "input": {
                "accountId": account,
                "kind": "CALL",
                "direction": "OUTBOUND",
                "summary": "Again",
                "completesFollowUpId": berlin_call,
            }
        },
    )
    assert again["logInteraction"]["userErrors"][0]["code"] == "CONFLICT"
    assert again["logInteraction"]["userErrors"][0]["field"] == ["input", "completesFollowUpId"]
    after = (await ada.gql(TIMELINE, {"a": account}))["account"]["timeline"]["edges"]
    assert len(after) == len(timeline)


async def test_snooze_and_reassign_keep_a_history_and_refuse_bad_input(make_caller, pool):
    sam = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    bob = await make_caller(Team.AR)
    account = await _account(sam)
    created = await sam.gql(FOLLOW_UP, {"a": account, "to": _uid(ada), "due": "2030-01-01T09:00:00Z"})
    follow_up = created["createFollowUp"]["entry"]["id"]
    past = await ada.gql(SNOOZE, {"input": {"id": follow_up, "dueAt": "2020-01-01T09:00:00Z"}})
    assert past["snoozeFollowUp"]["userErrors"][0]["field"] == ["input", "dueAt"]
    snoozed = await ada.gql(
        SNOOZE, {"input": {"id": follow_up, "dueAt": "2030-02-01T09:00:00Z", "reason": "Holiday"}}
    )
    assert snoozed["snoozeFollowUp"]["userErrors"] == []
    moved = await ada.gql(REASSIGN, {"id": follow_up, "to": _uid(bob)})
    assert moved["reassignFollowUp"]["userErrors"] == []
    assert [e["node"]["reason"] for e in (await _inbox(bob))["edges"]] == ["ASSIGNED"]
    unknown = ids.encode("User", uuid.uuid4())
    refused = await ada.gql(REASSIGN, {"id": follow_up, "to": unknown})
    assert refused["reassignFollowUp"]["userErrors"][0]["code"] == "NOT_FOUND"
    async with pool.acquire() as conn:
        entry_id = ids.decode(follow_up)[1]
        history = await conn.fetch(
            "SELECT action, before, after FROM audit_log WHERE entity_id = $1 ORDER BY id", entry_id
        )
        row = await conn.fetchrow("SELECT due_at, assignee_id FROM entries WHERE id = $1", entry_id)
    assert [h["action"] for h in history] == ["createFollowUp", "snoozeFollowUp", "reassignFollowUp"]
    assert history[1]["before"]["dueAt"].startswith("2030-01-01")
    assert history[1]["after"]["reason"] == "Holiday"
    assert row["assignee_id"] == bob.user.id


async def test_a_restricted_call_back_cannot_go_to_sales(make_caller):
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES, "Sam Cannot")
    account = await _account(ada)
    refused = await ada.gql(
        CALL,
        {
            "input": {
                "accountId": account,
                "kind": "CALL",
                "direction": "OUTBOUND",
                "summary": "Payment trouble",
                "visibility": "RESTRICTED",
                "nextFollowUp": {
                    "summary": "Call back",
                    "dueAt": "2030-01-01T09:00:00Z",
                    "assigneeId": _uid(sam),
                },
            }
        },
    )
    error = refused["logInteraction"]["userErrors"][0]
    assert error["field"] == ["input", "nextFollowUp", "assigneeId"]
    assert "Sam Cannot" in error["message"]
    assert (await ada.gql(TIMELINE, {"a": account}))["account"]["timeline"]["edges"] == []


PAGED = """
query ($at: DateTime, $first: Int, $after: String) {
  worklist(at: $at, first: $first, after: $after) {
    edges { cursor node { followUp { id } reachableNow } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_pages_of_a_long_day_follow_the_whole_days_order(make_caller):
    """A page judges only the rows that can reach it (overdue ones fill it first); pages of two
    must still be the whole day's order cut in pieces."""
    sam = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    account = await _account(sam)
    new_york = await _contact(sam, account, "Ny Open", "America/New_York", "08:00", "12:00")
    singapore = await _contact(sam, account, "Sing Closed", "Asia/Singapore", "09:00", "17:00")
    for contact, due, summary in [
        (singapore, "2030-01-10T08:00:00Z", "overdue, closed"),
        (singapore, "2030-01-10T09:00:00Z", "overdue, closed, later"),
        (new_york, "2030-01-10T10:00:00Z", "overdue, open: first"),
        (new_york, "2030-01-10T15:00:00Z", "due later, open"),
        (None, "2030-01-10T16:00:00Z", "due later, the brief's suggestion"),
    ]:
        variables = {"a": account, "to": _uid(ada), "due": due, "c": contact, "s": summary}
        assert (await sam.gql(FOLLOW_UP_WITH_CONTACT, variables))["createFollowUp"]["userErrors"] == []
    whole = (await ada.gql(PAGED, {"at": AT, "first": 50}))["worklist"]
    order = [e["node"]["followUp"]["id"] for e in whole["edges"]]
    assert len(order) == 5
    assert [e["node"]["reachableNow"] for e in whole["edges"]][:3] == [True, False, False]
    paged, after = [], None
    while True:
        page = (await ada.gql(PAGED, {"at": AT, "first": 2, "after": after}))["worklist"]
        paged += [e["node"]["followUp"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == order


def test_rows_due_later_cannot_place_while_the_overdue_fill_the_places():
    at = datetime(2030, 1, 10, 14, tzinfo=UTC)
    due = [at - timedelta(hours=3), at - timedelta(hours=1), at, at + timedelta(hours=2)]
    assert worklist.rows_that_can_place(due, at, 1) == 2
    assert worklist.rows_that_can_place(due, at, 2) == 2
    assert worklist.rows_that_can_place(due, at, 3) == 4  # not overdue at `at` itself
    assert worklist.rows_that_can_place([], at, 50) == 0
