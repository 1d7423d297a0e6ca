"""Who looks after an account: one owner per team, and any number of followers."""

from uuid import UUID

import asyncpg

from store.sql import USER, columns, group_by


async def set_owner(
    conn: asyncpg.Connection, account_id: UUID, team: str, user_id: UUID | None
) -> UUID | None:
    """Make `user_id` the team's owner of the account (None: nobody); returns the previous owner."""
    before = await conn.fetchval(
        "SELECT user_id FROM account_owners WHERE account_id = $1 AND team = $2 FOR UPDATE", account_id, team
    )
    if user_id is None:
        await conn.execute("DELETE FROM account_owners WHERE account_id = $1 AND team = $2", account_id, team)
    else:
        await conn.execute(
            "INSERT INTO account_owners (account_id, team, user_id) VALUES ($1, $2, $3)"
            " ON CONFLICT (account_id, team) DO UPDATE SET user_id = excluded.user_id",
            account_id,
            team,
            user_id,
        )
    return before


async def owners_of_accounts(conn: asyncpg.Connection, account_ids: list[UUID]) -> dict[UUID, list]:
    """Each account's owners with their user columns (prefixed user_), by team."""
    rows = await conn.fetch(
        f"SELECT o.account_id, o.team, {columns('u', USER, 'user_')} FROM account_owners o"
        " JOIN users u ON u.id = o.user_id WHERE o.account_id = ANY($1::uuid[])"
        " ORDER BY o.account_id, o.team",
        account_ids,
    )
    return group_by(rows, "account_id")


async def set_following(conn: asyncpg.Connection, account_id: UUID, user_id: UUID, follow: bool) -> bool:
    """Follow or unfollow; whether anything changed."""
    if follow:
        status = await conn.execute(
            "INSERT INTO account_followers (account_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            account_id,
            user_id,
        )
    else:
        status = await conn.execute(
            "DELETE FROM account_followers WHERE account_id = $1 AND user_id = $2", account_id, user_id
        )
    return status.split()[-1] != "0"


async def followed_by(conn: asyncpg.Connection, user_id: UUID, account_ids: list[UUID]) -> set[UUID]:
    rows = await conn.fetch(
        "SELECT account_id FROM account_followers WHERE user_id = $1 AND account_id = ANY($2::uuid[])",
        user_id,
        account_ids,
    )
    return {row["account_id"] for row in rows}


async def watchers(conn: asyncpg.Connection, account_id: UUID) -> tuple[list[UUID], list[UUID]]:
    """The account's owners and its followers, as user ids."""
    rows = await conn.fetch(
        "SELECT user_id, true AS owner FROM account_owners WHERE account_id = $1"
        " UNION ALL SELECT user_id, false FROM account_followers WHERE account_id = $1",
        account_id,
    )
    return [r["user_id"] for r in rows if r["owner"]], [r["user_id"] for r in rows if not r["owner"]]
