"""Users as an identity provider names them: by email, and only while they are enabled.

Nothing here is cached: a user disabled in the database is refused on the
very next request, whatever token the identity provider still considers valid.
"""

import asyncpg

from domain.teams import Team
from store.users import _USER_COLUMNS, User


async def enabled_user_by_email(conn: asyncpg.Connection, email: str) -> User | None:
    row = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users u WHERE lower(u.email) = lower($1) AND u.disabled_at IS NULL",
        email,
    )
    return User.from_row(row) if row else None


async def provision_user(conn: asyncpg.Connection, *, email: str, name: str, team: Team) -> User | None:
    """Create the user on first sign-in; None if that email belongs to a disabled user.

    Two first requests at once both end with the same user: the second insert
    does nothing and the lookup finds the row the first one wrote.
    """
    row = await conn.fetchrow(
        f"""
        INSERT INTO users AS u (email, name, team) VALUES ($1, $2, $3)
        ON CONFLICT ((lower(email))) DO NOTHING
        RETURNING {_USER_COLUMNS}
        """,
        email,
        name,
        team.value,
    )
    return User.from_row(row) if row else await enabled_user_by_email(conn, email)
