"""Persisted GraphQL documents: automatic persisted queries and trusted documents, shared by every api process.

A document is keyed by the SHA-256 of its text (lowercase hex), which is what
clients send in `extensions.persistedQuery.sha256Hash`. `trusted` marks the
documents registered with `rapport documents add` (the frontend's build): with
RAPPORT_TRUSTED_DOCUMENTS=require only those run. A document a client
registered by sending it once is untrusted. Documents never change: the key is
their hash.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from migrations import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE persisted_documents (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    document text NOT NULL,
    trusted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    trusted_at timestamptz
);
"""

DOWNGRADE = """
DROP TABLE persisted_documents;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
