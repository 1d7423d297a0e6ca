"""The collections queue: whom AR should call first, a keyset-paginated ranking from SQL.

Reachability is judged at one instant for the whole queue: now when asOf is
today (or not given), else noon UTC of asOf. The cursor carries that instant
and asOf, so later pages rank exactly as the first one did. Whom to call and
when next come from the call brief's own rule, at that instant, worked out for
the whole page at once and only when a client asks for them.

For asOf = the receivables summary's day (today, once the worker's day pass has
run) the queue ranks from the summary; for any other asOf (or before the pass)
it ranks every overdue account from the entries, the same answer, slower.
"""

from datetime import UTC, date, datetime, time
from functools import partial

import strawberry

from domain.priority import WEIGHTS, reasons
from domain.risk import AccountFacts, risk_flags
from schema import pagination
from schema.briefing import who_to_contact_loader
from schema.errors import InvalidArgument
from schema.moments import day
from schema.types.account import Account
from schema.types.common import Money, page_info
from schema.types.queue import CollectionsConnection, CollectionsEdge, CollectionsItem
from store import collections


async def collections_queue(
    info: strawberry.Info, as_of: date | None, first: int | None, after: str | None
) -> CollectionsConnection:
    size = pagination.page_size(first, default=50)
    as_of = day(as_of)
    key = pagination.decode(after, pagination.DAY, pagination.TIMESTAMP, float, pagination.ID)
    if key is not None:
        if key[0] != as_of:
            raise InvalidArgument("`after` belongs to a queue for another asOf.")
        at, position = key[1], (key[2], key[3])
    else:
        now = datetime.now(UTC)
        at = now if as_of == now.date() else datetime.combine(as_of, time(12), UTC)
        position = None
    async with info.context.pool.acquire() as conn:
        rows = await collections.queue(
            conn,
            as_of=as_of,
            at=at,
            restricted=info.context.sees_restricted,
            weights=WEIGHTS,
            after=position,
            limit=size + 1,
        )
    contacting = who_to_contact_loader(info.context, at)
    edges = []
    for facts, row in rows[:size]:
        edges.append(
            CollectionsEdge(
                cursor=pagination.encode(as_of, at, facts.priority, facts.account_id),
                node=CollectionsItem(
                    account=Account.from_row(row, "account_"),
                    priority=facts.priority,
                    overdue=[Money.of(o.overdue, o.currency) for o in facts.owed],
                    oldest_days_overdue=facts.oldest_days,
                    reachable_now=facts.reachable_now,
                    flags=risk_flags(
                        AccountFacts(
                            all_do_not_contact=facts.all_do_not_contact,
                            reachable_now=facts.reachable_now,
                            broken_promise=facts.broken_promise,
                            open_promise=facts.open_promise,
                            open_dispute=facts.open_dispute,
                            financial_news=facts.financial_news,
                            billing_contact=facts.billing_contact,
                            oldest_days_overdue=facts.oldest_days,
                        )
                    ),
                    reasons=reasons(
                        oldest_days=facts.oldest_days,
                        owed=facts.owed,
                        broken_promise=facts.broken_promise,
                        financial_news=facts.financial_news,
                        reachable_now=facts.reachable_now,
                        open_promise=facts.open_promise,
                    ),
                    who_to_contact=partial(contacting.load, facts.account_id),
                ),
            )
        )
    return CollectionsConnection(edges=edges, page_info=page_info(edges, has_next=len(rows) > size))
