"""Card numbers and IBANs are masked before they are stored, indexed or audited (journey 9)."""

import asyncio
import json
import time
import uuid

import pytest

from domain.redaction import redact
from domain.teams import Team
from schema import ids

CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"card {CARD} exp 12/29", "card **** **** **** 1111 exp 12/29"),
        ("4111-1111-1111-1111", "****-****-****-1111"),
        # a number glued to letters is a word (an id, a hash), and never part of the card
        ("card 5555 5555 5555 4444 068b7b7b9c", "card **** **** **** 4444 068b7b7b9c"),
        ("ref 4111111111111111abc", "ref 4111111111111111abc"),
        ("amex 378282246310005.", "amex ***********0005."),
        (f"IBAN {IBAN} THANKS", "IBAN **** **** **** **** **30 00 THANKS"),
        ("GB82WEST12345698765432", "******************5432"),
        # no checksum, no mask: order numbers, phone numbers, dates stay as written
        ("order 1234 5678 9012 3456", "order 1234 5678 9012 3456"),
        ("call +49 30 1234 5678 9", "call +49 30 1234 5678 9"),
        ("DE00 3704 0044 0532 0130 00", "DE00 3704 0044 0532 0130 00"),
        ("paid on 2026-11-23", "paid on 2026-11-23"),
        # an ISO 11649 creditor reference passes mod 97 like an IBAN, but RF is no country: it stays
        ("RF18 5390 0754 7034", "RF18 5390 0754 7034"),
    ],
)
def test_redact(text, masked):
    assert redact(text) == masked


CREATE = "mutation ($n: String!) { createAccount(input: {name: $n}) { account { id } } }"
NOTE = """
mutation ($a: ID!, $s: String!, $b: String) {
  logNote(input: {accountId: $a, summary: $s, body: $b}) { entry { id summary body } userErrors { code } }
}
"""
EDIT = """
mutation ($id: ID!, $b: String!) {
  editEntry(input: {id: $id, expectedRevision: 1, body: $b}) { entry { body revisions { body } } }
}
"""
PREFERENCE = """
mutation ($a: ID!, $v: String!) {
  setPreference(input: {accountId: $a, key: "payment_method", value: $v, note: $v}) {
    account { preferences { value note } }
  }
}
"""
SEARCH = "query ($q: String!) { search(query: $q) { hits { entry { id } highlight } } }"


async def test_a_pasted_card_number_is_stored_indexed_and_audited_masked(make_caller, pool):
    ar = await make_caller(Team.AR)
    token = uuid.uuid4().hex[:10]
    account = (await ar.gql(CREATE, {"n": f"Cards {token}"}))["createAccount"]["account"]["id"]
    # when
    note = (await ar.gql(NOTE, {"a": account, "s": f"card {CARD} exp 12/29 {token}", "b": f"IBAN {IBAN}"}))[
        "logNote"
    ]
    edited = await ar.gql(EDIT, {"id": note["entry"]["id"], "b": f"second card 5555 5555 5555 4444 {token}"})
    prefs = await ar.gql(PREFERENCE, {"a": account, "v": f"pays by card {CARD}"})
    # then: the payload says what was kept
    assert note["userErrors"] == []
    assert note["entry"]["summary"] == f"card **** **** **** 1111 exp 12/29 {token}"
    assert note["entry"]["body"] == "IBAN **** **** **** **** **30 00"
    assert edited["editEntry"]["entry"]["body"] == f"second card **** **** **** 4444 {token}"
    assert edited["editEntry"]["entry"]["revisions"][0]["body"] == "IBAN **** **** **** **** **30 00"
    assert prefs["setPreference"]["account"]["preferences"][0] == {
        "value": "pays by card **** **** **** 1111",
        "note": "pays by card **** **** **** 1111",
    }
    # nothing at rest holds the digits: entries, revisions, preferences, audit log, outbox
    account_id = ids.decode(account)[1]
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT row_to_json(t)::text AS r FROM ("
            " SELECT summary, body FROM entries WHERE account_id = $1"
            " UNION ALL SELECT summary, body FROM entry_revisions WHERE account_id = $1"
            " UNION ALL SELECT value, note FROM preferences WHERE account_id = $1"
            " UNION ALL SELECT before::text, after::text FROM audit_log WHERE account_id = $1) t",
            account_id,
        )
    stored = json.dumps([r["r"] for r in rows])
    for secret in ("4111 1111 1111", "411111111111", "5555 5555 5555", "3704 0044"):
        assert secret not in stored
    # and the index holds only the masked text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        hits = (await ar.gql(SEARCH, {"q": token}))["search"]["hits"]
        if any(h["entry"] for h in hits):
            break
        await asyncio.sleep(0.1)
    assert any(h["entry"] for h in hits)
    assert all("4111 1111" not in h["highlight"] and "5555 5555" not in h["highlight"] for h in hits)
    assert not (await ar.gql(SEARCH, {"q": "4111111111111111"}))["search"]["hits"]
