"""Which document a request runs: its text, or one stored by hash (APQ), and whether it may run.

Automatic persisted queries follow Apollo's protocol: a request may carry
`extensions.persistedQuery = {version: 1, sha256Hash}` (the lowercase hex
SHA-256 of the document's text) instead of the text. A hash we do not know is
answered PERSISTED_QUERY_NOT_FOUND, and the client sends the hash with the text
once; after a run that got past parse and validation the document is stored in
Postgres, so every api process knows it from then on. The answer to an unknown
hash is 200, not 4xx: clients' APQ links (Apollo's among them) retry with the
text on that code but may turn APQ off for good after a 400.

RAPPORT_TRUSTED_DOCUMENTS: `off` runs any document. `allow` runs any too, and
logs the hash of each one not registered with `rapport documents add` (once per
process every few minutes), to see what `require` would refuse before turning it on. `require` runs only the
registered (trusted) documents, by text or by hash: anything else is refused
with DOCUMENT_NOT_TRUSTED, and nothing a client sends is stored.

Documents never change under their hash, so the ones found are kept in this
process (the most recent KEPT); a hash not found is asked again next time,
since another process may have stored it meanwhile. A kept document is the same
string object at every request, which makes the compiled reads' plan cache (keyed
by document text) find it by identity: in effect, keyed by the hash.
"""

import hashlib
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

import asyncpg

from schema.errors import UNAVAILABLE
from store import persisted_documents
from store.persisted_documents import PersistedDocument

log = logging.getLogger("rapport.persisted_queries")

MODES = ("off", "allow", "require")
VERSION = 1
KEPT = 2000
UNTRUSTED_STORED = 10_000  # in Postgres, for every process: see persisted_documents.remember
UNTRUSTED_NOTED_SECONDS = 300.0
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def document_hash(document: str) -> str:
    """The key of a document: the SHA-256 of its UTF-8 text, as lowercase hex."""
    return hashlib.sha256(document.encode()).hexdigest()


class DocumentRefused(Exception):
    """The request's document cannot be run; the message is for the client, `code` its extensions.code."""

    def __init__(self, message: str, code: str = "BAD_REQUEST", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.headers: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class Resolved:
    query: str
    sha256: str | None  # None: plain text, not looked up
    store: bool  # sent with its hash and not stored yet: store it once it proves valid


class PersistedDocuments:
    """The documents of one api process's requests, stored in Postgres and kept here once seen."""

    def __init__(self, pool: asyncpg.Pool, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"trusted documents mode {mode!r}")
        self.pool = pool
        self.mode = mode
        self._kept: OrderedDict[str, PersistedDocument] = OrderedDict()
        self._untrusted: OrderedDict[str, float] = OrderedDict()  # allow: hash -> when it was logged

    async def resolve(self, query: str | None, extensions: dict | None) -> Resolved:
        """The document to run; DocumentRefused when there is none, or it may not run."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is None:
                raise DocumentRefused("The request needs a `query` string.")
            if self.mode == "off":
                return Resolved(query, None, store=False)
            sha256 = document_hash(query)
            if not self._noted_lately(sha256):
                self._check_trusted(await self._find(sha256), sha256)
            return Resolved(query, sha256, store=False)
        sha256 = _requested_hash(persisted)
        stored = await self._find(sha256)
        if query is None:
            if stored is None:
                raise DocumentRefused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", status=200)
            self._check_trusted(stored, sha256)
            return Resolved(stored.document, sha256, store=False)
        if document_hash(query) != sha256:
            raise DocumentRefused(
                "The persistedQuery sha256Hash is not the SHA-256 of the query text (UTF-8, lowercase hex).",
                "PERSISTED_QUERY_HASH_MISMATCH",
            )
        self._check_trusted(stored, sha256)
        return Resolved(stored.document if stored else query, sha256, store=stored is None)

    async def store(self, resolved: Resolved) -> None:
        """Store a document sent with its hash, now that it got past parse and validation."""
        if not resolved.store or self.mode == "require":
            return
        try:
            await persisted_documents.remember(
                self.pool, resolved.sha256, resolved.query, keep=UNTRUSTED_STORED
            )
        except UNAVAILABLE:
            log.warning("database unavailable: persisted query %s not stored", resolved.sha256)

    def _noted_lately(self, sha256: str) -> bool:
        """Under `allow`, a document found untrusted is neither looked up nor logged again for a while:
        until it is registered, that is most requests, and each would otherwise cost a query and a line."""
        noted = self._untrusted.get(sha256)
        return noted is not None and time.monotonic() - noted < UNTRUSTED_NOTED_SECONDS

    def _check_trusted(self, stored: PersistedDocument | None, sha256: str) -> None:
        if stored is not None and stored.trusted:
            return
        if self.mode == "allow":
            if not self._noted_lately(sha256):
                log.info("untrusted document %s ran (RAPPORT_TRUSTED_DOCUMENTS=allow)", sha256)
                self._untrusted[sha256] = time.monotonic()
                self._untrusted.move_to_end(sha256)
                if len(self._untrusted) > KEPT:
                    self._untrusted.popitem(last=False)
        elif self.mode == "require":
            raise DocumentRefused(
                f"This server runs only registered documents, and {sha256} is not one; "
                "register it with `rapport documents add` when the client is built.",
                "DOCUMENT_NOT_TRUSTED",
                status=403,
            )

    async def _find(self, sha256: str) -> PersistedDocument | None:
        kept = self._kept.get(sha256)
        if kept is not None and (kept.trusted or self.mode != "require"):
            self._kept.move_to_end(sha256)
            return kept
        try:
            found = await persisted_documents.document_by_hash(self.pool, sha256)
        except UNAVAILABLE:
            raise DocumentRefused(
                "The database is unavailable; try again shortly.", "SERVICE_UNAVAILABLE", status=503
            ) from None
        if found is not None:
            if kept is not None and kept.document == found.document:
                found = PersistedDocument(found.sha256, kept.document, found.trusted)
            self._kept[sha256] = found
            self._kept.move_to_end(sha256)
            if len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return found


def _requested_hash(persisted: object) -> str:
    if not isinstance(persisted, dict):
        raise DocumentRefused("`extensions.persistedQuery` must be an object {version: 1, sha256Hash}.")
    version = persisted.get("version")
    if type(version) is not int or version != VERSION:
        raise DocumentRefused(
            f"persistedQuery version {version!r} is not supported; this server speaks version {VERSION}."
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise DocumentRefused("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.")
    return sha256.lower()
