"""Subscription.timeline and Subscription.inbox: live, resumable by cursor (schema/live.py)."""

import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import replace
from typing import Annotated

import strawberry

from schema import ids, pagination
from schema.errors import PublicError
from schema.inbox import items_of_rows
from schema.live import Closing, TooSlow
from schema.types.entries.common import TimelineEntry
from schema.types.entries.rows import entries_with_invoices
from schema.types.inbox import InboxItem
from store import accounts, entries

TOKEN_CHECK_SECONDS = 5.0

# Close codes the client sees when the server ends a subscription's connection.
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_SLOW = 4008
CLOSE_UNAUTHORIZED = 4401


class TooManySubscriptions(PublicError):
    """The caller already holds the most subscriptions one user may hold."""

    code = "LIMIT_EXCEEDED"


class NotFound(PublicError):
    code = "NOT_FOUND"


async def _still_valid(info: strawberry.Info) -> bool:
    """Whether the connection's token still holds, checked at most every TOKEN_CHECK_SECONDS
    per connection: its subscriptions share the answer rather than each asking again."""
    context = info.context
    now = time.monotonic()
    if now - context.token_checked_at > TOKEN_CHECK_SECONDS:
        context.token_valid = await context.reauthenticate() is not None
        context.token_checked_at = now
    return context.token_valid


async def _entries(context, wanted: list, restricted: bool) -> dict:
    async with context.pool.acquire() as conn:
        rows = await entries.entries_by_ids(conn, wanted, restricted=restricted)
        return {e.entry_id: e for e in await entries_with_invoices(conn, list(rows.values()))}


async def _close(info: strawberry.Info, code: int, reason: str) -> None:
    websocket = info.context.websocket
    if websocket is not None:
        await websocket.close(code=code, reason=reason)


async def _revoked(info: strawberry.Info) -> bool:
    """Whether the token no longer holds; if so the connection is closed."""
    if await _still_valid(info):
        return False
    await _close(info, CLOSE_UNAUTHORIZED, "token revoked")
    return True


@contextlib.asynccontextmanager
async def _live(info: strawberry.Info) -> AsyncIterator[None]:
    """One of the caller's live subscriptions while it runs; the close codes of its ends."""
    context = info.context
    hub = context.hub
    if hub.per_user[context.user.id] >= hub.max_per_user:
        raise TooManySubscriptions(f"At most {hub.max_per_user} live subscriptions per user.")
    hub.per_user[context.user.id] += 1
    try:
        yield
    except TooSlow:
        await _close(info, CLOSE_TOO_SLOW, "subscriber too slow; reconnect with `after`")
    except Closing:
        await _close(info, CLOSE_GOING_AWAY, "server shutting down")
    finally:
        hub.per_user[context.user.id] -= 1


@strawberry.type(description="Live updates over a websocket (graphql-transport-ws) on /graphql.")
class Subscription:
    @strawberry.subscription(
        description="Every entry created or edited on the account from now on, as the caller may see it. "
        "With `after` (an entry's eventCursor), first replays what came after it."
    )
    async def timeline(
        self,
        info: strawberry.Info,
        account_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The account to follow (an Account id); NOT_FOUND if there is none."
            ),
        ],
        after: Annotated[
            str | None,
            strawberry.argument(
                description="An entry's eventCursor from an earlier delivery: replay everything "
                "after it, then go on live. Null: only what comes from now on."
            ),
        ] = None,
    ) -> AsyncGenerator[TimelineEntry, None]:
        context = info.context
        account_uuid = ids.decode_as(account_id, "Account")
        start = pagination.decode(after, int)
        async with context.pool.acquire() as conn:
            if not await accounts.accounts_by_ids(conn, [account_uuid]):
                raise NotFound("No account with this id.")
        hub = context.hub
        async with _live(info):
            cursor = start[0] if start else await hub.latest(account_uuid)
            async for batch in hub.follow(account_uuid, cursor):
                if await _revoked(info):
                    return
                wanted = [e["entry_id"] for e in batch if e["op"] == "upsert"]
                if not wanted:
                    continue
                context.fresh_loaders()
                restricted = context.sees_restricted
                # Everyone on the account asks for the same entries; the two views differ by RESTRICTED.
                typed = await hub.shared(
                    ("entries", tuple(wanted), restricted), _entries, context, wanted, restricted
                )
                for event in batch:
                    entry = typed.get(event["entry_id"])
                    if event["op"] == "upsert" and entry is not None:
                        yield replace(entry, event_cursor=pagination.encode(event["seq"]))

    @strawberry.subscription(description="The caller's new inbox items, as they arrive.")
    async def inbox(
        self,
        info: strawberry.Info,
        after: Annotated[
            str | None,
            strawberry.argument(description="An item's eventCursor: first replays the items after it."),
        ] = None,
    ) -> AsyncGenerator[InboxItem, None]:
        context = info.context
        start = pagination.decode(after, int)
        hub = context.hub
        user_id = context.user.id
        async with _live(info):
            cursor = start[0] if start else await hub.latest_in_inbox(user_id)
            async for batch in hub.follow_inbox(user_id, cursor):
                if await _revoked(info):
                    return
                if not batch:
                    continue
                context.fresh_loaders()  # RESTRICTED or deleted entries stay out, as the caller sees them now
                for row, item in zip(batch, await items_of_rows(context, batch), strict=True):
                    if item is not None:
                        yield replace(item, event_cursor=pagination.encode(row["seq"]))
