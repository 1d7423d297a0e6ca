"""Account fields of customer communication: its dunning settings, messages and statement links."""

from uuid import UUID

import asyncpg
import strawberry

from schema.messages_query import messages_page, require_messages
from schema.types.message import (
    DunningPolicy,
    MessageStatus,
    OutboundMessageConnection,
    StatementLink,
    store_statuses,
)
from store import messages, statements


async def dunning_setting(info: strawberry.Info, account_id: UUID) -> asyncpg.Record | None:
    async with info.context.pool.acquire() as conn:
        return (await messages.account_dunning(conn, [account_id])).get(account_id)


async def dunning_policy(info: strawberry.Info, account_id: UUID) -> DunningPolicy | None:
    setting = await dunning_setting(info, account_id)
    if setting is None or setting["policy_id"] is None:
        return None
    async with info.context.pool.acquire() as conn:
        row = (await messages.policies_by_ids(conn, [setting["policy_id"]])).get(setting["policy_id"])
    return DunningPolicy.from_row(row) if row else None


async def account_messages(
    info: strawberry.Info,
    account_id: UUID,
    first: int | None,
    after: str | None,
    status: MessageStatus | None,
) -> OutboundMessageConnection:
    require_messages(info)
    return await messages_page(info, account_id, first, after, store_statuses(status))


async def statement_links(info: strawberry.Info, account_id: UUID) -> list[StatementLink]:
    require_messages(info)
    async with info.context.pool.acquire() as conn:
        rows = await statements.links_of_accounts(conn, [account_id])
    return [StatementLink.from_row(row) for row in rows]
