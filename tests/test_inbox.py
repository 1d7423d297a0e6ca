"""Owners, followers, mentions and the inbox: the right person hears about an entry, once, and nobody
hears of their own writing or of an entry they may not read."""

import uuid

import pytest

from domain.teams import Team

CREATE = """
mutation ($name: String!) {
  createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $name}]}) { account { id name } }
}
"""
ERRORS = "userErrors { code message field }"
OWNER = f"""
mutation ($input: SetAccountOwnerInput!) {{
  setAccountOwner(input: $input) {{ account {{ owners {{ team user {{ id }} }} }} {ERRORS} }}
}}
"""
FOLLOW = f"""
mutation ($a: ID!, $f: Boolean!) {{
  followAccount(accountId: $a, follow: $f) {{ account {{ followedByMe }} {ERRORS} }}
}}
"""
NOTE = f"""
mutation ($input: LogNoteInput!) {{
  logNote(input: $input) {{ entry {{ id mentions {{ id name }} }} {ERRORS} }}
}}
"""
NEWS = f"""
mutation ($a: ID!, $m: [ID!]) {{
  logNews(input: {{accountId: $a, category: DOWNSIZING, summary: "Closing the Leeds plant",
                   mentionIds: $m}}) {{
    entry {{ id }} {ERRORS}
  }}
}}
"""
FOLLOW_UP = f"""
mutation ($a: ID!, $to: ID, $due: DateTime!) {{
  createFollowUp(input: {{accountId: $a, summary: "Call about the plant", dueAt: $due, assigneeId: $to}}) {{
    entry {{ id }} {ERRORS}
  }}
}}
"""
PROMISE = f"""
mutation ($a: ID!) {{
  recordPromise(input: {{accountId: $a, amount: "100", currency: "EUR", promisedFor: "2026-01-10"}}) {{
    entry {{ id }} {ERRORS}
  }}
}}
"""
INVOICE = """
mutation ($a: String!, $n: String!) {
  upsertInvoices(input: [{accountRef: {system: "erp", id: $a}, externalRef: {system: "erp", id: $n},
    number: $n, issuedOn: "2026-01-01", dueOn: "2026-02-01", currency: "EUR", total: "100",
    balance: "100", status: OPEN}]) {
    invoices { id }
  }
}
"""
DISPUTE = f"""
mutation ($a: ID!, $i: ID!) {{
  openDispute(input: {{accountId: $a, invoiceIds: [$i], reason: PRICING, summary: "Wrong price"}}) {{
    entry {{ id }} {ERRORS}
  }}
}}
"""
EDIT = f"""
mutation ($id: ID!, $rev: Int!, $m: [ID!]) {{
  editEntry(input: {{id: $id, expectedRevision: $rev, mentionIds: $m}}) {{
    entry {{ revision mentions {{ id }} }} {ERRORS}
  }}
}}
"""
INBOX = """
query ($unread: Boolean) {
  inbox(unreadOnly: $unread) {
    unreadCount
    edges { cursor node { id reason readAt entry { id summary } account { id } } }
  }
}
"""
MARK = f"""
mutation ($ids: [ID!], $all: Boolean) {{ markInboxRead(ids: $ids, all: $all) {{ unreadCount {ERRORS} }} }}
"""
USERS = "query ($q: String, $t: Team) { users(query: $q, team: $t) { id name email team } }"


async def _account(caller) -> str:
    return (await caller.gql(CREATE, {"name": f"Inbox {uuid.uuid4()}"}))["createAccount"]["account"]["id"]


async def _invoice(caller, account: str) -> str:
    name = (await caller.gql("query ($a: ID!) { account(id: $a) { name } }", {"a": account}))["account"][
        "name"
    ]
    upserted = await caller.gql(INVOICE, {"a": name, "n": uuid.uuid4().hex})
    return upserted["upsertInvoices"]["invoices"][0]["id"]


def _uid(caller) -> str:
    from schema import ids

    return ids.encode("User", caller.user.id)


async def _inbox(caller, unread: bool = False) -> dict:
    return (await caller.gql(INBOX, {"unread": unread}))["inbox"]


