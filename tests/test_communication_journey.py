"""The customer-communication journey, end to end over HTTP and SMTP.

Dates are pinned to a month two months ahead, so the statement page (which
refuses promises dated in the past, by the real clock) takes the customer's
promise; the planner and delivery run as of pinned instants in that month.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.teams import Team
from jobs.delivery import deliver_due
from jobs.mail import Mailer
from tests import messaging
from tests.messaging import unique
from tests.smtp_server import SMTP_WARNING

pytestmark = SMTP_WARNING
BERLIN = ZoneInfo("Europe/Berlin")
CREATE_LINK = """
mutation ($input: CreateStatementLinkInput!) {
  createStatementLink(input: $input) { link { url } userErrors { message } }
}
"""
TIMELINE = """
query ($id: ID!) {
  account(id: $id) { timeline(first: 20) { edges { node { kind summary tags invoices { number }
    ... on Interaction { direction } } } } }
}
"""


def _month_ahead() -> tuple[int, int]:
    today = datetime.now(UTC).date()
    month = today.month + 2
    return today.year + (month - 1) // 12, (month - 1) % 12 + 1


def _first_office_hour_from(day: date) -> datetime:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9), BERLIN).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def test_journey_one_reminder_after_the_blackout_then_a_promise_from_the_statement_page(
    make_caller,
    pool,
    http,
    smtp,
):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    year, month = _month_ahead()
    cycle = date(year, month, 8)
    # given: three overdue invoices, one disputed, and an AP clerk in Berlin away the third week
    account, ref = await messaging.account(ar, "Europe/Berlin")
    address = f"{unique('clerk')}@example.com"
    await messaging.contact(
        ar,
        account,
        name="Clara Clerk",
        email=address,
        windows=[{"kind": "BLACKOUT", "weeksOfMonth": [3], "note": "away the third week"}],
    )
    numbers = await messaging.invoices(
        ar,
        ref,
        [
            ("J-OLD", date(year, month, 1).isoformat(), "400.00", "EUR"),
            ("J-1", cycle.isoformat(), "100.00", "EUR"),
            ("J-2", date(year, month, 9).isoformat(), "50.00", "EUR"),
        ],
    )
    await ar.gql(
        messaging.DISPUTE,
        {
            "input": {
                "accountId": account,
                "invoiceIds": [numbers["J-OLD"]],
                "reason": "QUALITY",
                "summary": "damaged",
            }
        },
    )
    name = unique("summary")
    await messaging.template(ar, name)
    await messaging.own_policy(
        ar, account, [{"offsetDays": 7, "templateName": name}, {"offsetDays": 21, "templateName": name}]
    )

    # when: the planner runs on the 17th, in the blackout week
    planned_at = datetime(year, month, 17, 9, tzinfo=UTC)
    [reminder] = await messaging.plan(ar, account, _iso(planned_at))

    # then: one reminder at step +7 for the two undisputed invoices, in the first office hour after the week
    assert reminder["step"] == 7
    assert reminder["invoices"] == [{"number": "J-1"}, {"number": "J-2"}]
    expected = _first_office_hour_from(date(year, month, 22))
    assert datetime.fromisoformat(reminder["scheduledFor"]) == expected
    assert await messaging.plan(ar, account, _iso(planned_at)) == []

    # when the time comes, it is delivered once and lands on the timeline
    while await deliver_due(pool, Mailer.from_url(url, "ar@rapport.test"), expected + timedelta(minutes=1)):
        pass
    [mail] = inbox.to(address)
    body = mail.get_payload(decode=True).decode()
    assert "J-1" in body
    assert "J-2" in body
    assert "J-OLD" not in body
    [sent] = await messaging.messages_of(ar, account)
    assert sent["status"] == "SENT"
    edges = (await ar.gql(TIMELINE, {"id": account}))["account"]["timeline"]["edges"]
    [email] = [e["node"] for e in edges if e["node"]["kind"] == "EMAIL"]
    assert email["direction"] == "OUTBOUND"
    assert email["invoices"] == [{"number": "J-1"}, {"number": "J-2"}]
    assert await messaging.plan(ar, account, _iso(expected + timedelta(hours=2))) == []

    # the customer opens the statement link and promises to pay on a Friday after the next step
    link = (await ar.gql(CREATE_LINK, {"input": {"accountId": account}}))["createStatementLink"]["link"]
    path = link["url"].removeprefix("http://rapport.test")
    page = await http.get(path)
    assert page.status_code == 200
    assert "J-OLD" in page.text
    assert "disputed" in page.text
    step_21 = cycle + timedelta(days=21)
    friday = step_21 + timedelta(days=(4 - step_21.weekday()) % 7 or 7)
    answer = await http.post(
        f"{path}/promise", data={"amount": "150.00", "currency": "EUR", "promisedFor": friday.isoformat()}
    )
    assert answer.status_code == 303

    # the next planner run, at step +21, pauses dunning until the promise breaks
    assert await messaging.plan(ar, account, _iso(datetime.combine(step_21, time(9), UTC))) == []
    paused = next(m for m in await messaging.messages_of(ar, account) if m["step"] == 21)
    assert paused["status"] == "SKIPPED"
    breaks = friday + timedelta(days=4)
    assert paused["reason"] == (
        f"open promise to pay 150.00 EUR by {friday.isoformat()}:"
        f" paused until it breaks ({breaks.isoformat()})."
    )
    # and once it has broken, the reminder goes after all
    [resumed] = await messaging.plan(ar, account, _iso(datetime.combine(breaks, time(9), UTC)))
    assert (resumed["id"], resumed["status"]) == (paused["id"], "SCHEDULED")
