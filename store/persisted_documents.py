"""GraphQL documents stored by the SHA-256 of their text: automatic persisted queries, trusted documents."""

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class PersistedDocument:
    sha256: str
    document: str
    trusted: bool


async def document_by_hash(conn: asyncpg.Connection | asyncpg.Pool, sha256: str) -> PersistedDocument | None:
    row = await conn.fetchrow(
        "SELECT sha256, document, trusted FROM persisted_documents WHERE sha256 = $1", sha256
    )
    return PersistedDocument(row["sha256"], row["document"], row["trusted"]) if row else None


async def remember(conn: asyncpg.Connection | asyncpg.Pool, sha256: str, document: str, *, keep: int) -> None:
    """A document a client sent with its hash; one that is already stored keeps its trust.

    Any caller may store documents, so the untrusted ones are capped at the `keep` newest: a client
    flooding distinct documents evicts old ones, whose clients just send the text again (APQ's own
    retry). Trusted documents are never evicted.
    """
    await conn.execute(
        """
        WITH stored AS (
            INSERT INTO persisted_documents (sha256, document) VALUES ($1, $2)
            ON CONFLICT (sha256) DO NOTHING RETURNING sha256
        )
        DELETE FROM persisted_documents
         WHERE EXISTS (SELECT FROM stored)
           AND sha256 IN (SELECT sha256 FROM persisted_documents WHERE NOT trusted
                           ORDER BY created_at DESC, sha256 OFFSET $3)
        """,
        sha256,
        document,
        max(keep - 1, 0),  # the row just stored is not visible to the DELETE yet, and it is the newest
    )


async def trust(conn: asyncpg.Connection, documents: dict[str, str]) -> int:
    """Register documents (hash -> text) as trusted; returns how many were not trusted before."""
    async with conn.transaction():
        rows = await conn.fetch(
            """
            INSERT INTO persisted_documents AS d (sha256, document, trusted, trusted_at)
            SELECT h, t, true, now() FROM unnest($1::text[], $2::text[]) AS u(h, t)
            ON CONFLICT (sha256) DO UPDATE SET trusted = true, trusted_at = now() WHERE NOT d.trusted
            RETURNING sha256
            """,
            list(documents),
            list(documents.values()),
        )
    return len(rows)
