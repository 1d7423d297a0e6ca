"""GraphiQL in a real Chromium (scripts/browser.py): it renders from this server's files alone, and a
subscription run from it sends the token of its Headers tab over the websocket (connection_init)."""

import json

from playwright.async_api import expect

from domain.teams import Team
from scripts.browser import chromium
from tests import messaging

SUBSCRIPTION = "subscription ($account: ID!) { timeline(accountId: $account) { summary } }"
NOTE = "mutation ($input: LogNoteInput!) { logNote(input: $input) { entry { id } userErrors { message } } }"


async def test_a_subscription_in_graphiql_carries_the_headers_token(make_caller, live_server, chromium_path):
    ar = await make_caller(Team.AR)
    account, _ = await messaging.account(ar)
    errors: list[str] = []
    elsewhere: list[str] = []
    async with chromium(chromium_path) as browser:
        page = await browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request", lambda r: None if r.url.startswith((live_server, "data:")) else elsewhere.append(r.url)
        )
        await page.goto(f"{live_server}/graphql")
        # What a person would have typed into the editors, as GraphiQL keeps it.
        await page.evaluate(
            "([q, v, h]) => { localStorage.setItem('graphiql:query', q);"
            " localStorage.setItem('graphiql:variables', v); localStorage.setItem('graphiql:headers', h); }",
            [
                SUBSCRIPTION,
                json.dumps({"account": account}),
                json.dumps({"Authorization": f"Bearer {ar.token}"}),
            ],
        )
        await page.reload()
        await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
        response = page.locator(".graphiql-response")
        for attempt in range(10):  # until the subscription is set up, a note may come too early to be seen
            await ar.gql(NOTE, {"input": {"accountId": account, "summary": f"Seen in GraphiQL {attempt}"}})
            try:
                await expect(response).to_contain_text("Seen in GraphiQL", timeout=1000)
                break
            except AssertionError:
                continue
        await expect(response).to_contain_text("Seen in GraphiQL")
    assert errors == []
    assert elsewhere == []
