"""The `rapport` command line.

Exit status: 0 on success, 1 on failure, 2 on a usage or configuration error
(one sentence on stderr, no traceback). Commands that need the database use
DATABASE_URL, else borrow the running dev stack, else start one for the
duration of the command.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import asyncpg
import click

from api import importing, logs, serving
from api import migrate as migrations
from api import settings as settings_module
from api.devstack import DevStack, meili_health, terminate_gracefully
from api.settings import ConfigError, Settings
from domain.actors import Actor
from domain.permissions import may_write
from domain.teams import Team, parse_team
from domain.tokens import new_token, token_hash
from domain.validation import BATCH_MAX
from store import accounts, users

CONNECT_TIMEOUT_SECONDS = 5.0


@contextlib.contextmanager
def _stack(*, borrow: bool = True) -> Iterator[Settings]:
    with terminate_gracefully(), DevStack(borrow=borrow):
        yield _settings()


def _settings() -> Settings:
    settings = settings_module.load()
    logs.configure(json_lines=settings.log_json)
    return settings


@contextlib.asynccontextmanager
async def _connect(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    try:
        conn = await asyncpg.connect(settings.database_url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        raise ConfigError(
            f"DATABASE_URL does not lead to a Postgres that accepts us ({type(error).__name__}: "
            f"{error}); expected a reachable server and an existing database."
        ) from None
    try:
        yield conn
    finally:
        await conn.close()


def _check_meili(settings: Settings) -> None:
    if not meili_health(settings.meili_url, timeout=CONNECT_TIMEOUT_SECONDS):
        raise ConfigError(
            f"MEILI_URL {settings.meili_url} does not answer /health; expected a running Meilisearch."
        )


async def _check_schema(settings: Settings) -> None:
    async with _connect(settings) as conn:
        exists = await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
        revision = await conn.fetchval("SELECT version_num FROM alembic_version") if exists else None
    if revision != migrations.head_revision():
        raise ConfigError(
            f"the database schema is at {revision or 'nothing'}, expected "
            f"{migrations.head_revision()}: run `rapport migrate` first."
        )


async def _check_ready(settings: Settings) -> None:
    await _check_schema(settings)
    _check_meili(settings)


@contextlib.asynccontextmanager
async def _pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A small pool with the codecs the store functions expect, at the latest migration."""
    from store.db import create_pool

    await _check_schema(settings)
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


def _migrate(settings: Settings) -> None:
    async def reachable() -> None:
        async with _connect(settings):
            pass

    asyncio.run(reachable())
    migrations.upgrade(settings.database_url)


async def _issue_token(conn: asyncpg.Connection, user: users.User, label: str | None) -> tuple[UUID, str]:
    token = new_token()
    token_id = await users.add_token(conn, user.id, token_hash(token), label)
    return token_id, token


