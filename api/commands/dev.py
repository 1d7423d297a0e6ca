"""`rapport dev` and `rapport stack`: the local dev stack, for `make run`, `make test` and `make bench`."""

import asyncio
import os
import subprocess
import sys

import click

from api import console, serving
from api import settings as settings_module
from api.commands.connections import check_meili, connect, migrate_database, stack
from api.commands.data import offer_demo
from api.commands.users import issue_token
from api.settings import Settings
from domain.teams import Team
from store import users


async def _bootstrap_admin(settings: Settings) -> tuple[str | None, str | None]:
    """An ADMIN's email, and a token only when the database had no users, so the first start is usable.

    On a later start the email says whom to issue a token for (None: no enabled ADMIN).
    """
    async with connect(settings) as conn, conn.transaction():
        await conn.execute("LOCK TABLE users IN EXCLUSIVE MODE")
        if await users.count_users(conn):
            return await users.first_admin_email(conn), None
        admin = await users.add_user(conn, email="admin@localhost", name="Admin", team=Team.ADMIN)
        _, token = await issue_token(conn, admin, "created by the first `make run`")
        return admin.email, token


@click.command()
def dev() -> None:
    """Start the dev stack, migrate, and serve the API (what `make run` does)."""
    # The port first: a server that cannot listen must not spend the one-time ADMIN token.
    sockets = serving.listen(*settings_module.listen_address())
    with stack(borrow=False) as settings:
        migrate_database(settings)
        admin, token = asyncio.run(_bootstrap_admin(settings))
        base = f"http://{serving.address(settings.host, settings.port)}"
        if token:
            click.echo(f"Created the ADMIN user {admin}. Its token (shown once):")
            click.echo(f"  {token}")
            click.echo("Try it:")
            click.echo(
                f"  curl -s {base}/graphql -H 'Authorization: Bearer {token}' "
                "-H 'Content-Type: application/json' -d '{\"query\": \"{ me { email team } }\"}'"
            )
            # In the fragment, which no server, log or Referer sees; the console moves it into the tab's
            # session and out of the address bar on opening (web/src/session.ts).
            click.echo(
                "Or sign in to the web console with this link (it holds the token: keep it to yourself):"
            )
            click.echo(f"  {base}{console.PATH}/#token={token}")
        elif admin:
            click.echo(f"ADMIN is {admin}; issue a token with: .venv/bin/rapport tokens issue {admin}")
        else:
            click.echo("Get a token with: .venv/bin/rapport tokens issue EMAIL")
        offer_demo(settings)
        click.echo(f"Web console: {base}{console.PATH}/")
        click.echo(f"GraphiQL: {base}/graphql")
        serving.serve(settings, sockets, run_worker=True)


@click.command(name="stack", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def stack_command(command: tuple[str, ...]) -> None:
    """Run COMMAND with DATABASE_URL and MEILI_URL pointing at the dev stack."""
    with stack():
        check_meili(settings_module.load())
        process = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
        try:
            code = process.wait()
        except KeyboardInterrupt:
            process.terminate()
            code = process.wait()
    sys.exit(code)
