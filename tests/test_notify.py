"""A mutation NOTIFYs its account's change when, and only when, it commits."""

import asyncio
import uuid

import asyncpg

from store.changes import NOTIFY_CHANNEL

CREATE = "mutation ($name: String!) { createAccount(input: {name: $name}) { account { id } } }"
NOTE = """
mutation ($account: ID!, $summary: String!) {
  logNote(input: {accountId: $account, summary: $summary}) { entry { id } userErrors { code } }
}
"""


async def test_a_committed_mutation_notifies_and_a_rejected_one_does_not(settings, admin):
    account = (await admin.gql(CREATE, {"name": f"Notify {uuid.uuid4()}"}))["createAccount"]["account"]["id"]
    received: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(settings.database_url)
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: received.put_nowait(args[3]))
    try:
        # when
        rejected = await admin.gql(NOTE, {"account": account, "summary": " "})
        logged = await admin.gql(NOTE, {"account": account, "summary": "Closing the Leeds plant"})
        # then
        assert rejected["logNote"]["userErrors"][0]["code"] == "INVALID"
        assert logged["logNote"]["entry"]["id"]
        payload = await asyncio.wait_for(received.get(), 5)
        from schema import ids

        assert payload == str(ids.decode(account)[1])
        await asyncio.sleep(0.2)
        assert received.empty()
    finally:
        await listener.close()
