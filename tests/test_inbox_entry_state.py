"""The inbox reads its entries' visibility and deletion from its own rows (migration 0011): the copy
must follow the entry, or a deleted entry would still be counted and a RESTRICTED one shown to a
reader who may not see it."""

from domain.teams import Team
from schema import ids
from tests.test_inbox import NOTE, _account, _inbox, _uid

DELETE = 'mutation ($id: ID!) { deleteEntry(id: $id, reason: "logged twice") { deletedId } }'
NODE = "query ($id: ID!) { node(id: $id) { ... on InboxItem { reason entry { id } } } }"
# Items whose copy of their entry's state differs from the entry: there must never be one.
BEHIND = """
SELECT count(*) FROM inbox_items i JOIN entries e ON e.account_id = i.account_id AND e.id = i.entry_id
 WHERE i.account_id = $1
   AND (i.entry_visibility <> e.visibility OR i.entry_deleted_at IS DISTINCT FROM e.deleted_at)
"""


async def _note(caller, account: str, summary: str, mentioned, visibility: str = "ALL_TEAMS") -> str:
    logged = await caller.gql(
        NOTE,
        {
            "input": {
                "accountId": account,
                "summary": summary,
                "visibility": visibility,
                "mentionIds": [_uid(m) for m in mentioned],
            }
        },
    )
    assert logged["logNote"]["userErrors"] == []
    return logged["logNote"]["entry"]["id"]


def _by_entry(inbox: dict) -> dict[str, str]:
    return {edge["node"]["entry"]["id"]: edge["node"]["id"] for edge in inbox["edges"]}


async def test_a_deleted_entrys_item_leaves_the_page_the_count_and_node(make_caller, pool):
    sam = await make_caller(Team.SALES)
    ada = await make_caller(Team.AR)
    account = await _account(sam)
    kept = await _note(sam, account, "Plant closing", [ada])
    gone = await _note(sam, account, "Plant closing (twice)", [ada])
    before = await _inbox(ada)
    assert before["unreadCount"] == 2
    gone_item = _by_entry(before)[gone]
    # when: the author deletes the second note
    assert (await sam.gql(DELETE, {"id": gone}))["deleteEntry"]["deletedId"] == gone
    # then: its item is neither listed, counted nor found, read or unread
    for unread in (False, True):
        after = await _inbox(ada, unread=unread)
        assert list(_by_entry(after)) == [kept]
        assert after["unreadCount"] == 1
    assert (await ada.gql(NODE, {"id": gone_item}))["node"] is None
    async with pool.acquire() as conn:
        assert await conn.fetchval(BEHIND, ids.decode(account)[1]) == 0


async def test_a_restricted_item_stays_out_for_a_reader_who_may_no_longer_see_it(make_caller, pool):
    bob = await make_caller(Team.AR)
    ada = await make_caller(Team.AR)
    account = await _account(bob)
    open_note = await _note(bob, account, "Call went well", [ada])
    secret = await _note(bob, account, "Payment trouble", [ada], visibility="RESTRICTED")
    items = _by_entry(await _inbox(ada))
    assert set(items) == {open_note, secret}
    # when: Ada moves to SALES, which may not read RESTRICTED entries
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET team = 'SALES' WHERE id = $1", ada.user.id)
    # then: the RESTRICTED entry's item is neither listed, counted nor found
    after = await _inbox(ada)
    assert list(_by_entry(after)) == [open_note]
    assert after["unreadCount"] == 1
    assert (await ada.gql(NODE, {"id": items[secret]}))["node"] is None
    assert (await ada.gql(NODE, {"id": items[open_note]}))["node"]["entry"]["id"] == open_note
    async with pool.acquire() as conn:
        assert await conn.fetchval(BEHIND, ids.decode(account)[1]) == 0
