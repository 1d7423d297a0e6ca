"""Query.worklist: open follow-ups due for a person, ordered by domain/worklist.py.

Each row's contact is the follow-up's own, else the first the call brief would
suggest (schema/briefing.py, the same function), judged at `at` in the
contact's time zone.
"""

from datetime import UTC, datetime, time, timedelta

import strawberry

from domain import worklist
from domain.windows import Reachability, reachability
from schema import ids, pagination
from schema.briefing import who_to_contact_loader
from schema.moments import moment
from schema.types.account import Account
from schema.types.common import page_info
from schema.types.contact import Contact
from schema.types.entries.rows import entry_from_row
from schema.types.worklist import WorklistConnection, WorklistEdge, WorklistItem
from store import contacts, entries
from store.facts import window_rules
from store.worklist import due_follow_ups


def end_of_day(at: datetime) -> datetime:
    """The end of `at`'s day in UTC: users carry no time zone of their own."""
    day = at.astimezone(UTC).date()
    return datetime.combine(day + timedelta(days=1), time.min, UTC) - timedelta(microseconds=1)


async def worklist_page(
    info: strawberry.Info,
    due_by: datetime | None,
    assignee_id: str | None,
    first: int | None,
    after: str | None,
    at: datetime | None,
) -> WorklistConnection:
    context = info.context
    now = moment(at)
    size = pagination.page_size(first, default=50)
    start = pagination.decode(after, int)
    offset = start[0] if start else 0
    assignee = ids.decode_as(assignee_id, "User") if assignee_id else context.user.id
    async with context.pool.acquire() as conn:
        rows = await due_follow_ups(
            conn,
            assignee,
            moment(due_by, "dueBy") if due_by else end_of_day(now),
            restricted=context.sees_restricted,
        )
        has_next = len(rows) > offset + size
        rows = rows[: worklist.rows_that_can_place([r["due_at"] for r in rows], now, offset + size)]
        named_ids = [r["contact_id"] for r in rows if r["contact_id"]]
        named = await contacts.contacts_by_ids(conn, named_ids) if named_ids else {}
        windows = await contacts.windows_of_contacts(conn, list(named)) if named else {}
    unnamed = list(dict.fromkeys(r["account_id"] for r in rows if r["contact_id"] not in named))
    suggested = dict(
        zip(
            unnamed,
            await who_to_contact_loader(context, now, first_only=True).load_many(unnamed) if unnamed else [],
            strict=True,
        )
    )
    judged = []
    for row in rows:
        person = named.get(row["contact_id"]) if row["contact_id"] else None
        if person is not None:
            reach = reachability(
                window_rules(windows.get(person["id"], [])),
                person["do_not_contact"],
                person["effective_time_zone"],
                now,
            )
            contact, name = Contact.from_row(person), person["name"]
        else:
            suggestions = suggested[row["account_id"]]
            first_choice = suggestions[0] if suggestions else None
            contact = first_choice.contact if first_choice else None
            name = contact.name if contact else None
            reach = first_choice.reachability if first_choice else None
        facts = worklist.Row(row["id"], row["due_at"], name, _domain(reach), person is not None)
        judged.append((facts, row, contact))
    judged.sort(key=lambda item: worklist.order_key(item[0], now))
    page = judged[offset : offset + size]
    async with context.pool.acquire() as conn:
        invoices = await entries.invoices_of_entries(conn, [row["id"] for _, row, _ in page])
    edges = [
        WorklistEdge(
            cursor=pagination.encode(offset + n + 1),
            node=WorklistItem(
                follow_up=entry_from_row(row, invoices.get(row["id"], [])),
                account=Account.from_row(row, "account_"),
                contact=contact,
                overdue=worklist.is_overdue(facts, now),
                reachable_now=bool(facts.reach and facts.reach.reachable),
                next_reachable_at=facts.reach.next_reachable_at if facts.reach else None,
                reasons=worklist.reasons(facts, now),
            ),
        )
        for n, (facts, row, contact) in enumerate(page)
    ]
    return WorklistConnection(edges=edges, page_info=page_info(edges, has_next=has_next))


def _domain(reach: object) -> Reachability | None:
    """A brief's suggestion carries the schema's Reachability; the order is judged on the domain's."""
    if reach is None or isinstance(reach, Reachability):
        return reach
    return Reachability(reach.reachable, reach.reason, reach.next_reachable_at)
