"""The statement page in a real headless Chromium (scripts/browser.py): it renders, asks nothing of any
other host, and its promise form works without JavaScript."""

import json
from datetime import UTC, datetime, timedelta

from domain.teams import Team
from scripts.browser import chromium
from tests import messaging

CREATE_LINK = """
mutation ($input: CreateStatementLinkInput!) {
  createStatementLink(input: $input) { link { url } userErrors { message } }
}
"""
PROMISES = """
query ($id: ID!) {
  account(id: $id) { timeline(first: 10) { edges { node { kind tags author { name }
    ... on PromiseToPay { amount { amount currency } promisedFor } } } } }
}
"""


async def test_the_statement_page_in_chromium(make_caller, live_server, chromium_path):
    ar = await make_caller(Team.AR)
    account, ref = await messaging.account(ar)
    await messaging.invoices(
        ar, ref, [("BR-1", "2026-01-20", "100.00", "EUR"), ("BR-2", "2026-01-31", "50.00", "EUR")]
    )
    link = (await ar.gql(CREATE_LINK, {"input": {"accountId": account}}))["createStatementLink"]["link"]
    url = live_server + link["url"].removeprefix("http://rapport.test")
    friday = datetime.now(UTC).date() + timedelta(days=(4 - datetime.now(UTC).weekday()) % 7 or 7)
    requested: list[str] = []
    async with chromium(chromium_path) as browser:
        page = await browser.new_page(viewport={"width": 375, "height": 740}, java_script_enabled=False)
        page.on("request", lambda request: requested.append(request.url))
        response = await page.goto(url)
        assert response.status == 200
        assert await page.title() == "Statement"
        text = await page.inner_text("body")
        assert "BR-1" in text
        assert "150.00 EUR" in text
        # readable on a phone: nothing wider than the screen
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await page.fill("input[name=promisedFor]", friday.isoformat())
        await page.fill("input[name=amount]", "150.00")
        await page.select_option("select[name=currency]", "EUR")
        await page.click("text=Promise to pay >> nth=-1")
        await page.wait_for_url(f"{url}?done=promise")
        assert "your promise is recorded" in await page.inner_text("body")
    assert requested
    assert all(r.startswith(live_server + "/s/") for r in requested), json.dumps(requested)
    edges = (await ar.gql(PROMISES, {"id": account}))["account"]["timeline"]["edges"]
    [promise] = [e["node"] for e in edges if e["node"]["kind"] == "PROMISE_TO_PAY"]
    assert promise["tags"] == ["portal"]
    assert promise["promisedFor"] == friday.isoformat()
    assert promise["amount"] == {"amount": "150.00", "currency": "EUR"}
