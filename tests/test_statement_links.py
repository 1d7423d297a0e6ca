"""Statement links and the page a customer opens: shown once, hashed, expiring, revocable, one 404 for
every token that opens nothing, and promises and disputes written as the API writes them."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain.teams import Team
from tests import messaging
from tests.test_inbox import OWNER, _inbox, _uid

CREATE = """
mutation ($input: CreateStatementLinkInput!) {
  createStatementLink(input: $input) {
    link { id url expiresAt views createdBy { name } } userErrors { code field message }
  }
}
"""
REVOKE = (
    "mutation ($id: ID!) { revokeStatementLink(id: $id) { link { id url revokedAt } userErrors { code } } }"
)
LINKS = "query ($id: ID!) { account(id: $id) { statementLinks { id url views lastViewedAt revokedAt } } }"
TIMELINE = """
query ($id: ID!) {
  account(id: $id) {
    timeline(first: 20) { edges { node { kind summary body author { name } team tags invoices { number }
      ... on PromiseToPay { amount { amount currency } promisedFor } } } }
  }
}
"""


async def _customer(ar):
    account, ref = await messaging.account(ar)
    contact = await messaging.contact(ar, account)
    numbers = await messaging.invoices(
        ar, ref, [("ST-1", "2026-01-20", "100.00", "EUR"), ("ST-2", "2026-01-31", "50.00", "EUR")]
    )
    return account, contact, numbers


async def _link(ar, account: str, **more) -> dict:
    data = await ar.gql(CREATE, {"input": {"accountId": account, **more}})
    assert data["createStatementLink"]["userErrors"] == [], data
    return data["createStatementLink"]["link"]


def _path(url: str) -> str:
    return url.removeprefix("http://rapport.test")


async def _entries(ar, account: str, kind: str) -> list[dict]:
    edges = (await ar.gql(TIMELINE, {"id": account}))["account"]["timeline"]["edges"]
    return [e["node"] for e in edges if e["node"]["kind"] == kind]


async def test_the_url_is_shown_once_and_only_its_hash_is_stored(make_caller, pool):
    ar = await make_caller(Team.AR)
    account, contact, _ = await _customer(ar)
    link = await _link(ar, account, contactId=contact)
    token = link["url"].rsplit("/", 1)[1]
    assert re.fullmatch(r"st_[A-Za-z0-9_-]{43}", token)  # 32 random bytes
    assert link["createdBy"]["name"] == "AR user"
    [listed] = (await ar.gql(LINKS, {"id": account}))["account"]["statementLinks"]
    assert listed["url"] is None
    async with pool.acquire() as conn:
        stored = await conn.fetchval(
            "SELECT token_hash FROM statement_links WHERE id = $1", messaging.uuid_of(link["id"])
        )
    assert token.encode() not in stored
    assert len(stored) == 32


async def test_the_page_shows_the_statement_without_external_assets_and_counts_views(make_caller, http):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    link = await _link(ar, account)
    page = await http.get(_path(link["url"]))
    assert page.status_code == 200
    html = page.text
    assert "ST-1" in html
    assert "ST-2" in html
    assert "150.00 EUR" in html
    assert 'name="viewport"' in html
    assert "<script" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    policy = page.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "form-action 'self'" in policy
    [listed] = (await ar.gql(LINKS, {"id": account}))["account"]["statementLinks"]
    assert listed["views"] == 1
    assert listed["lastViewedAt"] is not None


async def test_an_account_without_open_invoices_shows_nothing_owed(make_caller, http):
    ar = await make_caller(Team.AR)
    account, _ = await messaging.account(ar)
    page = await http.get(_path((await _link(ar, account))["url"]))
    assert page.status_code == 200
    assert "Nothing is owed" in page.text
    assert "<form" not in page.text


async def test_unknown_expired_and_revoked_tokens_get_the_same_404(make_caller, http, pool):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    revoked = await _link(ar, account)
    assert (await ar.gql(REVOKE, {"id": revoked["id"]}))["revokeStatementLink"]["link"]["revokedAt"]
    expired = await _link(ar, account)
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE statement_links SET expires_at = now() - interval '1 second' WHERE id = $1",
            messaging.uuid_of(expired["id"]),
        )
    pages = [
        await http.get(path)
        for path in (_path(revoked["url"]), _path(expired["url"]), "/s/st_" + "A" * 43, "/s/x")
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1
    post = await http.post(_path(revoked["url"]) + "/promise", data={"amount": "1", "currency": "EUR"})
    assert post.status_code == 404


@pytest.mark.parametrize("days", [0, 91])
async def test_valid_days_are_bounded(make_caller, days):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    data = await ar.gql(CREATE, {"input": {"accountId": account, "validDays": days}})
    assert data["createStatementLink"]["userErrors"][0]["field"] == ["input", "validDays"]
    assert (await ar.gql(LINKS, {"id": account}))["account"]["statementLinks"] == []


async def test_a_promise_from_the_page_is_an_authorless_ar_entry_tagged_portal(make_caller, http):
    ar = await make_caller(Team.AR)
    account, contact, _ = await _customer(ar)
    path = _path((await _link(ar, account, contactId=contact))["url"])
    friday = (
        datetime.now(UTC).date() + timedelta(days=(4 - datetime.now(UTC).weekday()) % 7 or 7)
    ).isoformat()
    answer = await http.post(
        f"{path}/promise", data={"amount": "150.00", "currency": "EUR", "promisedFor": friday}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{path}?done=promise"
    shown = await http.get(answer.headers["location"])
    assert "your promise is recorded" in shown.text
    assert f"You promised to pay 150.00 EUR by {friday}." in " ".join(shown.text.split())
    [promise] = await _entries(ar, account, "PROMISE_TO_PAY")
    assert promise["author"] is None
    assert promise["team"] == "AR"
    assert promise["tags"] == ["portal"]
    assert promise["amount"] == {"amount": "150.00", "currency": "EUR"}
    assert promise["promisedFor"] == friday


@pytest.mark.parametrize(
    ("form", "words"),
    [
        (
            {"amount": "150.01", "currency": "EUR", "promisedFor": "2099-01-01"},
            "more than the 150.00 EUR owed",
        ),
        ({"amount": "10", "currency": "EUR", "promisedFor": "2020-01-01"}, "in the past"),
        ({"amount": "10", "currency": "USD", "promisedFor": "2099-01-01"}, "nothing is owed in USD"),
        ({"amount": "ten", "currency": "EUR", "promisedFor": "2099-01-01"}, "not a number"),
        ({"amount": "10", "currency": "EUR", "promisedFor": "soon"}, "not a date"),
    ],
)
async def test_a_bad_promise_is_refused_clearly_and_nothing_is_written(make_caller, http, form, words):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    path = _path((await _link(ar, account))["url"])
    answer = await http.post(f"{path}/promise", data=form)
    assert answer.status_code == 400
    assert words in answer.text
    assert await _entries(ar, account, "PROMISE_TO_PAY") == []


async def test_a_dispute_from_the_page_names_the_invoice_and_keeps_the_comment(make_caller, http):
    ar = await make_caller(Team.AR)
    account, _, numbers = await _customer(ar)
    path = _path((await _link(ar, account))["url"])
    answer = await http.post(
        f"{path}/dispute",
        data={
            "invoice": messaging.uuid_of(numbers["ST-2"]),
            "reason": "QUANTITY",
            "comment": "We got 8 pallets, not 10.",
        },
    )
    assert answer.status_code == 303
    [dispute] = await _entries(ar, account, "DISPUTE")
    assert dispute["invoices"] == [{"number": "ST-2"}]
    assert dispute["body"] == "We got 8 pallets, not 10."
    assert (dispute["author"], dispute["team"], dispute["tags"]) == (None, "AR", ["portal"])
    page = await http.get(path)
    assert "disputed" in page.text


async def test_a_bad_dispute_is_refused_and_nothing_is_written(make_caller, http):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    other, _, foreign = await _customer(ar)
    path = _path((await _link(ar, account))["url"])
    answers = [
        await http.post(
            f"{path}/dispute", data={"invoice": messaging.uuid_of(foreign["ST-1"]), "reason": "PRICING"}
        ),
        await http.post(f"{path}/dispute", data={"invoice": "not-an-id", "reason": "PRICING"}),
        await http.post(
            f"{path}/dispute", data={"invoice": messaging.uuid_of(foreign["ST-1"]), "reason": "BECAUSE"}
        ),
        await http.post(
            f"{path}/dispute", data={"invoice": "x", "reason": "PRICING", "comment": "x" * 100_000}
        ),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 413]
    assert "not on this statement" in answers[0].text
    assert "too long" in answers[3].text
    assert await _entries(ar, account, "DISPUTE") == []
    assert await _entries(ar, other, "DISPUTE") == []


async def test_writes_from_one_link_are_rate_limited(make_caller, http):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    path = _path((await _link(ar, account))["url"])
    codes = [
        (
            await http.post(f"{path}/promise", data={"amount": "x", "currency": "EUR", "promisedFor": "x"})
        ).status_code
        for _ in range(11)
    ]
    assert codes == [400] * 10 + [429]


async def test_the_owner_hears_of_a_promise_and_a_dispute_made_on_the_page(make_caller, http):
    """The customer writes through the same path as staff, so the AR owner's inbox has both."""
    ar = await make_caller(Team.AR)
    account, _, numbers = await _customer(ar)
    owner = await make_caller(Team.AR, "Ada Owner")
    owned = await ar.gql(OWNER, {"input": {"accountId": account, "team": "AR", "userId": _uid(owner)}})
    assert owned["setAccountOwner"]["userErrors"] == []
    path = _path((await _link(ar, account))["url"])
    promised = await http.post(
        f"{path}/promise", data={"amount": "20.00", "currency": "EUR", "promisedFor": "2099-01-01"}
    )
    disputed = await http.post(
        f"{path}/dispute", data={"invoice": messaging.uuid_of(numbers["ST-1"]), "reason": "QUANTITY"}
    )
    assert (promised.status_code, disputed.status_code) == (303, 303)
    [promise] = await _entries(ar, account, "PROMISE_TO_PAY")
    heard = {e["node"]["reason"]: e["node"]["entry"]["summary"] for e in (await _inbox(owner))["edges"]}
    assert heard == {
        "FOLLOWED_ACTIVITY": promise["summary"],
        "DISPUTE_OPENED": "Disputed from the statement page: quantity",
    }
