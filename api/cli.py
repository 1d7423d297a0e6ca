"""The `rapport` command line.

Exit status: 0 on success, 1 on failure, 2 on a usage or configuration error
(one sentence on stderr, no traceback). Commands that need the database use
DATABASE_URL, else borrow the running dev stack, else start one for the
duration of the command. The commands themselves are in api/commands/, a module per group.
"""

import sys

import click

from api.commands import data, deployment, dev, documents, search_index, users
from api.settings import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Rapport: the shared customer timeline for sales, service and accounts receivable."""


for command in (
    dev.dev,
    dev.stack_command,
    deployment.serve,
    deployment.migrate,
    deployment.schema,
    search_index.worker,
    search_index.reindex,
    search_index.search_group,
    users.users_group,
    users.tokens,
    data.demo,
    data.import_group,
    documents.documents_group,
):
    cli.add_command(command)


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
