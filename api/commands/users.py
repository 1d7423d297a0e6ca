"""`rapport users` and `rapport tokens`: who may sign in, and with which API tokens."""

import asyncio
from uuid import UUID

import asyncpg
import click

from api.commands.connections import connect, stack
from api.settings import Settings
from domain.teams import Team, parse_team
from domain.tokens import new_token, token_hash
from store import users


async def issue_token(conn: asyncpg.Connection, user: users.User, label: str | None) -> tuple[UUID, str]:
    """Only the digest is stored, so the token returned here is the one chance to show it."""
    token = new_token()
    token_id = await users.add_token(conn, user.id, token_hash(token), label)
    return token_id, token


@click.group(name="users")
def users_group() -> None:
    """Manage users."""


def _team(ctx: click.Context, param: click.Parameter, value: str) -> Team:
    try:
        return parse_team(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@users_group.command(name="add")
@click.option("--email", required=True, help="Sign-in email; also how identity-provider tokens map.")
@click.option("--name", required=True, help="Display name.")
@click.option("--team", required=True, callback=_team, help="SALES, SERVICE, AR, ADMIN or INTEGRATION.")
def users_add(email: str, name: str, team: Team) -> None:
    """Add a user."""

    async def run(settings: Settings) -> users.User:
        async with connect(settings) as conn:
            return await users.add_user(conn, email=email.strip(), name=name.strip(), team=team)

    if "@" not in email:
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="--email")
    with stack() as settings:
        try:
            user = asyncio.run(run(settings))
        except users.EmailTaken:
            raise click.ClickException(f"a user with email {email} already exists.") from None
    click.echo(f"added {user.email} ({user.team.value})")


@users_group.command(name="list")
def users_list() -> None:
    """List users."""

    async def run(settings: Settings) -> list[users.User]:
        async with connect(settings) as conn:
            return await users.list_users(conn)

    with stack() as settings:
        for user in asyncio.run(run(settings)):
            click.echo(f"{user.email}\t{user.team.value}\t{user.name}")


def _set_disabled(email: str, disabled: bool) -> None:
    async def run(settings: Settings) -> bool | None:
        async with connect(settings) as conn:
            return await users.set_disabled(conn, email, disabled)

    with stack() as settings:
        changed = asyncio.run(run(settings))
    if changed is None:
        raise click.ClickException(f"no user with email {email}.")
    state = "disabled" if disabled else "enabled"
    click.echo(f"{email} {state}" if changed else f"{email} was already {state}")


@users_group.command(name="disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Refuse EMAIL at once: API tokens, identity-provider tokens and live subscriptions (within
    seconds) stop working; nothing of theirs is deleted."""
    _set_disabled(email, True)


@users_group.command(name="enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Let a disabled EMAIL in again, with the tokens it still has."""
    _set_disabled(email, False)


@click.group()
def tokens() -> None:
    """Issue and revoke API tokens."""


@tokens.command(name="issue")
@click.argument("email")
@click.option("--label", help="What the token is for, e.g. 'ERP sync'.")
def tokens_issue(email: str, label: str | None) -> None:
    """Issue a token for EMAIL; the token is printed once, on the last line."""

    async def run(settings: Settings) -> tuple[UUID, str]:
        async with connect(settings) as conn:
            user = await users.user_by_email(conn, email)
            if user is None:
                raise click.ClickException(f"no user with email {email}; add one with `rapport users add`.")
            return await issue_token(conn, user, label)

    with stack() as settings:
        token_id, token = asyncio.run(run(settings))
    click.echo(f"token id {token_id} for {email}; keep the token secret, it is not shown again:")
    click.echo(token)


@tokens.command(name="revoke")
@click.argument("token_or_id", required=False)
@click.option("--email", help="Revoke every token of this user instead.")
def tokens_revoke(token_or_id: str | None, email: str | None) -> None:
    """Revoke a token (by its value or its id), or all tokens of --email."""
    if bool(token_or_id) == bool(email):
        raise click.UsageError("give either a token (or token id) or --email, not both.")

    async def run(settings: Settings) -> int:
        async with connect(settings) as conn:
            if email:
                user = await users.user_by_email(conn, email)
                if user is None:
                    raise click.ClickException(f"no user with email {email}.")
                return await users.revoke_user_tokens(conn, user.id)
            try:
                return await users.revoke_token(conn, token_id=UUID(token_or_id))
            except ValueError:
                return await users.revoke_token(conn, digest=token_hash(token_or_id))

    with stack() as settings:
        count = asyncio.run(run(settings))
    if count == 0:
        raise click.ClickException("no live token matched; nothing was revoked.")
    click.echo(f"revoked {count} token{'s' if count != 1 else ''}")