async def test_owners_and_followers_hear_of_news_promises_and_disputes_but_not_their_own(make_caller):
    sales = await make_caller(Team.SALES, "Sam Sales")
    ada = await make_caller(Team.AR, "Ada Ar")
    sue = await make_caller(Team.SERVICE, "Sue Service")
    account = await _account(sales)
    owned = await ada.gql(OWNER, {"input": {"accountId": account, "team": "AR", "userId": _uid(ada)}})
    assert owned["setAccountOwner"]["account"]["owners"] == [{"team": "AR", "user": {"id": _uid(ada)}}]
    assert (await sue.gql(FOLLOW, {"a": account, "f": True}))["followAccount"]["account"]["followedByMe"]
    # when: sales logs news, ada a promise, sue a dispute
    news = (await sales.gql(NEWS, {"a": account}))["logNews"]["entry"]["id"]
    promise = (await ada.gql(PROMISE, {"a": account}))["recordPromise"]["entry"]["id"]
    invoice = await _invoice(ada, account)
    dispute = (await sue.gql(DISPUTE, {"a": account, "i": invoice}))["openDispute"]["entry"]["id"]
    # then: ada hears of the news and the dispute (as owner), not of her own promise
    ada_items = {e["node"]["entry"]["id"]: e["node"]["reason"] for e in (await _inbox(ada))["edges"]}
    assert ada_items == {news: "FOLLOWED_ACTIVITY", dispute: "DISPUTE_OPENED"}
    # sue follows: news and promise, not her own dispute
    sue_items = {e["node"]["entry"]["id"]: e["node"]["reason"] for e in (await _inbox(sue))["edges"]}
    assert sue_items == {news: "FOLLOWED_ACTIVITY", promise: "FOLLOWED_ACTIVITY"}
    assert (await _inbox(sales))["edges"] == []


async def test_an_owner_is_an_enabled_member_of_the_team(make_caller):
    sales = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    account = await _account(sales)
    wrong = await sales.gql(OWNER, {"input": {"accountId": account, "team": "SALES", "userId": _uid(ada)}})
    assert wrong["setAccountOwner"]["userErrors"][0]["field"] == ["input", "userId"]
    assert "is in AR, not SALES" in wrong["setAccountOwner"]["userErrors"][0]["message"]
    removed = await sales.gql(OWNER, {"input": {"accountId": account, "team": "AR", "userId": None}})
    assert removed["setAccountOwner"]["account"]["owners"] == []


async def test_mentions_and_assignments_reach_the_people_named_once(make_caller):
    sales = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    sue = await make_caller(Team.SERVICE)
    account = await _account(sales)
    # a mention and an assignment to the same person in one entry: one item, the mention
    note = await sales.gql(
        NOTE, {"input": {"accountId": account, "summary": "Ask Ada", "mentionIds": [_uid(ada)]}}
    )
    assert note["logNote"]["entry"]["mentions"] == [{"id": _uid(ada), "name": ada.user.name}]
    assigned = await sales.gql(FOLLOW_UP, {"a": account, "to": _uid(sue), "due": "2030-01-01T09:00:00Z"})
    own = await sue.gql(FOLLOW_UP, {"a": account, "to": _uid(sue), "due": "2030-01-01T09:00:00Z"})
    assert [e["node"]["reason"] for e in (await _inbox(ada))["edges"]] == ["MENTIONED"]
    sue_items = (await _inbox(sue))["edges"]
    assert [(e["node"]["entry"]["id"], e["node"]["reason"]) for e in sue_items] == [
        (assigned["createFollowUp"]["entry"]["id"], "ASSIGNED")
    ]
    assert own["createFollowUp"]["entry"]["id"]


async def test_editing_in_a_mention_notifies_once_and_removing_it_does_not_unnotify(make_caller):
    sales = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    account = await _account(sales)
    entry = (await sales.gql(NOTE, {"input": {"accountId": account, "summary": "Plant"}}))["logNote"][
        "entry"
    ]["id"]
    added = await sales.gql(EDIT, {"id": entry, "rev": 1, "m": [_uid(ada)]})
    assert added["editEntry"]["entry"]["mentions"] == [{"id": _uid(ada)}]
    again = await sales.gql(EDIT, {"id": entry, "rev": 2, "m": [_uid(ada)]})
    removed = await sales.gql(EDIT, {"id": entry, "rev": 3, "m": []})
    assert again["editEntry"]["entry"]["revision"] == 3
    assert removed["editEntry"]["entry"]["mentions"] == []
    assert [e["node"]["reason"] for e in (await _inbox(ada))["edges"]] == ["MENTIONED"]


async def test_a_mention_of_someone_who_may_not_see_a_restricted_entry_is_refused_by_name(make_caller, pool):
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES, "Sam Restricted")
    account = await _account(ada)
    refused = await ada.gql(
        NOTE,
        {
            "input": {
                "accountId": account,
                "summary": "Secret",
                "visibility": "RESTRICTED",
                "mentionIds": [_uid(sam)],
            }
        },
    )
    error = refused["logNote"]["userErrors"][0]
    assert error["field"] == ["input", "mentionIds", "0"]
    assert "Sam Restricted" in error["message"]
    assert "RESTRICTED" in error["message"]
    assert refused["logNote"]["entry"] is None
    async with pool.acquire() as conn:
        from schema import ids

        assert (
            await conn.fetchval("SELECT count(*) FROM entries WHERE account_id = $1", ids.decode(account)[1])
            == 0
        )
    assert (await _inbox(sam))["edges"] == []


