"""Message templates, dunning policies, an account's dunning settings and its outbound messages."""

from datetime import datetime
from uuid import UUID

import asyncpg
import orjson

from store.sql import group_by

# --- templates ---------------------------------------------------------------


async def templates(conn: asyncpg.Connection, name: str | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM message_templates WHERE $1::text IS NULL OR name = $1"
        " ORDER BY name, language, channel",
        name,
    )


async def template(conn: asyncpg.Connection, name: str, language: str, channel: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM message_templates WHERE name = $1 AND lower(language) = lower($2) AND channel = $3"
        " FOR NO KEY UPDATE",
        name,
        language,
        channel,
    )


async def template_by_id(conn: asyncpg.Connection, template_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM message_templates WHERE id = $1", template_id)


async def template_names(conn: asyncpg.Connection, names: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT DISTINCT name FROM message_templates WHERE name = ANY($1::text[])", names)
    return {row["name"] for row in rows}


async def save_template(
    conn: asyncpg.Connection,
    existing: asyncpg.Record | None,
    fields: dict,
    user_id: UUID | None,
) -> asyncpg.Record:
    """A new template, or the next version of `existing`; every version is kept."""
    if existing is None:
        row = await conn.fetchrow(
            "INSERT INTO message_templates (name, language, channel, subject, body, updated_by)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            fields["name"],
            fields["language"],
            fields["channel"],
            fields["subject"],
            fields["body"],
            user_id,
        )
    else:
        row = await conn.fetchrow(
            "UPDATE message_templates SET subject = $2, body = $3, updated_by = $4, version = version + 1,"
            " updated_at = now() WHERE id = $1 RETURNING *",
            existing["id"],
            fields["subject"],
            fields["body"],
            user_id,
        )
    await conn.execute(
        "INSERT INTO message_template_versions (template_id, version, subject, body, saved_by)"
        " VALUES ($1, $2, $3, $4, $5)",
        row["id"],
        row["version"],
        row["subject"],
        row["body"],
        user_id,
    )
    return row


# --- policies ----------------------------------------------------------------


def policy_steps(row: asyncpg.Record) -> list[dict]:
    return orjson.loads(row["steps"]) if isinstance(row["steps"], str | bytes) else row["steps"]


async def policies(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM dunning_policies ORDER BY name, id")


async def policies_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch("SELECT * FROM dunning_policies WHERE id = ANY($1::uuid[])", ids)
    return {row["id"]: row for row in rows}


async def lock_policy(conn: asyncpg.Connection, policy_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM dunning_policies WHERE id = $1 FOR NO KEY UPDATE", policy_id)


async def policy_named(conn: asyncpg.Connection, name: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM dunning_policies WHERE name = $1", name)


async def save_policy(
    conn: asyncpg.Connection, policy_id: UUID | None, name: str, is_default: bool, steps: list[dict]
) -> asyncpg.Record:
    """Insert or update; a new default takes the flag from the old one in the same transaction."""
    if is_default:
        await conn.execute(
            "UPDATE dunning_policies SET is_default = false WHERE is_default AND id IS DISTINCT FROM $1",
            policy_id,
        )
    if policy_id is None:
        return await conn.fetchrow(
            "INSERT INTO dunning_policies (name, is_default, steps) VALUES ($1, $2, $3::jsonb) RETURNING *",
            name,
            is_default,
            orjson.dumps(steps).decode(),
        )
    return await conn.fetchrow(
        "UPDATE dunning_policies SET name = $2, is_default = $3, steps = $4::jsonb, version = version + 1,"
        " updated_at = now() WHERE id = $1 RETURNING *",
        policy_id,
        name,
        is_default,
        orjson.dumps(steps).decode(),
    )


# --- an account's dunning ----------------------------------------------------


async def account_dunning(conn: asyncpg.Connection, account_ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch("SELECT * FROM account_dunning WHERE account_id = ANY($1::uuid[])", account_ids)
    return {row["account_id"]: row for row in rows}


async def set_account_dunning(
    conn: asyncpg.Connection,
    account_id: UUID,
    policy_id: UUID | None,
    paused_until: datetime | None,
    pause_reason: str | None,
) -> asyncpg.Record | None:
    """The settings as they were before (None: never set)."""
    before = await conn.fetchrow(
        "SELECT * FROM account_dunning WHERE account_id = $1 FOR NO KEY UPDATE", account_id
    )
    await conn.execute(
        "INSERT INTO account_dunning (account_id, policy_id, paused_until, pause_reason)"
        " VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (account_id) DO UPDATE SET policy_id = $2, paused_until = $3, pause_reason = $4,"
        " updated_at = now()",
        account_id,
        policy_id,
        paused_until,
        pause_reason,
    )
    return before


# --- outbound messages -------------------------------------------------------


async def messages_by_ids(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch("SELECT * FROM outbound_messages WHERE id = ANY($1::uuid[])", ids)
    return {row["id"]: row for row in rows}


async def lock_message(conn: asyncpg.Connection, message_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM outbound_messages WHERE id = $1 FOR NO KEY UPDATE", message_id)


async def messages_of_account(
    conn: asyncpg.Connection,
    account_id: UUID,
    status: list[str] | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first."""
    return await conn.fetch(
        "SELECT * FROM outbound_messages WHERE account_id = $1 AND ($2::text[] IS NULL OR status = ANY($2))"
        " AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))"
        " ORDER BY created_at DESC, id DESC LIMIT $5",
        account_id,
        status,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def drafts(
    conn: asyncpg.Connection, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Drafts waiting for a person, oldest first."""
    return await conn.fetch(
        "SELECT * FROM outbound_messages WHERE status = 'DRAFT'"
        " AND ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2)) ORDER BY created_at, id LIMIT $3",
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def planned_steps(
    conn: asyncpg.Connection, account_ids: list[UUID]
) -> dict[UUID, list[asyncpg.Record]]:
    """The dunning messages already planned for each account: (cycle, step) -> status and reason."""
    rows = await conn.fetch(
        "SELECT account_id, id, cycle_on, step, status, reason, invoice_ids FROM outbound_messages"
        " WHERE account_id = ANY($1::uuid[]) AND kind = 'DUNNING'",
        account_ids,
    )
    return group_by(rows, "account_id")


async def thanks_due(conn: asyncpg.Connection, account_id: UUID | None) -> list[asyncpg.Record]:
    """Per account, its last reminder SENT in a dunning cycle that has no thank-you yet."""
    return await conn.fetch(
        "SELECT DISTINCT ON (m.account_id) m.account_id, m.cycle_on, m.contact_id, m.invoice_ids"
        " FROM outbound_messages m WHERE m.kind = 'DUNNING' AND m.status = 'SENT'"
        " AND ($1::uuid IS NULL OR m.account_id = $1) AND NOT EXISTS ("
        "   SELECT 1 FROM outbound_messages t WHERE t.account_id = m.account_id AND t.kind = 'THANK_YOU'"
        "   AND t.cycle_on = m.cycle_on)"
        " ORDER BY m.account_id, m.sent_at DESC",
        account_id,
    )


MESSAGE_FIELDS = (
    "account_id",
    "contact_id",
    "channel",
    "status",
    "to_address",
    "language",
    "subject",
    "body",
    "invoice_ids",
    "template_name",
    "policy_id",
    "step",
    "cycle_on",
    "kind",
    "scheduled_for",
    "reason",
)


async def insert_messages(conn: asyncpg.Connection, rows: list[dict]) -> list[asyncpg.Record]:
    """New messages; one that another planner inserted first for the same step is left out."""
    inserted = []
    for row in rows:
        found = await conn.fetchrow(
            f"INSERT INTO outbound_messages ({', '.join(MESSAGE_FIELDS)})"
            f" VALUES ({', '.join(f'${i}' for i in range(1, len(MESSAGE_FIELDS) + 1))})"
            " ON CONFLICT (account_id, kind, cycle_on, step) DO NOTHING RETURNING *",
            *(row[name] for name in MESSAGE_FIELDS),
        )
        if found is not None:
            inserted.append(found)
    return inserted


async def replan_message(conn: asyncpg.Connection, message_id: UUID, fields: dict) -> asyncpg.Record | None:
    """A SKIPPED message planned again (its reason lifted); None if it is no longer SKIPPED."""
    return await conn.fetchrow(
        "UPDATE outbound_messages SET contact_id = $2, status = $3, to_address = $4, language = $5,"
        " subject = $6, body = $7, invoice_ids = $8, template_name = $9, policy_id = $10,"
        " scheduled_for = $11, reason = $12, updated_at = now()"
        " WHERE id = $1 AND status = 'SKIPPED' RETURNING *",
        message_id,
        fields["contact_id"],
        fields["status"],
        fields["to_address"],
        fields["language"],
        fields["subject"],
        fields["body"],
        fields["invoice_ids"],
        fields["template_name"],
        fields["policy_id"],
        fields["scheduled_for"],
        fields["reason"],
    )


async def set_reason(conn: asyncpg.Connection, message_id: UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE outbound_messages SET reason = $2, updated_at = now() WHERE id = $1", message_id, reason
    )


async def review(
    conn: asyncpg.Connection,
    message_id: UUID,
    status: str,
    reason: str | None,
    subject: str | None,
    body: str | None,
) -> asyncpg.Record:
    """A draft approved (SCHEDULED, maybe with edited text) or a message cancelled."""
    return await conn.fetchrow(
        "UPDATE outbound_messages SET status = $2, reason = coalesce($3, reason),"
        " subject = coalesce($4, subject), body = coalesce($5, body), updated_at = now()"
        " WHERE id = $1 RETURNING *",
        message_id,
        status,
        reason,
        subject,
        body,
    )
