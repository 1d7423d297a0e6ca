"""Alembic migrations: the only place the database schema changes."""

from alembic import op


def execute_script(script: str) -> None:
    """Run a multi-statement SQL script one statement at a time.

    The asyncpg driver prepares every statement, and a prepared statement may
    hold only one command; statements here end with ';' at the end of a line.
    """
    for statement in script.split(";\n"):
        if statement.strip():
            op.execute(statement)