async def _bootstrap_admin(settings: Settings) -> tuple[str | None, str | None]:
    """An ADMIN's email, and a token only when the database had no users, so the first start is usable.

    On a later start the email says whom to issue a token for (None: no enabled ADMIN).
    """
    async with _connect(settings) as conn, conn.transaction():
        await conn.execute("LOCK TABLE users IN EXCLUSIVE MODE")
        if await users.count_users(conn):
            return await users.first_admin_email(conn), None
        admin = await users.add_user(conn, email="admin@localhost", name="Admin", team=Team.ADMIN)
        _, token = await _issue_token(conn, admin, "created by the first `make run`")
        return admin.email, token


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Rapport: the shared customer timeline for sales, service and accounts receivable."""


@cli.command()
def dev() -> None:
    """Start the dev stack, migrate, and serve the API (what `make run` does)."""
    # The port first: a server that cannot listen must not spend the one-time ADMIN token.
    sockets = serving.listen(*settings_module.listen_address())
    with _stack(borrow=False) as settings:
        _migrate(settings)
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
        elif admin:
            click.echo(f"ADMIN is {admin}; issue a token with: .venv/bin/rapport tokens issue {admin}")
        else:
            click.echo("Get a token with: .venv/bin/rapport tokens issue EMAIL")
        _offer_demo(settings)
        click.echo(f"GraphiQL: {base}/graphql")
        serving.serve(settings, sockets, run_worker=True)


def _offer_demo(settings: Settings) -> None:
    """On an empty database, the demo shows a new user what Rapport is for; asked, never imposed."""

    async def empty() -> bool:
        async with _pool(settings) as pool, pool.acquire() as conn:
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

    async with _pool(settings) as pool, pool.acquire() as conn:
        try:
            async with conn.transaction():
                people = await demo_data.load(conn, datetime.now(UTC).date())
                _, token = await _issue_token(conn, people["ada"], "demo")
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


@cli.command()
def demo() -> None:
    """Load a demo dataset: twenty customers and their story, dated relative to today; once per database."""
    with _stack() as settings:
        token = asyncio.run(_load_demo(settings))
    _show_demo(token)


@cli.command()
def serve() -> None:
    """Serve the API with DATABASE_URL and MEILI_URL (no dev stack)."""
    settings = _settings()
    sockets = serving.listen(settings.host, settings.port)
    asyncio.run(_check_ready(settings))
    if settings.workers == 1:
        serving.serve(settings, sockets)
    elif status := serving.serve_processes(settings, sockets):
        sys.exit(status)


@contextlib.asynccontextmanager
async def _search_parts(settings: Settings) -> AsyncIterator[tuple]:
    """A pool, a Meilisearch client and the index name, for the search commands."""
    from search.client import create_client
    from search.index import index_name
    from store.db import create_pool

    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    client = create_client(
        settings.meili_url, settings.meili_master_key, max(settings.meili_timeout_seconds, 30)
    )
    try:
        yield pool, client, index_name(settings.meili_index_prefix)
    finally:
        await client.aclose()
        await pool.close()


@cli.command()
def worker() -> None:
    """Drain the outbox into Meilisearch until stopped (SIGTERM or Ctrl-C)."""

    from search.worker import Worker

    async def run(settings: Settings) -> None:
        await _check_ready(settings)
        async with _search_parts(settings) as (pool, client, uid):
            index_worker = Worker(settings.database_url, pool, client, uid)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, index_worker.stop)
            click.echo(f"indexing into {uid}; Ctrl-C stops")
            await index_worker.run()

    with _stack() as settings:
        asyncio.run(run(settings))


@cli.command()
def reindex() -> None:
    """Rebuild the search index from Postgres and swap it in; searches keep working."""
    from search.reindex import reindex as rebuild
    from store.documents import count_rows

    async def run(settings: Settings) -> int:
        _check_meili(settings)
        async with _search_parts(settings) as (pool, client, uid):
            async with pool.acquire() as conn:
                expected = sum((await count_rows(conn)).values())
            with click.progressbar(length=expected, label="indexing", show_pos=True, show_eta=True) as bar:
                return await rebuild(pool, client, uid, bar.update)

    with _stack() as settings:
        total = asyncio.run(run(settings))
    click.echo(f"indexed {total} documents and swapped the new index in")


@cli.group(name="search")
def search_group() -> None:
    """The search index."""


@search_group.command(name="status")
def search_status() -> None:
    """Outbox depth and age, failing rows, and index counts beside Postgres counts."""
    from datetime import UTC, datetime

    from search.reindex import document_counts
    from store.documents import count_rows
    from store.outbox import status

    async def run(settings: Settings) -> None:
        async with _search_parts(settings) as (pool, client, uid):
            async with pool.acquire() as conn:
                queue = await status(conn)
                rows = await count_rows(conn)
            try:
                indexed = await document_counts(client, uid)
            except Exception as error:
                indexed = None
                click.echo(f"meilisearch: unavailable ({type(error).__name__})")
        age = (datetime.now(UTC) - queue.oldest_pending_at).total_seconds() if queue.oldest_pending_at else 0
        click.echo(f"outbox: {queue.pending} pending, oldest {age:.1f} s, {queue.failing} failing")
        if queue.last_error:
            click.echo(f"last error: {queue.last_error}")
        click.echo(f"{'type':<10}{'postgres':>12}{'index':>12}")
        for entity_type, count in rows.items():
            in_index = "?" if indexed is None else indexed.get(entity_type, 0)
            click.echo(f"{entity_type:<10}{count:>12}{in_index:>12}")

    with _stack() as settings:
        asyncio.run(run(settings))


@cli.command()
def migrate() -> None:
    """Upgrade the database schema to the latest migration."""
    with _stack() as settings:
        _migrate(settings)
        click.echo(f"database at migration {migrations.head_revision()}")


@cli.group(name="users")
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
        async with _connect(settings) as conn:
            return await users.add_user(conn, email=email.strip(), name=name.strip(), team=team)

    if "@" not in email:
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="--email")
    with _stack() as settings:
        try:
            user = asyncio.run(run(settings))
        except users.EmailTaken:
            raise click.ClickException(f"a user with email {email} already exists.") from None
    click.echo(f"added {user.email} ({user.team.value})")


@users_group.command(name="list")
def users_list() -> None:
    """List users."""

    async def run(settings: Settings) -> list[users.User]:
        async with _connect(settings) as conn:
            return await users.list_users(conn)

    with _stack() as settings:
        for user in asyncio.run(run(settings)):
            click.echo(f"{user.email}\t{user.team.value}\t{user.name}")


def _set_disabled(email: str, disabled: bool) -> None:
    async def run(settings: Settings) -> bool | None:
        async with _connect(settings) as conn:
            return await users.set_disabled(conn, email, disabled)

    with _stack() as settings:
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


@cli.group()
def tokens() -> None:
    """Issue and revoke API tokens."""


@tokens.command(name="issue")
@click.argument("email")
@click.option("--label", help="What the token is for, e.g. 'ERP sync'.")
def tokens_issue(email: str, label: str | None) -> None:
    """Issue a token for EMAIL; the token is printed once, on the last line."""

    async def run(settings: Settings) -> tuple[UUID, str]:
        async with _connect(settings) as conn:
            user = await users.user_by_email(conn, email)
            if user is None:
                raise click.ClickException(f"no user with email {email}; add one with `rapport users add`.")
            return await _issue_token(conn, user, label)

    with _stack() as settings:
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
        async with _connect(settings) as conn:
            if email:
                user = await users.user_by_email(conn, email)
                if user is None:
                    raise click.ClickException(f"no user with email {email}.")
                return await users.revoke_user_tokens(conn, user.id)
            try:
                return await users.revoke_token(conn, token_id=UUID(token_or_id))
            except ValueError:
                return await users.revoke_token(conn, digest=token_hash(token_or_id))

    with _stack() as settings:
        count = asyncio.run(run(settings))
    if count == 0:
        raise click.ClickException("no live token matched; nothing was revoked.")
    click.echo(f"revoked {count} token{'s' if count != 1 else ''}")


@cli.group(name="import")
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
        async with _pool(settings) as pool, pool.acquire() as conn:
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

    with _stack() as settings:
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


@cli.group()
def schema() -> None:
    """The GraphQL schema."""


@schema.command(name="export")
def schema_export() -> None:
    """Print the schema in SDL (what schema.graphql at the repo root holds)."""
    from schema.app_schema import export_sdl

    click.echo(export_sdl(), nl=False)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def stack(command: tuple[str, ...]) -> None:
    """Run COMMAND with DATABASE_URL and MEILI_URL pointing at the dev stack."""
    with _stack():
        _check_meili(settings_module.load())
        process = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
        try:
            code = process.wait()
        except KeyboardInterrupt:
            process.terminate()
            code = process.wait()
    sys.exit(code)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except ConfigError as error:
        click.echo(f"rapport: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
