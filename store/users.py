"""Users and their API tokens."""

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from domain.teams import Team


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    name: str
    team: Team

    @classmethod
    def from_row(cls, row: asyncpg.Record, prefix: str = "") -> "User":
        return cls(
            id=row[f"{prefix}id"],
            email=row[f"{prefix}email"],
            name=row[f"{prefix}name"],
            team=Team(row[f"{prefix}team"]),
        )


class EmailTaken(Exception):
    """A user with this email already exists."""


_USER_COLUMNS = "u.id, u.email, u.name, u.team"


async def add_user(conn: asyncpg.Connection, *, email: str, name: str, team: Team) -> User:
    try:
        row = await conn.fetchrow(
            "INSERT INTO users (email, name, team) VALUES ($1, $2, $3) RETURNING id, email, name, team",
            email,
            name,
            team.value,
        )
    except asyncpg.UniqueViolationError:
        raise EmailTaken(email) from None
    return User.from_row(row)


async def user_by_email(conn: asyncpg.Connection, email: str) -> User | None:
    row = await conn.fetchrow(f"SELECT {_USER_COLUMNS} FROM users u WHERE lower(u.email) = lower($1)", email)
    return User.from_row(row) if row else None


async def users_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, User]:
    rows = await conn.fetch(f"SELECT {_USER_COLUMNS} FROM users u WHERE u.id = ANY($1)", ids)
    return {row["id"]: User.from_row(row) for row in rows}


async def count_users(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM users")


async def set_disabled(conn: asyncpg.Connection, email: str, disabled: bool) -> bool | None:
    """Disable or enable the user with this email: None without such a user, else whether it changed."""
    async with conn.transaction():
        found = await conn.fetchrow(
            "SELECT id, disabled_at IS NOT NULL AS disabled FROM users"
            " WHERE lower(email) = lower($1) FOR UPDATE",
            email,
        )
        if found is None:
            return None
        if found["disabled"] == disabled:
            return False
        await conn.execute(
            "UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1", found["id"], disabled
        )
        return True


async def first_admin_email(conn: asyncpg.Connection) -> str | None:
    """The longest-standing enabled ADMIN: whom `rapport dev` names on a restart."""
    return await conn.fetchval(
        "SELECT email FROM users WHERE team = $1 AND disabled_at IS NULL ORDER BY created_at, email LIMIT 1",
        Team.ADMIN.value,
    )


async def list_users(conn: asyncpg.Connection) -> list[User]:
    rows = await conn.fetch(f"SELECT {_USER_COLUMNS} FROM users u ORDER BY lower(u.email)")
    return [User.from_row(row) for row in rows]


async def add_token(conn: asyncpg.Connection, user_id: UUID, digest: bytes, label: str | None) -> UUID:
    return await conn.fetchval(
        "INSERT INTO api_tokens (user_id, token_hash, label) VALUES ($1, $2, $3) RETURNING id",
        user_id,
        digest,
        label,
    )


async def user_for_token(conn: asyncpg.Connection, digest: bytes) -> User | None:
    """The holder of a live token; a revoked token or a disabled user gets None."""
    row = await conn.fetchrow(
        f"""
        SELECT {_USER_COLUMNS}
          FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
        """,
        digest,
    )
    return User.from_row(row) if row else None


async def revoke_token(
    conn: asyncpg.Connection, *, token_id: UUID | None = None, digest: bytes | None = None
) -> int:
    """Revoke one token, named by its id or by its value; returns how many were live."""
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND (id = $1 OR token_hash = $2)",
        token_id,
        digest,
    )
    return int(status.split()[-1])


async def revoke_user_tokens(conn: asyncpg.Connection, user_id: UUID) -> int:
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
    )
    return int(status.split()[-1])


async def enabled_teams(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, Team]:
    """The team of each enabled user among `ids`; unknown and disabled users are left out."""
    rows = await conn.fetch("SELECT id, team FROM users WHERE id = ANY($1) AND disabled_at IS NULL", ids)
    return {row["id"]: Team(row["team"]) for row in rows}


async def find_users(
    conn: asyncpg.Connection, prefix: str | None, team: Team | None, limit: int
) -> list[User]:
    """Enabled users whose name (or a word of it) or email starts with `prefix`, by name."""
    rows = await conn.fetch(
        f"""
        SELECT {_USER_COLUMNS} FROM users u
         WHERE u.disabled_at IS NULL AND ($2::text IS NULL OR u.team = $2)
           AND ($1::text IS NULL OR lower(u.name) LIKE $1 || '%' OR lower(u.email) LIKE $1 || '%'
                OR lower(u.name) LIKE '% ' || $1 || '%')
         ORDER BY lower(u.name), u.id LIMIT $3
        """,
        _like_prefix(prefix.strip().lower()) if prefix and prefix.strip() else None,
        team.value if team else None,
        limit,
    )
    return [User.from_row(row) for row in rows]


def _like_prefix(text: str) -> str:
    """`text` as a LIKE pattern that matches itself only: % and _ are literal in a name."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
