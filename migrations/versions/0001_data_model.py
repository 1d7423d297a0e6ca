"""The whole data model of docs/design.md.

Every customer-scoped table carries account_id and leads its keys with it, so
each query stays within one account and the schema can later be distributed by
account_id. Money is numeric with a currency beside it.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from migrations import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = r"""
CREATE TABLE users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text NOT NULL,
    name        text NOT NULL,
    team        text NOT NULL CHECK (team IN ('SALES', 'SERVICE', 'AR', 'ADMIN', 'INTEGRATION')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id),
    token_hash   bytea NOT NULL UNIQUE,
    label        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE accounts (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL,
    status     text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ON_HOLD', 'CLOSED')),
    owner_id   uuid REFERENCES users (id),
    tags       text[] NOT NULL DEFAULT '{}',
    time_zone  text NOT NULL DEFAULT 'UTC',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1
);
CREATE INDEX accounts_name_idx ON accounts (lower(name), id);
CREATE INDEX accounts_tags_idx ON accounts USING gin (tags);
CREATE INDEX accounts_owner_idx ON accounts (owner_id);

-- Lookup from an external system's id to our account: keyed by the external id.
CREATE TABLE account_refs (
    system      text NOT NULL,
    external_id text NOT NULL,
    account_id  uuid NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (system, external_id)
);
CREATE INDEX account_refs_account_idx ON account_refs (account_id);

