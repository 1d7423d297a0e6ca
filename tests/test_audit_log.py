"""ADMIN reads who did what and when, soft deletes and RESTRICTED included; others may not."""

import uuid

from domain.teams import Team

CREATE = "mutation ($n: String!) { createAccount(input: {name: $n}) { account { id } } }"
NOTE = """
mutation ($a: ID!, $v: Visibility) {
  logNote(input: {accountId: $a, summary: "legal review", visibility: $v}) { entry { id } }
}
"""
DELETE = 'mutation ($id: ID!) { deleteEntry(id: $id, reason: "logged twice") { deletedId } }'
AUDIT = """
query ($a: ID!, $after: String) {
  auditLog(accountId: $a, first: 2, after: $after) {
    edges { node { at action entityType entityId actor { email team } before after } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_admin_reads_the_whole_story_newest_first(make_caller):
    ar, admin = await make_caller(Team.AR), await make_caller(Team.ADMIN)
    account = (await ar.gql(CREATE, {"n": f"Audited {uuid.uuid4().hex[:6]}"}))["createAccount"]["account"][
        "id"
    ]
    note = (await ar.gql(NOTE, {"a": account, "v": "RESTRICTED"}))["logNote"]["entry"]["id"]
    await admin.gql(DELETE, {"id": note})
    # when: read page by page
    story, after = [], None
    while True:
        page = (await admin.gql(AUDIT, {"a": account, "after": after}))["auditLog"]
        story += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert [s["action"] for s in story] == ["deleteEntry", "logNote", "createAccount"]
    deleted, restricted, created = story
    assert deleted["actor"] == {"email": admin.user.email, "team": "ADMIN"}
    assert deleted["entityId"] == note
    assert deleted["after"] == {"deleted": True, "reason": "logged twice"}
    assert restricted["actor"]["email"] == ar.user.email
    assert restricted["after"]["visibility"] == "RESTRICTED"
    assert created["entityType"] == "account"
    assert created["entityId"] == account
    assert story[0]["at"] >= story[1]["at"] >= story[2]["at"]


async def test_only_admin_may_read_it(make_caller):
    ar = await make_caller(Team.AR)
    account = (await ar.gql(CREATE, {"n": "Not yours"}))["createAccount"]["account"]["id"]
    body = (await ar.post(AUDIT, {"a": account})).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None
