"""Mentions and inbox items: who hears about an entry, written in the entry's own transaction.

Every writer of an entry (services/entries.py, the edits and follow-up changes)
comes here after its row is written, so the rule in domain/inbox.py is applied
the same way whoever writes. A mention of someone who may not read the entry is
refused with their name rather than dropped: a silent leak or a silent loss are
both worse than telling the writer.
"""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.entries import EntryKind, Visibility
from domain.inbox import Audience, may_read, recipients
from domain.validation import Problem, Rejected
from store import inbox, mentions, owners, users

MENTIONS_MAX = 20


async def check_people(
    conn: asyncpg.Connection,
    user_ids: Sequence[UUID],
    visibility: Visibility,
    path: tuple[str, ...],
    *,
    listed: bool = True,
) -> list[UUID]:
    """The named users, each enabled and allowed to read an entry of `visibility`; else userErrors.

    `path` is a list's path, and each problem names its index (`listed`), or a single id's field.
    """
    unique = list(dict.fromkeys(user_ids))
    if len(unique) > MENTIONS_MAX:
        raise Rejected(Problem(path, f"at most {MENTIONS_MAX} people per entry (got {len(unique)})."))
    known = await users.users_by_ids(conn, unique)
    teams = await users.enabled_teams(conn, unique)
    problems = []
    for i, user_id in enumerate(user_ids):
        at = (*path, str(i)) if listed else path
        user = known.get(user_id)
        if user is None:
            problems.append(Problem(at, "no user with this id.", "NOT_FOUND"))
        elif user_id not in teams:
            problems.append(Problem(at, f"{user.name} ({user.email}) is disabled."))
        elif not may_read(teams[user_id], visibility):
            problems.append(
                Problem(
                    at,
                    f"{user.name} ({user.email}) is in {user.team.value} and may not see RESTRICTED entries.",
                )
            )
    if problems:
        raise Rejected(*problems)
    return unique


async def notify(
    conn: asyncpg.Connection,
    actor: Actor,
    account_id: UUID,
    entry_id: UUID,
    *,
    kind: EntryKind,
    visibility: Visibility,
    mentioned: Sequence[UUID] = (),
    assignee_id: UUID | None = None,
    watched: bool = True,
) -> list[UUID]:
    """Inbox items for everyone the entry concerns (`watched`: owners and followers too); who got one."""
    owner_ids, follower_ids = await owners.watchers(conn, account_id) if watched else ([], [])
    named = [*mentioned, *([assignee_id] if assignee_id else []), *owner_ids, *follower_ids]
    if not named:
        return []
    audience = Audience(
        kind=kind,
        visibility=visibility,
        author_id=actor.user_id,
        mentioned=mentioned,
        assignee_id=assignee_id,
        owners=owner_ids,
        followers=follower_ids,
    )
    chosen = recipients(audience, await users.enabled_teams(conn, list(set(named))))
    return await inbox.add_items(conn, account_id, entry_id, {u: r.value for u, r in chosen.items()})


async def mention(
    conn: asyncpg.Connection,
    actor: Actor,
    account_id: UUID,
    entry_id: UUID,
    mention_ids: Sequence[UUID],
    *,
    kind: EntryKind,
    visibility: Visibility,
) -> None:
    """The entry names exactly these people now; those newly named hear of it (once per entry)."""
    before = await mentions.mentioned(conn, account_id, entry_id)
    await mentions.set_mentions(conn, account_id, entry_id, list(mention_ids))
    added = [u for u in mention_ids if u not in before]
    if added:
        await notify(
            conn,
            actor,
            account_id,
            entry_id,
            kind=kind,
            visibility=visibility,
            mentioned=added,
            watched=False,
        )