CREATE TABLE contacts (
    account_id        uuid NOT NULL REFERENCES accounts (id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    name              text NOT NULL,
    title             text,
    roles             text[] NOT NULL DEFAULT '{}',
    email             text,
    phone             text,
    preferred_channel text CHECK (preferred_channel IN ('PHONE', 'EMAIL', 'SMS', 'LETTER', 'MEETING', 'PORTAL')),
    time_zone         text,
    language          text,
    do_not_contact    boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX contacts_id_idx ON contacts (id);

CREATE TABLE contact_windows (
    account_id     uuid NOT NULL,
    contact_id     uuid NOT NULL,
    position       integer NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('PREFERRED', 'BLACKOUT')),
    days_of_week   text[],
    weeks_of_month integer[],
    start_time     time,
    end_time       time,
    from_date      date,
    until_date     date,
    note           text,
    PRIMARY KEY (account_id, contact_id, position),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);

CREATE TABLE preferences (
    account_id uuid NOT NULL REFERENCES accounts (id),
    key        text NOT NULL,
    value      text NOT NULL,
    note       text,
    set_by     uuid REFERENCES users (id),
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

CREATE TABLE invoices (
    account_id  uuid NOT NULL REFERENCES accounts (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    number      text NOT NULL,
    ext_system  text,
    ext_id      text,
    issued_on   date NOT NULL,
    due_on      date NOT NULL,
    currency    char(3) NOT NULL,
    total       numeric(18, 4) NOT NULL CHECK (total >= 0),
    balance     numeric(18, 4) NOT NULL CHECK (balance >= 0),
    status      text NOT NULL CHECK (status IN ('DRAFT', 'OPEN', 'PARTIALLY_PAID', 'PAID', 'DISPUTED', 'WRITTEN_OFF', 'VOID')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id),
    CHECK (due_on >= issued_on),
    CHECK (balance <= total)
);
CREATE INDEX invoices_id_idx ON invoices (id);
CREATE UNIQUE INDEX invoices_ext_key ON invoices (account_id, ext_system, ext_id);
CREATE INDEX invoices_ext_idx ON invoices (ext_system, ext_id);
CREATE INDEX invoices_account_due_idx ON invoices (account_id, due_on, id);

-- One table for every entry kind: common columns, then the columns of each kind.
CREATE TABLE entries (
    account_id    uuid NOT NULL REFERENCES accounts (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    kind          text NOT NULL CHECK (kind IN ('NOTE', 'CALL', 'EMAIL', 'MEETING', 'LETTER', 'SMS', 'NEWS',
                                                'PROMISE_TO_PAY', 'DISPUTE', 'PAYMENT_PLAN', 'INVOICE_STATUS',
                                                'PAYMENT', 'FOLLOW_UP')),
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    author_id     uuid REFERENCES users (id),
    team          text NOT NULL CHECK (team IN ('SALES', 'SERVICE', 'AR', 'ADMIN', 'INTEGRATION')),
    summary       text NOT NULL,
    body          text,
    contact_id    uuid,
    tags          text[] NOT NULL DEFAULT '{}',
    pinned        boolean NOT NULL DEFAULT false,
    visibility    text NOT NULL DEFAULT 'ALL_TEAMS' CHECK (visibility IN ('ALL_TEAMS', 'RESTRICTED')),
    revision      integer NOT NULL DEFAULT 1,
    edited_by     uuid REFERENCES users (id),
    edited_at     timestamptz,
    deleted_at    timestamptz,
    deleted_by    uuid REFERENCES users (id),
    delete_reason text,
    -- interactions
    direction     text CHECK (direction IN ('INBOUND', 'OUTBOUND')),
    outcome       text CHECK (outcome IN ('REACHED', 'LEFT_MESSAGE', 'NO_ANSWER', 'WRONG_CONTACT', 'BOUNCED')),
    -- news
    category      text CHECK (category IN ('DOWNSIZING', 'EXPANSION', 'LEADERSHIP_CHANGE', 'MERGER_ACQUISITION',
                                           'FINANCIAL_DIFFICULTY', 'RELOCATION', 'OTHER')),
    -- promises, disputes, payments, payment plans
    amount        numeric(18, 4),
    currency      char(3),
    promised_for  date,
    grace_days    integer,
    cancelled_at  timestamptz,
    dispute_reason text CHECK (dispute_reason IN ('PRICING', 'QUANTITY', 'QUALITY', 'NOT_RECEIVED',
                                                   'DUPLICATE_BILLING', 'BILLING_ERROR', 'OTHER')),
    dispute_status text CHECK (dispute_status IN ('OPEN', 'RESOLVED', 'REJECTED')),
    resolved_at   timestamptz,
    resolution    text,
    installments  jsonb,
    -- invoice status changes
    from_status   text,
    to_status     text,
    -- payments
    payment_id    uuid,
    received_on   date,
    method        text,
    reference     text,
    -- follow-ups
    due_at        timestamptz,
    assignee_id   uuid REFERENCES users (id),
    done          boolean,
    PRIMARY KEY (account_id, id),
    FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id)
);
CREATE INDEX entries_id_idx ON entries (id);
CREATE INDEX entries_timeline_idx ON entries (account_id, occurred_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX entries_pinned_idx ON entries (account_id, occurred_at DESC, id DESC) WHERE pinned AND deleted_at IS NULL;
CREATE INDEX entries_kind_idx ON entries (account_id, kind, occurred_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE entry_revisions (
    account_id uuid NOT NULL,
    entry_id   uuid NOT NULL,
    revision   integer NOT NULL,
    summary    text NOT NULL,
    body       text,
    tags       text[] NOT NULL DEFAULT '{}',
    edited_by  uuid REFERENCES users (id),
    edited_at  timestamptz NOT NULL,
    PRIMARY KEY (account_id, entry_id, revision),
    FOREIGN KEY (account_id, entry_id) REFERENCES entries (account_id, id)
);

CREATE TABLE entry_invoices (
    account_id uuid NOT NULL,
    entry_id   uuid NOT NULL,
    invoice_id uuid NOT NULL,
    PRIMARY KEY (account_id, entry_id, invoice_id),
    FOREIGN KEY (account_id, entry_id) REFERENCES entries (account_id, id),
    FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id)
);
CREATE INDEX entry_invoices_invoice_idx ON entry_invoices (account_id, invoice_id);

CREATE TABLE payments (
    account_id  uuid NOT NULL REFERENCES accounts (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    amount      numeric(18, 4) NOT NULL CHECK (amount > 0),
    currency    char(3) NOT NULL,
    received_on date NOT NULL,
    method      text,
    reference   text,
    recorded_by uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
);
CREATE INDEX payments_received_idx ON payments (account_id, received_on);

CREATE TABLE payment_allocations (
    account_id uuid NOT NULL,
    payment_id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    amount     numeric(18, 4) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (account_id, payment_id, invoice_id),
    FOREIGN KEY (account_id, payment_id) REFERENCES payments (account_id, id),
    FOREIGN KEY (account_id, invoice_id) REFERENCES invoices (account_id, id)
);

-- A creating mutation claims (user, key) first; the unique key makes retries
-- and concurrent duplicates wait for, then return, the first result.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id),
    key          text NOT NULL,
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    account_id   uuid,
    result_id    uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    account_id  uuid,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid REFERENCES users (id),
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   uuid,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_account_idx ON audit_log (account_id, id DESC);

-- Work for the search index, written in the same transaction as the change.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    account_id      uuid,
    entity_type     text NOT NULL,
    entity_id       uuid NOT NULL,
    op              text NOT NULL CHECK (op IN ('upsert', 'delete')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    done_at         timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE done_at IS NULL;
"""

DOWNGRADE = """
DROP TABLE outbox, audit_log, idempotency_keys, payment_allocations, payments, entry_invoices,
    entry_revisions, entries, invoices, preferences, contact_windows, contacts, account_refs,
    accounts, api_tokens, users;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
