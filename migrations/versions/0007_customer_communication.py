"""Customer communication: message templates, dunning policies, outbound messages, statement links.

Templates and policies are company-wide settings (no account_id); an account's
own policy and pause live in account_dunning, beside accounts rather than in
it, so the accounts table and its readers stay as they are. Outbound messages
are customer-scoped: one row per account, dunning cycle (the due date the steps
count from) and step, which is what makes planning idempotent. Statement links
keep only the SHA-256 of their token.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE message_templates (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL,
    language   text NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('EMAIL', 'LETTER', 'SMS')),
    subject    text,
    body       text NOT NULL,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id),
    UNIQUE (name, language, channel)
);
CREATE TABLE message_template_versions (
    template_id uuid NOT NULL REFERENCES message_templates (id),
    version     integer NOT NULL,
    subject     text,
    body        text NOT NULL,
    saved_at    timestamptz NOT NULL DEFAULT now(),
    saved_by    uuid REFERENCES users (id),
    PRIMARY KEY (template_id, version)
);
CREATE TABLE dunning_policies (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE,
    is_default boolean NOT NULL DEFAULT false,
    steps      jsonb NOT NULL,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dunning_policies_one_default ON dunning_policies (is_default) WHERE is_default;
CREATE TABLE account_dunning (
    account_id   uuid PRIMARY KEY REFERENCES accounts (id),
    policy_id    uuid REFERENCES dunning_policies (id),
    paused_until timestamptz,
    pause_reason text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE outbound_messages (
    account_id     uuid NOT NULL REFERENCES accounts (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    contact_id     uuid,
    channel        text NOT NULL CHECK (channel IN ('EMAIL', 'LETTER', 'SMS')),
    status         text NOT NULL CHECK (status IN ('DRAFT', 'SCHEDULED', 'SENDING', 'SENT', 'FAILED', 'SKIPPED', 'CANCELLED')),
    to_address     text,
    language       text,
    subject        text,
    body           text NOT NULL DEFAULT '',
    invoice_ids    uuid[] NOT NULL DEFAULT '{}',
    template_name  text,
    policy_id      uuid,
    step           integer,
    cycle_on       date,
    kind           text NOT NULL DEFAULT 'DUNNING' CHECK (kind IN ('DUNNING', 'THANK_YOU')),
    scheduled_for  timestamptz,
    sent_at        timestamptz,
    reason         text,
    entry_id       uuid,
    message_id     text,
    attempts       integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id)
);
CREATE UNIQUE INDEX outbound_messages_one_per_step ON outbound_messages (account_id, kind, cycle_on, step);
CREATE INDEX outbound_messages_due ON outbound_messages (scheduled_for) WHERE status = 'SCHEDULED';
CREATE INDEX outbound_messages_sending ON outbound_messages (updated_at) WHERE status = 'SENDING';
CREATE INDEX outbound_messages_drafts ON outbound_messages (created_at, id) WHERE status = 'DRAFT';
CREATE INDEX outbound_messages_of_account ON outbound_messages (account_id, created_at DESC, id DESC);
CREATE TABLE statement_links (
    account_id     uuid NOT NULL REFERENCES accounts (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    contact_id     uuid,
    token_hash     bytea NOT NULL UNIQUE,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    views          integer NOT NULL DEFAULT 0,
    last_viewed_at timestamptz,
    writes_since   timestamptz,
    writes         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id)
);
"""

DOWNGRADE = """
DROP TABLE statement_links;
DROP TABLE outbound_messages;
DROP TABLE account_dunning;
DROP TABLE dunning_policies;
DROP TABLE message_template_versions;
DROP TABLE message_templates;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
