"""`rapport serve`, `rapport migrate` and `rapport schema export`: what a deployment runs, no dev stack."""

import asyncio
import sys

import click

from api import migrate as migrations
from api import serving
from api.commands.connections import check_ready, load_settings, migrate_database, stack


@click.command()
def serve() -> None:
    """Serve the API with DATABASE_URL and MEILI_URL (no dev stack)."""
    settings = load_settings()
    sockets = serving.listen(settings.host, settings.port)
    serving.check_metrics_port(settings)
    asyncio.run(check_ready(settings))
    if settings.workers == 1:
        serving.serve(settings, sockets)
    elif status := serving.serve_processes(settings, sockets):
        sys.exit(status)


@click.command()
def migrate() -> None:
    """Upgrade the database schema to the latest migration."""
    with stack() as settings:
        migrate_database(settings)
        click.echo(f"database at migration {migrations.head_revision()}")


@click.group()
def schema() -> None:
    """The GraphQL schema."""


@schema.command(name="export")
def schema_export() -> None:
    """Print the schema in SDL (what schema.graphql at the repo root holds)."""
    from schema.app_schema import export_sdl

    click.echo(export_sdl(), nl=False)
