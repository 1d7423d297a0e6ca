"""RESTRICTED entries: AR and ADMIN only, in every read path; for anyone else they do not exist.

Journey 8 (minus search): AR logs a RESTRICTED note about an invoice, pins it and edits it.
"""

import uuid
from dataclasses import dataclass

import pytest

from domain.teams import Team
from schema import ids

CREATE_ACCOUNT = """
mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { code message field } }
}
"""

UPSERT_INVOICES = """
mutation UpsertInvoices($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) { invoices { id } userErrors { code message field } }
}
"""

LOG_NOTE = """
mutation LogNote($input: LogNoteInput!) {
  logNote(input: $input) { entry { id visibility } userErrors { code message field } }
}
"""

EDIT_ENTRY = """
mutation EditEntry($input: EditEntryInput!) {
  editEntry(input: $input) { entry { id revision summary } userErrors { code message field } }
}
"""

PIN_ENTRY = """
mutation PinEntry($id: ID!, $pinned: Boolean!) {
  pinEntry(id: $id, pinned: $pinned) { entry { id pinned } userErrors { code message field } }
}
"""

DELETE_ENTRY = """
mutation DeleteEntry($id: ID!, $reason: String!) {
  deleteEntry(id: $id, reason: $reason) { deletedId userErrors { code message field } }
}
"""

ENTRY_FIELDS = """
fragment EntryFields on TimelineEntry {
  id kind summary body visibility pinned revision team
  author { id }
  invoices { id }
  revisions { revision summary body tags editedBy { id } editedAt }
}
"""

ACCOUNT_VIEWS = (
    """
query AccountViews($id: ID!, $invoiceId: ID!) {
  account(id: $id) {
    timeline(first: 100) { edges { node { ...EntryFields } } }
    notes: timeline(first: 100, filter: {kinds: [NOTE]}) { edges { node { id } } }
    aboutInvoice: timeline(first: 100, filter: {invoiceId: $invoiceId}) { edges { node { id } } }
    pinned { ...EntryFields }
    invoices(first: 10) { edges { node { id timeline(first: 100) { edges { node { id } } } } } }
  }
}
"""
    + ENTRY_FIELDS
)

NODE = (
    """
query Node($id: ID!) { node(id: $id) { id ...EntryFields } }
"""
    + ENTRY_FIELDS
)

INVOICE_TIMELINE = """
query InvoiceTimeline($id: ID!) {
  node(id: $id) { ... on Invoice { timeline(first: 100) { edges { node { id summary } } } } }
}
"""

TIMELINE_PAGE = """
query TimelinePage($id: ID!, $after: String) {
  account(id: $id) {
    timeline(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
  }
}
"""

SECRET = "Legal review before agency referral"
EDITED = "Legal review before agency referral (counsel engaged)"


def uid() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class Scene:
    account_id: str
    invoice_id: str
    restricted_id: str
    visible_id: str
    ar: object


@pytest.fixture
async def scene(make_caller) -> Scene:
    """AR's RESTRICTED note about an invoice, pinned and edited once; and a pinned note for all."""
    admin, ar = await make_caller(Team.ADMIN), await make_caller(Team.AR, name="Alex AR")
    account_ref = {"system": "erp", "id": uid()}
    created = await admin.gql(
        CREATE_ACCOUNT, {"input": {"name": f"Restricted {uid()}", "externalRefs": [account_ref]}}
    )
    account_id = created["createAccount"]["account"]["id"]
    invoice = {
        "externalRef": {"system": "erp", "id": uid()},
        "accountRef": account_ref,
        "number": f"INV-{uid()}",
        "issuedOn": "2026-01-01",
        "dueOn": "2026-01-31",
        "currency": "EUR",
        "total": "9800.00",
        "balance": "9800.00",
        "status": "OPEN",
    }
    invoice_id = (await ar.gql(UPSERT_INVOICES, {"input": [invoice]}))["upsertInvoices"]["invoices"][0]["id"]

    async def note(summary: str, visibility: str) -> str:
        data = await ar.gql(
            LOG_NOTE,
            {
                "input": {
                    "accountId": account_id,
                    "summary": summary,
                    "body": f"{summary}.",
                    "invoiceIds": [invoice_id],
                    "tags": ["collections"],
                    "visibility": visibility,
                }
            },
        )
        assert data["logNote"]["userErrors"] == []
        assert data["logNote"]["entry"]["visibility"] == visibility
        entry_id = data["logNote"]["entry"]["id"]
        pinned = await ar.gql(PIN_ENTRY, {"id": entry_id, "pinned": True})
        assert pinned["pinEntry"]["userErrors"] == []
        return entry_id

    visible_id = await note("Customer asked for copies of all invoices", "ALL_TEAMS")
    restricted_id = await note(SECRET, "RESTRICTED")
    edited = await ar.gql(
        EDIT_ENTRY, {"input": {"id": restricted_id, "expectedRevision": 1, "summary": EDITED}}
    )
    assert edited["editEntry"]["userErrors"] == []
    assert edited["editEntry"]["entry"]["revision"] == 2
    return Scene(account_id, invoice_id, restricted_id, visible_id, ar)


