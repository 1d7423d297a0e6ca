"""Dunning policies, the planner's every skip reason, its idempotence and timing, and review of drafts.

Dates are pinned: invoices fall due in January 2026 and the planner runs as of
a fixed instant, so the step an account is due never depends on today.
"""

import pytest

from domain.teams import Team
from tests import messaging
from tests.messaging import POLICY, SET_DUNNING, unique

# Thursday 2026-02-12 10:00 in Berlin: not in any third week, inside office hours.
AT = "2026-02-12T09:00:00Z"
APPROVE = """
mutation ($id: ID!, $subject: String, $body: String) {
  approveMessage(id: $id, subject: $subject, body: $body) {
    message { id status subject body reason } userErrors { code field message }
  }
}
"""
CANCEL = """
mutation ($id: ID!, $reason: String!) {
  cancelMessage(id: $id, reason: $reason) { message { id status reason } userErrors { code field message } }
}
"""
REVIEW = "{ messagesToReview(first: 100) { edges { node { id status reason } } } }"
LINKS = "query ($id: ID!) { account(id: $id) { statementLinks { createdBy { name } contact { name } } } }"


async def _customer(ar, *, steps=None, contact: dict | None = None, items=None) -> tuple[str, str, dict]:
    """An account with two overdue invoices, a contact and a policy of its own (+7 by default)."""
    account, ref = await messaging.account(ar)
    name = unique("summary")
    await messaging.template(ar, name)
    if contact is not None:
        await messaging.contact(ar, account, **contact)
    numbers = await messaging.invoices(
        ar, ref, items or [("A-1", "2026-01-20", "100.00", "EUR"), ("A-2", "2026-01-31", "50.00", "EUR")]
    )
    await messaging.own_policy(ar, account, steps or [{"offsetDays": 7, "templateName": name}])
    return account, name, numbers


async def _only_message(ar, account: str) -> dict:
    [message] = await messaging.messages_of(ar, account)
    return message


