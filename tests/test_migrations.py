"""Migrations go up, down to nothing, and up again on an empty database."""

import asyncio
import uuid

import asyncpg

from api import migrate
from tests.conftest import create_database, drop_database

TABLES = {
    "users",
    "api_tokens",
    "accounts",
    "account_refs",
    "contacts",
    "contact_windows",
    "preferences",
    "entries",
    "entry_revisions",
    "entry_invoices",
    "invoices",
    "payments",
    "payment_allocations",
    "idempotency_keys",
    "audit_log",
    "outbox",
    "timeline_events",
    "account_owners",
    "account_followers",
    "entry_mentions",
    "inbox_items",
    "persisted_documents",
    "message_templates",
    "message_template_versions",
    "dunning_policies",
    "account_dunning",
    "outbound_messages",
    "statement_links",
    "receivables_summary",
    "receivables_summary_day",
}


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
    finally:
        await conn.close()
    return {row["tablename"] for row in rows}


async def test_upgrade_downgrade_upgrade_round_trip(base_settings):
    name = f"rapport_migrations_{uuid.uuid4().hex[:8]}"
    url = await create_database(base_settings.database_url, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == TABLES
        await asyncio.to_thread(migrate.downgrade, url)
        assert await _tables(url) == set()
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == TABLES
    finally:
        await drop_database(base_settings.database_url, name)


async def test_customer_tables_lead_their_primary_key_with_account_id(pool):
    rows = await pool.fetch(
        """
        SELECT c.relname AS table, a.attname AS first_column
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indrelid
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
         WHERE i.indisprimary AND c.relnamespace = 'public'::regnamespace
        """
    )
    first = {row["table"]: row["first_column"] for row in rows}
    customer_tables = TABLES - {
        "users",
        "api_tokens",
        "accounts",
        "account_refs",
        "idempotency_keys",
        "audit_log",
        "outbox",
        "inbox_items",  # a user's, read by user: keyed by its id and (user_id, seq), like idempotency keys
        "persisted_documents",
        # company-wide settings, not a customer's rows
        "message_templates",
        "message_template_versions",
        "dunning_policies",
        "receivables_summary_day",  # the one day the summary holds
    }
    assert {t: first[t] for t in customer_tables} == dict.fromkeys(customer_tables, "account_id")


def test_the_head_revision_is_alembics():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert migrate.head_revision() == ScriptDirectory.from_config(config).get_current_head()