def ids_in(connection: dict) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


HIDDEN_FROM = [Team.SALES, Team.SERVICE, Team.INTEGRATION]


@pytest.mark.parametrize("team", HIDDEN_FROM, ids=lambda t: t.value)
async def test_other_teams_do_not_see_it_in_any_read_path(make_caller, scene, team):
    viewer = await make_caller(team)
    # when
    account = (await viewer.gql(ACCOUNT_VIEWS, {"id": scene.account_id, "invoiceId": scene.invoice_id}))[
        "account"
    ]
    by_node = (await viewer.gql(NODE, {"id": scene.restricted_id}))["node"]
    invoice_timeline = (await viewer.gql(INVOICE_TIMELINE, {"id": scene.invoice_id}))["node"]["timeline"]
    # then: the note for all teams is there, the RESTRICTED one nowhere
    assert scene.visible_id in ids_in(account["timeline"])
    assert scene.restricted_id not in ids_in(account["timeline"])
    assert ids_in(account["notes"]) == [scene.visible_id]
    assert scene.visible_id in ids_in(account["aboutInvoice"])
    assert scene.restricted_id not in ids_in(account["aboutInvoice"])
    assert [entry["id"] for entry in account["pinned"]] == [scene.visible_id]
    nested = account["invoices"]["edges"][0]["node"]["timeline"]
    assert scene.visible_id in ids_in(nested)
    assert scene.restricted_id not in ids_in(nested)
    assert by_node is None
    assert scene.visible_id in ids_in(invoice_timeline)
    assert scene.restricted_id not in ids_in(invoice_timeline)
    assert all(edge["node"]["summary"] not in (SECRET, EDITED) for edge in invoice_timeline["edges"])


@pytest.mark.parametrize("team", HIDDEN_FROM, ids=lambda t: t.value)
async def test_other_teams_page_through_the_timeline_as_if_it_did_not_exist(make_caller, scene, team):
    viewer = await make_caller(team)
    seen, after = [], None
    while True:
        timeline = (await viewer.gql(TIMELINE_PAGE, {"id": scene.account_id, "after": after}))["account"][
            "timeline"
        ]
        assert len(timeline["edges"]) == 1
        seen.extend(ids_in(timeline))
        if not timeline["pageInfo"]["hasNextPage"]:
            break
        after = timeline["pageInfo"]["endCursor"]
    # then: what AR sees, in the same order, but for the RESTRICTED note
    everything = (await scene.ar.gql(ACCOUNT_VIEWS, {"id": scene.account_id, "invoiceId": scene.invoice_id}))[
        "account"
    ]["timeline"]
    assert scene.restricted_id in ids_in(everything)
    assert seen == [i for i in ids_in(everything) if i != scene.restricted_id]
    assert scene.visible_id in seen