async def test_a_policy_with_duplicate_offsets_or_a_missing_template_is_refused(make_caller):
    ar = await make_caller(Team.AR)
    name = unique("tpl")
    await messaging.template(ar, name)
    policy = unique("policy")
    result = await ar.gql(
        POLICY,
        {
            "input": {
                "name": policy,
                "steps": [
                    {"offsetDays": 7, "templateName": name},
                    {"offsetDays": 7, "templateName": name},
                ],
            }
        },
    )
    assert result["saveDunningPolicy"]["userErrors"] == [
        {
            "code": "INVALID",
            "field": ["input", "steps", "1", "offsetDays"],
            "message": "steps 0 and 1 have the same offsetDays.",
        }
    ]
    result = await ar.gql(
        POLICY, {"input": {"name": policy, "steps": [{"offsetDays": 7, "templateName": unique("nope")}]}}
    )
    [error] = result["saveDunningPolicy"]["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "steps", "0", "templateName"])
    names = [p["name"] for p in (await ar.gql("{ dunningPolicies { name } }"))["dunningPolicies"]]
    assert policy not in names


async def test_a_policy_is_saved_with_its_steps_in_order_and_a_version(make_caller):
    ar = await make_caller(Team.AR)
    name = unique("tpl")
    await messaging.template(ar, name)
    steps = [
        {"offsetDays": 21, "templateName": name},
        {"offsetDays": -3, "templateName": name},
        {"offsetDays": 45, "templateName": name, "requiresApproval": True},
    ]
    saved = (await ar.gql(POLICY, {"input": {"name": unique("p"), "steps": steps}}))["saveDunningPolicy"]
    assert [s["offsetDays"] for s in saved["policy"]["steps"]] == [-3, 21, 45]
    assert saved["policy"]["steps"][2]["requiresApproval"] is True
    changed = await ar.gql(
        POLICY,
        {
            "input": {
                "id": saved["policy"]["id"],
                "name": saved["policy"]["name"],
                "steps": steps[:1],
                "expectedVersion": 1,
            }
        },
    )
    assert changed["saveDunningPolicy"]["policy"]["version"] == 2


async def test_one_summary_per_customer_scheduled_in_office_hours_and_planned_once(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar, contact={})
    # Saturday 2026-02-14, 12:00 Berlin: the next office hour is Monday 09:00 Berlin
    planned = await messaging.plan(ar, account, "2026-02-14T11:00:00Z")
    [message] = planned
    assert message["status"] == "SCHEDULED"
    assert message["invoices"] == [{"number": "A-1"}, {"number": "A-2"}]
    assert message["scheduledFor"] == "2026-02-16T08:00:00+00:00"
    assert "A-1 due 2026-01-20: 100.00 EUR (25 days)" in message["body"]
    assert "Total 150.00 EUR" in message["body"]
    assert message["contact"] == {"name": "Paula Payable"}
    assert await messaging.plan(ar, account, "2026-02-14T11:00:00Z") == []
    assert await messaging.plan(ar, account, "2026-02-15T11:00:00Z") == []
    assert len(await messaging.messages_of(ar, account)) == 1


async def test_the_latest_step_reached_is_planned_not_every_earlier_one(make_caller):
    ar = await make_caller(Team.AR)
    name = unique("tpl")
    await messaging.template(ar, name)
    account, _, _ = await _customer(
        ar,
        contact={},
        steps=[{"offsetDays": -3, "templateName": name}, {"offsetDays": 7, "templateName": name}],
    )
    [message] = await messaging.plan(ar, account, AT)
    assert message["step"] == 7


async def test_a_step_not_yet_reached_plans_nothing(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar, contact={})
    assert await messaging.plan(ar, account, "2026-01-22T09:00:00Z") == []
    assert await messaging.messages_of(ar, account) == []


async def test_disputed_invoices_are_left_out_and_none_left_is_skipped(make_caller):
    ar = await make_caller(Team.AR)
    account, _, numbers = await _customer(ar, contact={})
    await ar.gql(
        messaging.DISPUTE,
        {
            "input": {
                "accountId": account,
                "invoiceIds": [numbers["A-2"]],
                "reason": "PRICING",
                "summary": "price",
            }
        },
    )
    [message] = await messaging.plan(ar, account, AT)
    assert message["invoices"] == [{"number": "A-1"}]
    other, _, others = await _customer(ar, contact={})
    await ar.gql(
        messaging.DISPUTE,
        {
            "input": {
                "accountId": other,
                "invoiceIds": list(others.values()),
                "reason": "PRICING",
                "summary": "p",
            }
        },
    )
    assert await messaging.plan(ar, other, AT) == []
    skipped = await _only_message(ar, other)
    assert skipped["status"] == "SKIPPED"
    assert skipped["reason"] == "every invoice this step concerns is disputed."


async def test_an_open_promise_pauses_dunning_until_it_breaks(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar, contact={})
    await ar.gql(
        messaging.PROMISE,
        {"input": {"accountId": account, "amount": "150.00", "currency": "EUR", "promisedFor": "2026-02-13"}},
    )
    # recordedAt is now: the promise counts payments from today, and is open until its deadline
    assert await messaging.plan(ar, account, AT) == []
    skipped = await _only_message(ar, account)
    assert skipped["status"] == "SKIPPED"
    assert skipped["reason"].startswith(
        "open promise to pay 150.00 EUR by 2026-02-13: paused until it breaks"
    )
    # three grace days later the promise is broken: the same step is planned
    [message] = await messaging.plan(ar, account, "2026-02-17T09:00:00Z")
    assert message["status"] == "SCHEDULED"
    assert message["id"] == skipped["id"]


@pytest.mark.parametrize(
    ("people", "reason"),
    [
        ([{"doNotContact": True}], "every contact is marked do not contact."),
        ([{"email": None, "phone": "+49 1"}], "no contact with an email address."),
        ([], "no contact with an email address."),
    ],
)
async def test_no_one_to_write_to_is_skipped(make_caller, people, reason):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    for person in people:
        await messaging.contact(ar, account, **person)
    assert await messaging.plan(ar, account, AT) == []
    skipped = await _only_message(ar, account)
    assert (skipped["status"], skipped["reason"]) == ("SKIPPED", reason)


async def test_the_billing_contact_with_an_address_is_chosen_never_do_not_contact(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar)
    await messaging.contact(ar, account, name="Alice Tech", roles=["TECHNICAL"], email="a@example.com")
    await messaging.contact(ar, account, name="Bob Billing", roles=["BILLING"], doNotContact=True)
    await messaging.contact(
        ar, account, name="Carl Payable", roles=["ACCOUNTS_PAYABLE"], email="c@example.com"
    )
    [message] = await messaging.plan(ar, account, AT)
    assert message["contact"] == {"name": "Carl Payable"}


async def test_a_paused_account_is_skipped_until_the_pause_ends(make_caller):
    ar = await make_caller(Team.AR)
    account, name, _ = await _customer(ar, contact={})
    policy = await messaging.own_policy(ar, account, [{"offsetDays": 7, "templateName": name}])
    paused = await ar.gql(
        SET_DUNNING,
        {
            "input": {
                "accountId": account,
                "policyId": policy,
                "pausedUntil": "2026-02-20T00:00:00Z",
                "pauseReason": "CFO on leave",
            }
        },
    )
    assert paused["setAccountDunning"]["account"]["dunningPauseReason"] == "CFO on leave"
    assert await messaging.plan(ar, account, AT) == []
    skipped = await _only_message(ar, account)
    assert skipped["reason"] == "dunning is paused until 2026-02-20T00:00:00+00:00: CFO on leave."
    [message] = await messaging.plan(ar, account, "2026-02-20T09:00:00Z")
    assert (message["id"], message["status"]) == (skipped["id"], "SCHEDULED")


async def test_financial_news_drafts_for_approval_with_the_news_in_the_reason(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar, contact={})
    await ar.gql(
        messaging.NEWS,
        {
            "input": {
                "accountId": account,
                "category": "DOWNSIZING",
                "summary": "Closing the Leeds plant",
                "occurredAt": "2026-01-15T10:00:00Z",
            }
        },
    )
    [message] = await messaging.plan(ar, account, AT)
    assert message["status"] == "DRAFT"
    assert (
        message["reason"] == 'drafted for approval: DOWNSIZING news on 2026-01-15: "Closing the Leeds plant".'
    )


async def test_news_older_than_ninety_days_does_not_hold_the_message(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(ar, contact={})
    await ar.gql(
        messaging.NEWS,
        {
            "input": {
                "accountId": account,
                "category": "DOWNSIZING",
                "summary": "old news",
                "occurredAt": "2025-10-01T10:00:00Z",
            }
        },
    )
    [message] = await messaging.plan(ar, account, AT)
    assert message["status"] == "SCHEDULED"


async def test_a_step_needing_approval_is_a_draft_approved_with_edited_redacted_text(make_caller):
    ar = await make_caller(Team.AR)
    name = unique("tpl")
    await messaging.template(ar, name)
    account, _, _ = await _customer(
        ar, contact={}, steps=[{"offsetDays": 7, "templateName": name, "requiresApproval": True}]
    )
    [draft] = await messaging.plan(ar, account, AT)
    assert draft["status"] == "DRAFT"
    review = [e["node"]["id"] for e in (await ar.gql(REVIEW))["messagesToReview"]["edges"]]
    assert draft["id"] in review
    approved = await ar.gql(
        APPROVE, {"id": draft["id"], "body": "Please pay to DE89 3704 0044 0532 0130 00. Thanks"}
    )
    message = approved["approveMessage"]["message"]
    assert message["status"] == "SCHEDULED"
    assert "0532 0130 00" not in message["body"]
    assert message["body"].endswith("Thanks")
    again = await ar.gql(APPROVE, {"id": draft["id"]})
    assert (
        again["approveMessage"]["userErrors"][0]["message"]
        == "only a DRAFT can be approved; this one is SCHEDULED."
    )


async def test_cancel_records_why_and_sales_may_not(make_caller):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    account, _, _ = await _customer(ar, contact={})
    [message] = await messaging.plan(ar, account, AT)
    refused = await sales.gql(CANCEL, {"id": message["id"], "reason": "no"})
    assert refused["cancelMessage"]["userErrors"][0]["code"] == "FORBIDDEN"
    cancelled = (await ar.gql(CANCEL, {"id": message["id"], "reason": "they called, paying today"}))[
        "cancelMessage"
    ]
    assert cancelled["message"]["status"] == "CANCELLED"
    assert cancelled["message"]["reason"] == "cancelled: they called, paying today"
    blank = await ar.gql(CANCEL, {"id": message["id"], "reason": " "})
    assert blank["cancelMessage"]["userErrors"][0]["field"] == ["reason"]


async def test_the_send_waits_for_the_end_of_a_blackout(make_caller):
    ar = await make_caller(Team.AR)
    account, _, _ = await _customer(
        ar, contact={"windows": [{"kind": "BLACKOUT", "weeksOfMonth": [3], "note": "away"}]}
    )
    # Tuesday 2026-02-17 is in the third week: the first reachable office hour is Monday the 23rd, 09:00
    [message] = await messaging.plan(ar, account, "2026-02-17T09:00:00Z")
    assert message["scheduledFor"] == "2026-02-23T08:00:00+00:00"
    assert "Europe/Berlin" in message["reason"]


async def test_the_default_policy_applies_to_accounts_without_their_own(make_caller):
    ar = await make_caller(Team.AR)
    account, ref = await messaging.account(ar)
    await messaging.contact(ar, account)
    await messaging.invoices(ar, ref, [("D-1", "2026-01-20", "10.00", "EUR")])
    name = unique("tpl")
    await messaging.template(ar, name)
    saved = await ar.gql(
        POLICY,
        {
            "input": {
                "name": unique("default"),
                "isDefault": True,
                "steps": [{"offsetDays": 7, "templateName": name}],
            }
        },
    )
    assert saved["saveDunningPolicy"]["policy"]["isDefault"] is True
    [message] = await messaging.plan(ar, account, AT)
    assert message["templateName"] == name


async def test_a_template_showing_the_statement_link_gets_a_new_link_for_the_contact(make_caller, http):
    ar = await make_caller(Team.AR)
    name = unique("tpl")
    await messaging.template(ar, name, body="See what you owe: {{ statement_link }}")
    account, _, _ = await _customer(ar, contact={}, steps=[{"offsetDays": 7, "templateName": name}])
    [message] = await messaging.plan(ar, account, AT)
    url = message["body"].removeprefix("See what you owe: ")
    assert url.startswith("http://rapport.test/s/st_")
    page = await http.get(url.removeprefix("http://rapport.test"))
    assert page.status_code == 200
    assert "A-1" in page.text
    assert await messaging.plan(ar, account, AT) == []
    links = (await ar.gql(LINKS, {"id": account}))["account"]["statementLinks"]
    # made by whoever ran the planner (the worker: nobody)
    assert [(link["createdBy"], link["contact"]) for link in links] == [
        ({"name": "AR user"}, {"name": "Paula Payable"})
    ]
