"""`rapport demo` and `rapport import`: data in bulk, written through the same services as the API."""

import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import click

from api import importing
from api.commands.connections import pool, stack
from api.commands.users import issue_token
from api.settings import Settings
from domain.actors import Actor
from domain.permissions import may_write
from domain.teams import Team
from domain.validation import BATCH_MAX
from store import accounts, users


def offer_demo(settings: Settings) -> None:
    """On an empty database, the demo shows a new user what Rapport is for; asked, never imposed."""

    async def empty() -> bool:
        async with pool(settings) as connections, connections.acquire() as conn:
            return not await accounts.any_accounts(conn)

    if not asyncio.run(empty()):
        return
    if not sys.stdin.isatty():
        click.echo("The database has no accounts yet: `.venv/bin/rapport demo` loads a demo dataset.")
    elif click.confirm("Load the demo data?", default=False):
        _show_demo(asyncio.run(_load_demo(settings)))


async def _load_demo(settings: Settings) -> str:
    """Load the demo in one transaction; returns a token for its AR user, who sees everything."""
    from api import demo as demo_data

    async with pool(settings) as connections, connections.acquire() as conn:
        try:
            async with conn.transaction():
                people = await demo_data.load(conn, datetime.now(UTC).date())
                _, token = await issue_token(conn, people["ada"], "demo")
        except (demo_data.AlreadyLoaded, asyncpg.UniqueViolationError, users.EmailTaken):
            # A concurrent load loses on the unique refs and is rolled back, like a second one.
            raise click.ClickException(
                f"the demo data is already in this database (accounts with external refs in the system "
                f"'{demo_data.SYSTEM}'); it loads once."
            ) from None
    return token


def _show_demo(token: str) -> None:
    from api import demo as demo_data

    click.echo(
        f"Loaded the demo: {len(demo_data.CUSTOMERS)} customers, dated relative to today. Users: "
        + ", ".join(f"{u.email} ({u.team.value})" for u in demo_data.USERS.values())
        + "."
    )
    click.echo(f"A token for {demo_data.USERS['ada'].email}, the AR specialist (shown once):")
    click.echo(f"  {token}")
    click.echo("In GraphiQL, try:")
    click.echo("  { collectionsQueue(first: 5) { edges { node { account { name } flags reasons } } } }")
    click.echo(
        '  { accountByExternalRef(ref: {system: "demo", id: "northwind"}) { name callBrief { flags'
        " brokenPromises { summary } recentNews { summary } } } }"
    )


@click.command()
def demo() -> None:
    """Load a demo dataset: twenty customers and their story, dated relative to today; once per database."""
    with stack() as settings:
        token = asyncio.run(_load_demo(settings))
    _show_demo(token)


@click.group(name="import")
def import_group() -> None:
    """Import the spreadsheets AR teams keep: CSV files (UTF-8, comma-separated) with a header line.

    Rows are keyed by external refs, so running a file again changes only what
    changed in it. Rows go in batches of 1,000, each all or nothing; rejected rows
    go to FILE.rejected.csv with their line and reason. Exit status: 0 when every
    row was imported, 1 when some were rejected, 2 when the file cannot be read.
    """


def _import_command(kind: importing.Kind) -> None:
    required = ", ".join(kind.required)
    optional = f" Optional: {', '.join(kind.optional)}." if kind.optional else ""

    @import_group.command(
        name=kind.name,
        help=f"Import {kind.name} from FILE.csv. Required columns: {required}.{optional}",
    )
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option(
        "--as",
        "as_email",
        metavar="EMAIL",
        help="The user the audit log names as the importer (default: none, the system).",
    )
    @click.option(
        "--batch-size",
        type=click.IntRange(1, BATCH_MAX),
        default=BATCH_MAX,
        show_default=True,
        help="Rows per transaction.",
    )
    def command(file: Path, as_email: str | None, batch_size: int) -> None:
        _import(kind, file, as_email, batch_size)


for _kind in importing.KINDS.values():
    _import_command(_kind)


class _BadImport(click.ClickException):
    exit_code = 2


async def _importer(conn: asyncpg.Connection, kind: importing.Kind, email: str | None) -> Actor:
    """Who the audit log names, and the team of the status entries: the system stands in for billing."""
    if email is None:
        return Actor(user_id=None, team=Team.INTEGRATION)
    user = await users.user_by_email(conn, email)
    if user is None:
        raise _BadImport(f"no user with email {email}; add one with `rapport users add`.")
    if not may_write(user.team, kind.write):
        raise _BadImport(f"{email} is in the {user.team.value} team, which may not write {kind.write.value}.")
    return Actor(user_id=user.id, team=user.team)


def _import(kind: importing.Kind, path: Path, email: str | None, batch_size: int) -> None:
    try:
        total = importing.check_file(path, kind)
    except importing.BadFile as error:
        raise _BadImport(str(error)) from None
    summary = importing.Summary()
    started = time.monotonic()

    async def run(settings: Settings) -> None:
        async with pool(settings) as connections, connections.acquire() as conn:
            actor = await _importer(conn, kind, email)
            with click.progressbar(
                length=total,
                label=f"importing {kind.name}",
                file=sys.stderr,
                show_pos=True,
                item_show_func=lambda rate: rate,
            ) as bar:

                def progress(rows: int) -> None:
                    rate = summary.rows / max(time.monotonic() - started, 1e-6)
                    bar.update(rows, f"{rate:,.0f} rows/s")

                await importing.import_file(
                    conn, kind, path, actor=actor, batch_size=batch_size, progress=progress, summary=summary
                )

    with stack() as settings:
        try:
            asyncio.run(run(settings))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise click.ClickException(
                f"the import stopped at line {summary.next_line} ({type(error).__name__}: {error}); the rows "
                "before it are in, and running the same command again finishes the rest."
            ) from None
    seconds = time.monotonic() - started
    counts = [
        f"{summary.created:,} created",
        f"{summary.updated:,} updated",
        f"{summary.unchanged:,} unchanged",
        f"{summary.rejected:,} rejected",
    ]
    if summary.skipped:
        counts.append(f"{summary.skipped:,} not imported (in a batch with a rejected row)")
    click.echo(
        f"{path.name}: {summary.rows:,} rows in {seconds:.1f} s "
        f"({summary.rows / max(seconds, 1e-6):,.0f} rows/s): {', '.join(counts)}"
    )
    if summary.report is not None:
        click.echo(
            f"rejected rows, with line and reason: {summary.report}; fix them in {path.name} and run the "
            "import again (rows already imported stay as they are).",
            err=True,
        )
        sys.exit(1)
