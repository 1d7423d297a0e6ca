"""The one way a mutation runs: a transaction, its rejection, and the retry on a race.

`run` opens the transaction (services.transaction.retrying: a lost race reruns
it); the work inside raises Rejected for anything the client must fix, which
rolls everything back and becomes userErrors, the one place where store and
domain verdicts turn into the schema's UserError.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict, is_dataclass
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import orjson
import strawberry

from domain.actors import Actor
from domain.permissions import Write
from domain.validation import Problem, Rejected, not_found
from schema import ids
from schema.errors import InvalidArgument
from schema.types.common import UserError
from services.transaction import retrying
from store import accounts

Payload = TypeVar("Payload")


async def run(
    info: strawberry.Info,
    payload: Callable[..., Payload],
    work: Callable[[asyncpg.Connection], Awaitable[Payload]],
) -> Payload:
    try:
        async with info.context.pool.acquire() as conn:
            return await retrying(conn, work)
    except Rejected as rejected:
        return payload(user_errors=[UserError.from_problem(p) for p in rejected.problems])


def actor(info: strawberry.Info) -> Actor:
    """Who makes the change: the caller."""
    return Actor(user_id=info.context.user.id, team=info.context.user.team)


def require(info: strawberry.Info, what: Write) -> None:
    actor(info).require(what)


def parse_id(global_id: str, type_name: str, path: tuple[str, ...], what: str) -> UUID:
    """The uuid of an input id: INVALID if it is not an id at all, NOT_FOUND if of another type."""
    try:
        found, id_ = ids.decode(global_id)
    except InvalidArgument:
        raise Rejected(Problem(path, f"{global_id!r} is not a valid id.")) from None
    if found != type_name:
        raise not_found(path, what)
    return id_


def parse_ids(global_ids: list[str] | None, type_name: str, path: tuple[str, ...], what: str) -> list[UUID]:
    return [parse_id(g, type_name, (*path, str(i)), what) for i, g in enumerate(global_ids or [])]


async def existing_account(conn: asyncpg.Connection, global_id: str, path: tuple[str, ...]) -> asyncpg.Record:
    account_id = parse_id(global_id, "Account", path, "account")
    row = (await accounts.accounts_by_ids(conn, [account_id])).get(account_id)
    if row is None:
        raise not_found(path, "account")
    return row


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


def request_hash(operation: str, data: Any) -> bytes:
    """A digest of the request, so one idempotency key cannot answer two different requests."""
    plain = asdict(data) if is_dataclass(data) and not isinstance(data, type) else data
    plain = {k: v for k, v in plain.items() if k != "idempotency_key"}
    body = orjson.dumps([operation, plain], default=_plain, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).digest()
