"""Delivery over SMTP to a real server (aiosmtpd) the tests start: exactly once, on the timeline,
retried, failed with the server's reason, and never twice across two workers or a crash mid-send."""

import asyncio
import os
import signal
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter
from datetime import datetime

from domain.teams import Team
from jobs.delivery import MAX_ATTEMPTS, deliver_due
from jobs.mail import Mailer
from store.db import create_pool
from tests import messaging
from tests.conftest import ROOT
from tests.messaging import unique
from tests.smtp_server import SMTP_WARNING

pytestmark = SMTP_WARNING
AT = "2026-02-12T09:00:00Z"
LATER = "2026-03-01T00:00:00+00:00"
TIMELINE = """
query ($id: ID!) {
  account(id: $id) {
    timeline(first: 10) { edges { node { kind summary body author { name } team tags
      ... on Interaction { direction } invoices { number } } } }
  }
}
"""


async def _scheduled(ar, address: str | None = None, invoices: dict | None = None) -> tuple[str, str, dict]:
    """An account with one message SCHEDULED (as of AT) to `address`: its account, address and message."""
    address = address or f"{uuid.uuid4().hex[:10]}@example.com"
    account, ref = await messaging.account(ar)
    await messaging.contact(ar, account, email=address)
    name = unique("summary")
    await messaging.template(ar, name)
    numbers = await messaging.invoices(
        ar, ref, [("S-1", "2026-01-20", "100.00", "EUR"), ("S-2", "2026-01-31", "50.00", "EUR")]
    )
    if invoices is not None:
        invoices.update(numbers)
    await messaging.own_policy(ar, account, [{"offsetDays": 7, "templateName": name}])
    [message] = await messaging.plan(ar, account, AT)
    assert message["status"] == "SCHEDULED"
    return account, address, message


def _mailer(url: str) -> Mailer:
    return Mailer.from_url(url, "ar@rapport.test")


async def _drain(pool, mailer: Mailer) -> None:
    while await deliver_due(pool, mailer, datetime.fromisoformat(LATER)):
        pass


async def test_a_due_message_is_sent_once_with_its_outbound_entry(make_caller, pool, smtp):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    account, address, _ = await _scheduled(ar)
    await _drain(pool, _mailer(url))
    [mail] = inbox.to(address)
    assert mail["Subject"] == "Invoices due"
    assert "S-1 due 2026-01-20: 100.00 EUR" in mail.get_payload(decode=True).decode()
    [sent] = await messaging.messages_of(ar, account)
    assert sent["status"] == "SENT"
    assert sent["entry"]["kind"] == "EMAIL"
    assert mail["Message-ID"] in sent["reason"]
    [entry] = [
        e["node"]
        for e in (await ar.gql(TIMELINE, {"id": account}))["account"]["timeline"]["edges"]
        if e["node"]["kind"] == "EMAIL"
    ]
    assert entry["direction"] == "OUTBOUND"
    assert entry["summary"] == "Invoices due"
    assert "S-2 due 2026-01-31" in entry["body"]
    assert entry["author"] is None
    assert entry["team"] == "AR"
    assert entry["invoices"] == [{"number": "S-1"}, {"number": "S-2"}]
    await _drain(pool, _mailer(url))
    assert len(inbox.to(address)) == 1


async def test_two_workers_send_each_message_exactly_once(make_caller, settings, smtp):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    addresses = [(await _scheduled(ar))[1] for _ in range(6)]
    pools = [await create_pool(settings.database_url, min_size=1, max_size=2) for _ in range(2)]
    try:
        await asyncio.gather(*(_drain(p, _mailer(url)) for p in pools))
    finally:
        for p in pools:
            await p.close()
    counts = Counter(m["To"] for m in inbox.messages if m["To"] in addresses)
    assert counts == dict.fromkeys(addresses, 1)


WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime
    from jobs.delivery import deliver_due
    from jobs.mail import Mailer
    from store.db import create_pool

    async def main():
        pool = await create_pool(sys.argv[1], min_size=1, max_size=1)
        mailer = Mailer.from_url(sys.argv[2], "ar@rapport.test")
        await deliver_due(pool, mailer, datetime.fromisoformat(sys.argv[3]))

    asyncio.run(main())
    """
)


async def test_a_worker_killed_between_send_and_commit_never_causes_a_second_send(
    make_caller, settings, pool, smtp
):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    account, address, message = await _scheduled(ar)
    # Other tests' messages may be due too: the server counts per address.
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WORKER,
        settings.database_url,
        url,
        LATER,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    killed = threading.Event()

    def kill_worker() -> None:
        # the server has the message; the worker dies before it hears 250 and before its commit
        if not killed.is_set():
            killed.set()
            os.kill(worker.pid, signal.SIGKILL)

    inbox.on_data = kill_worker
    await asyncio.wait_for(worker.wait(), 60)
    assert killed.is_set()
    assert worker.returncode == -signal.SIGKILL
    inbox.on_data = None
    async with pool.acquire() as conn:
        status = await conn.fetchval(
            "SELECT status FROM outbound_messages WHERE id = $1", messaging.uuid_of(message["id"])
        )
    assert status == "SENDING"
    # another worker takes over once Postgres has let the dead one's lock go
    deadline = time.monotonic() + 30
    while (await messaging.messages_of(ar, account))[0]["status"] != "SENT":
        assert time.monotonic() < deadline, "the abandoned message was never recovered"
        await _drain(pool, _mailer(url))
        await asyncio.sleep(0.2)
    [sent] = await messaging.messages_of(ar, account)
    assert "not sent again" in sent["reason"]
    assert sent["entry"]["kind"] == "EMAIL"
    assert len(inbox.to(address)) == 1


async def test_a_permanent_refusal_fails_at_once_with_the_servers_reason(make_caller, pool, smtp):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    inbox.replies[address] = "550 mailbox unavailable"
    account, _, _ = await _scheduled(ar, address)
    await _drain(pool, _mailer(url))
    [failed] = await messaging.messages_of(ar, account)
    assert failed["status"] == "FAILED"
    assert "550 mailbox unavailable" in failed["reason"]
    assert failed["entry"] is None


async def test_a_temporary_failure_is_retried_with_backoff_then_failed(make_caller, pool, smtp):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    inbox.replies[address] = "451 try again later"
    account, _, message = await _scheduled(ar, address)
    message_id = messaging.uuid_of(message["id"])
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await _drain(pool, _mailer(url))
        async with pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM outbound_messages WHERE id = $1", message_id)
            assert row["attempts"] == attempt
            if attempt < MAX_ATTEMPTS:
                assert row["status"] == "SCHEDULED"
                assert row["next_attempt_at"] > row["updated_at"]
                await conn.execute(
                    "UPDATE outbound_messages SET next_attempt_at = now() WHERE id = $1", message_id
                )
    [failed] = await messaging.messages_of(ar, account)
    assert failed["status"] == "FAILED"
    assert "451 try again later" in failed["reason"]
    # the server recovers: a later attempt does not happen, FAILED is final
    inbox.replies.pop(address)
    await _drain(pool, _mailer(url))
    assert inbox.to(address) == []


PAYMENT = """
mutation ($input: RecordPaymentInput!) {
  recordPayment(input: $input) { entry { id } userErrors { message } }
}
"""
THANK_YOU = "Dear {{ contact.name }}, thank you: {{ account.name }} owes nothing overdue."


async def test_a_payment_that_settles_the_overdue_balance_is_followed_by_one_thank_you(
    make_caller, pool, smtp
):
    inbox, url = smtp
    ar = await make_caller(Team.AR)
    saved = await messaging.template(ar, "thank-you", body=THANK_YOU)
    assert saved["userErrors"] == [] or saved["userErrors"][0]["code"] == "CONFLICT"  # another run saved it
    numbers: dict[str, str] = {}
    account, address, _ = await _scheduled(ar, invoices=numbers)
    # no thank-you before the reminder went, nor while money is overdue
    assert all(m["templateName"] != "thank-you" for m in await messaging.plan(ar, account, AT))
    await _drain(pool, _mailer(url))
    for number, amount, day in (("S-1", "100.00", "2026-02-20"), ("S-2", "50.00", "2026-02-22")):
        payment = {"accountId": account, "amount": amount, "currency": "EUR", "receivedOn": day}
        allocation = {"invoiceId": numbers[number], "amount": amount}
        paid = await ar.gql(PAYMENT, {"input": {**payment, "allocations": [allocation]}})
        assert paid["recordPayment"]["userErrors"] == []
        if number == "S-1":  # S-2 is still overdue
            assert await messaging.plan(ar, account, "2026-02-21T09:00:00Z") == []
    [thanks] = await messaging.plan(ar, account, "2026-02-23T09:00:00Z")
    assert thanks["templateName"] == "thank-you"
    assert thanks["body"].startswith("Dear Paula Payable, thank you:")
    assert await messaging.plan(ar, account, "2026-02-24T09:00:00Z") == []
    await _drain(pool, _mailer(url))
    assert [m["Subject"] for m in inbox.to(address)] == ["Invoices due", "Invoices due"]