async def test_restricted_activity_reaches_only_owners_who_may_read_it(make_caller, pool):
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES)
    account = await _account(ada)
    await ada.gql(OWNER, {"input": {"accountId": account, "team": "SALES", "userId": _uid(sam)}})
    await ada.gql(NOTE, {"input": {"accountId": account, "summary": "Secret", "visibility": "RESTRICTED"}})
    restricted_news = """
    mutation ($a: ID!) { logNews(input: {accountId: $a, category: OTHER, summary: "Secret news",
      visibility: RESTRICTED}) { entry { id } userErrors { code } } }
    """
    assert (await ada.gql(restricted_news, {"a": account}))["logNews"]["entry"]["id"]
    assert (await _inbox(sam))["edges"] == []
    async with pool.acquire() as conn:  # not written at all, not merely hidden when read
        assert await conn.fetchval("SELECT count(*) FROM inbox_items WHERE user_id = $1", sam.user.id) == 0


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"m": ["VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"]}, "NOT_FOUND"),
        ({"m": ["nonsense"]}, "INVALID"),
    ],
)
async def test_an_unknown_mention_is_refused(make_caller, variables, code):
    sales = await make_caller(Team.SALES)
    account = await _account(sales)
    refused = await sales.gql(NEWS, {"a": account, **variables})
    assert refused["logNews"]["userErrors"][0]["code"] == code
    assert refused["logNews"]["userErrors"][0]["field"] == ["input", "mentionIds", "0"]


async def test_a_disabled_user_cannot_be_mentioned(make_caller, pool):
    sales = await make_caller(Team.SALES)
    gone = await make_caller(Team.AR, "Gone Away")
    account = await _account(sales)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET disabled_at = now() WHERE id = $1", gone.user.id)
    refused = await sales.gql(NEWS, {"a": account, "m": [_uid(gone)]})
    assert "Gone Away" in refused["logNews"]["userErrors"][0]["message"]
    assert "disabled" in refused["logNews"]["userErrors"][0]["message"]


async def test_marking_read_counts_down_and_refuses_another_users_items(make_caller):
    sales = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    bob = await make_caller(Team.AR)
    account = await _account(sales)
    for _ in range(2):
        await sales.gql(NEWS, {"a": account, "m": [_uid(ada)]})
    items = (await _inbox(ada))["edges"]
    assert (await _inbox(ada))["unreadCount"] == 2
    refused = await bob.gql(MARK, {"ids": [items[0]["node"]["id"]]})
    assert refused["markInboxRead"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await _inbox(ada))["unreadCount"] == 2
    one = await ada.gql(MARK, {"ids": [items[0]["node"]["id"]]})
    assert one["markInboxRead"] == {"unreadCount": 1, "userErrors": []}
    assert len((await _inbox(ada, unread=True))["edges"]) == 1
    rest = await ada.gql(MARK, {"all": True})
    assert rest["markInboxRead"]["unreadCount"] == 0
    # node(id) finds one's own item, and nobody else's
    node = "query ($id: ID!) { node(id: $id) { ... on InboxItem { reason readAt } } }"
    mine = (await ada.gql(node, {"id": items[0]["node"]["id"]}))["node"]
    assert mine["reason"] == "MENTIONED"
    assert mine["readAt"]
    assert (await bob.gql(node, {"id": items[0]["node"]["id"]}))["node"] is None


async def test_the_people_picker_matches_name_and_email_prefixes(make_caller):
    tag = uuid.uuid4().hex[:8]
    ada = await make_caller(Team.AR, f"Zq{tag} Lovelace")
    await make_caller(Team.SALES, f"Zq{tag} Sales")
    found = (await ada.gql(USERS, {"q": f"zq{tag}"}))["users"]
    assert sorted(u["team"] for u in found) == ["AR", "SALES"]
    only_ar = (await ada.gql(USERS, {"q": f"zq{tag}", "t": "AR"}))["users"]
    assert [u["id"] for u in only_ar] == [_uid(ada)]
    assert [u["id"] for u in (await ada.gql(USERS, {"q": ada.user.email[:10]}))["users"]] == [_uid(ada)]
    assert (await ada.gql(USERS, {"q": "%"}))["users"] == []


async def test_a_timeline_read_selecting_mentions_falls_back_and_answers_right(make_caller):
    """TimelineEntry.mentions is not compilable: the read falls back to the executor (shadow mode checks)."""
    sales = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR, "Ada Mentioned")
    account = await _account(sales)
    await sales.gql(NOTE, {"input": {"accountId": account, "summary": "Ask Ada", "mentionIds": [_uid(ada)]}})
    await sales.gql(NOTE, {"input": {"accountId": account, "summary": "Nobody"}})
    read = await sales.gql(
        "query ($a: ID!) { account(id: $a) {"
        " timeline { edges { node { summary mentions { id name } } } } } }",
        {"a": account},
    )
    nodes = [e["node"] for e in read["account"]["timeline"]["edges"]]
    assert sorted((n["summary"], tuple(m["name"] for m in n["mentions"])) for n in nodes) == [
        ("Ask Ada", ("Ada Mentioned",)),
        ("Nobody", ()),
    ]
