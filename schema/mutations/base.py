"""The one way a mutation runs: a transaction, its rejection, and the retry on a race.

`run` opens the transaction (services.transaction.retrying: a lost race reruns
it); the work inside raises Rejected for anything the client must fix, which
rolls everything back and becomes userErrors, the one place where store and
domain verdicts turn into the schema's UserError.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import strawberry

from domain.actors import Actor
from domain.validation import Problem, Rejected, not_found
from schema import ids
from schema.errors import InvalidArgument
from schema.types.common import UserError
from services.transaction import retrying

Payload = TypeVar("Payload")
Command = TypeVar("Command")


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


async def change(
    info: strawberry.Info,
    payload: Callable[..., Payload],
    service: Callable[[asyncpg.Connection, Actor, Command], Awaitable[Any]],
    command: Callable[[], Command],
    answer: Callable[[Any], Payload],
) -> Payload:
    """One service call in `run`; the command is built inside it, so that a bad id is a userError too."""

    async def work(conn: asyncpg.Connection) -> Payload:
        return answer(await service(conn, actor(info), command()))

    return await run(info, payload, work)


def actor(info: strawberry.Info) -> Actor:
    """Who makes the change, as services/ take it: the signed-in user."""
    return Actor(user_id=info.context.user.id, team=info.context.user.team)


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
