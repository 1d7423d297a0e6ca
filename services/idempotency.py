"""Idempotency keys, claimed the same way for every writer that takes one.

A retry with the same key and the same request answers with the first
request's result and writes nothing; the same key with another request is a
CONFLICT. The hash covers the command, not how the caller spelled it.
"""

import hashlib
from dataclasses import asdict
from enum import Enum
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from domain.actors import Actor
from domain.validation import conflict
from store import idempotency
from store.idempotency import Prior

KEY_PATH = ("input", "idempotencyKey")


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else str(value)


def request_hash(operation: str, command: Any) -> bytes:
    """A digest of the request, so one idempotency key cannot answer two different requests."""
    plain = {k: v for k, v in asdict(command).items() if k != "idempotency_key"}
    body = orjson.dumps([operation, plain], default=_plain, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).digest()


async def claim(conn: asyncpg.Connection, actor: Actor, operation: str, command: Any) -> Prior | None:
    """None when the command has no key or now owns it; else what the first request with the key did."""
    key = command.idempotency_key
    if key is None:
        return None
    digest = request_hash(operation, command)
    prior = await idempotency.claim(conn, actor.user_id, key, operation, digest)
    if prior is not None and (prior.operation != operation or prior.request_hash != digest):
        raise conflict("this idempotencyKey was already used for a different request.", KEY_PATH)
    return prior


async def complete(
    conn: asyncpg.Connection, actor: Actor, command: Any, account_id: UUID, result_id: UUID
) -> None:
    if command.idempotency_key is not None:
        await idempotency.complete(conn, actor.user_id, command.idempotency_key, account_id, result_id)