@pytest.mark.parametrize("team", HIDDEN_FROM, ids=lambda t: t.value)
async def test_other_teams_cannot_edit_pin_or_delete_it_as_if_it_did_not_exist(make_caller, scene, team):
    viewer = await make_caller(team)
    missing = ids.encode("Entry", uuid.uuid4())

    async def attempts(entry_id: str) -> list[list[dict]]:
        edit = await viewer.gql(
            EDIT_ENTRY, {"input": {"id": entry_id, "expectedRevision": 2, "summary": "x"}}
        )
        pin = await viewer.gql(PIN_ENTRY, {"id": entry_id, "pinned": False})
        delete = await viewer.gql(DELETE_ENTRY, {"id": entry_id, "reason": "should not be here"})
        assert edit["editEntry"]["entry"] is None
        assert pin["pinEntry"]["entry"] is None
        assert delete["deleteEntry"]["deletedId"] is None
        return [
            edit["editEntry"]["userErrors"],
            pin["pinEntry"]["userErrors"],
            delete["deleteEntry"]["userErrors"],
        ]

    # when
    on_restricted = await attempts(scene.restricted_id)
    on_missing = await attempts(missing)
    # then: the same answers, word for word, as for an entry that does not exist
    assert on_restricted == on_missing
    edit_errors, pin_errors, delete_errors = on_restricted
    assert [e["code"] for e in edit_errors] == ["NOT_FOUND"]
    assert [e["code"] for e in delete_errors] == ["NOT_FOUND"]
    # INTEGRATION may pin nothing at all, so it is told so whether or not the entry exists
    assert [e["code"] for e in pin_errors] == ["FORBIDDEN" if team == Team.INTEGRATION else "NOT_FOUND"]
    entry = (await scene.ar.gql(NODE, {"id": scene.restricted_id}))["node"]
    assert (entry["summary"], entry["revision"], entry["pinned"]) == (EDITED, 2, True)


@pytest.mark.parametrize("team", [Team.AR, Team.ADMIN], ids=lambda t: t.value)
async def test_ar_and_admin_see_it_everywhere_with_its_revisions(make_caller, scene, team):
    viewer = await make_caller(team)
    # when
    account = (await viewer.gql(ACCOUNT_VIEWS, {"id": scene.account_id, "invoiceId": scene.invoice_id}))[
        "account"
    ]
    by_node = (await viewer.gql(NODE, {"id": scene.restricted_id}))["node"]
    invoice_timeline = (await viewer.gql(INVOICE_TIMELINE, {"id": scene.invoice_id}))["node"]["timeline"]
    # then
    assert scene.restricted_id in ids_in(account["timeline"])
    assert set(ids_in(account["notes"])) == {scene.restricted_id, scene.visible_id}
    assert scene.restricted_id in ids_in(account["aboutInvoice"])
    assert {entry["id"] for entry in account["pinned"]} == {scene.restricted_id, scene.visible_id}
    assert scene.restricted_id in ids_in(account["invoices"]["edges"][0]["node"]["timeline"])
    assert scene.restricted_id in ids_in(invoice_timeline)
    assert by_node["id"] == scene.restricted_id
    assert by_node["kind"] == "NOTE"
    assert by_node["visibility"] == "RESTRICTED"
    assert by_node["summary"] == EDITED
    assert (by_node["pinned"], by_node["revision"], by_node["team"]) == (True, 2, "AR")
    assert by_node["invoices"] == [{"id": scene.invoice_id}]
    [original] = by_node["revisions"]
    assert original["revision"] == 1
    assert original["summary"] == SECRET
    assert original["body"] == f"{SECRET}."
    assert original["tags"] == ["collections"]
    assert original["editedBy"] == by_node["author"]
    in_timeline = next(
        e["node"] for e in account["timeline"]["edges"] if e["node"]["id"] == scene.restricted_id
    )
    assert in_timeline == by_node


async def test_admin_may_change_it(make_caller, scene):
    admin = await make_caller(Team.ADMIN)
    # when
    edited = await admin.gql(
        EDIT_ENTRY, {"input": {"id": scene.restricted_id, "expectedRevision": 2, "summary": "v3"}}
    )
    unpinned = await admin.gql(PIN_ENTRY, {"id": scene.restricted_id, "pinned": False})
    # then
    assert edited["editEntry"]["userErrors"] == []
    assert edited["editEntry"]["entry"]["revision"] == 3
    assert unpinned["pinEntry"]["userErrors"] == []
    assert unpinned["pinEntry"]["entry"] == {"id": scene.restricted_id, "pinned": False}
    revisions = (await admin.gql(NODE, {"id": scene.restricted_id}))["node"]["revisions"]
    assert [(r["revision"], r["summary"]) for r in revisions] == [(2, EDITED), (1, SECRET)]


async def test_once_deleted_it_is_gone_for_ar_too(scene):
    deleted = await scene.ar.gql(DELETE_ENTRY, {"id": scene.restricted_id, "reason": "referral cancelled"})
    assert deleted["deleteEntry"]["userErrors"] == []
    assert (await scene.ar.gql(NODE, {"id": scene.restricted_id}))["node"] is None
    timeline = (await scene.ar.gql(INVOICE_TIMELINE, {"id": scene.invoice_id}))["node"]["timeline"]
    assert scene.restricted_id not in ids_in(timeline)
