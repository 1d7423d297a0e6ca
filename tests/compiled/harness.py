"""Differential reads: one operation through an executor-only app and a compiled-reads app, same database.

Both apps are built in-process from the same settings (only `compiled_reads`
differs) and share one database, so the only thing that can make their answers
differ is the read path. `Differential.check` sends the operation to both as the
same user, asserts the parsed JSON bodies are equal, and tells which path the
compiled app took (from the request log's `read_path`).
"""

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import asyncpg
import httpx

from api.app import create_app
from api.settings import Settings
from domain.teams import Team
from domain.tokens import new_token, token_hash
from store import users

PATHS = ("compiled", "fallback")


class ReadPaths(logging.Handler):
    """Keeps the `read_path` of each "graphql request" line the API logs."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[str | None] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "graphql request":
            self.seen.append(getattr(record, "read_path", None))


@dataclass
class Answer:
    status: int
    body: dict
    read_path: str | None


@dataclass
class Differential:
    off: httpx.AsyncClient
    on: httpx.AsyncClient
    tokens: dict[Team, str]
    paths: ReadPaths
    counts: dict[str | None, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Differential(paths taken: {self.counts})"

    async def _send(self, client: httpx.AsyncClient, team: Team, payload: dict) -> Answer:
        before = len(self.paths.seen)
        response = await client.post(
            "/graphql", json=payload, headers={"Authorization": f"Bearer {self.tokens[team]}"}
        )
        seen = self.paths.seen[before:]
        return Answer(response.status_code, response.json(), seen[-1] if seen else None)

    async def answers(
        self,
        document: str,
        variables: dict | None = None,
        team: Team = Team.ADMIN,
        operation: str | None = None,
    ) -> tuple[Answer, Answer]:
        payload = {"query": document, "variables": variables or {}}
        if operation is not None:
            payload["operationName"] = operation
        executor = await self._send(self.off, team, payload)
        compiled = await self._send(self.on, team, payload)
        self.counts[compiled.read_path] = self.counts.get(compiled.read_path, 0) + 1
        return executor, compiled

    async def check(
        self,
        document: str,
        variables: dict | None = None,
        team: Team = Team.ADMIN,
        operation: str | None = None,
        *,
        compiled: bool | None = True,
        errors: bool = False,
    ) -> dict:
        """The executor's body, after asserting the compiled app gave the same one.

        compiled: True, the compiled app must have answered it in SQL; False, it must
        have fallen back; None, either. errors: whether the body may hold errors.
        """
        executor, other = await self.answers(document, variables, team, operation)
        where = f"as {team.value}: {' '.join(document.split())[:400]} {variables or {}}"
        assert executor.status == 200, (executor.status, executor.body, where)
        if not errors:
            assert "errors" not in executor.body, (executor.body["errors"], where)
        assert other.status == executor.status, (other.status, other.body, where)
        assert other.body == executor.body, (
            f"compiled answer differs {where}\n{diff(executor.body, other.body)}"
        )
        if compiled is not None:
            expected = "compiled" if compiled else "fallback"
            assert other.read_path == expected, (other.read_path, where)
        return executor.body


def diff(expected: object, actual: object, path: str = "") -> str:
    """The first few places where two JSON values differ, for a readable failure."""
    out: list[str] = []

    def walk(a: object, b: object, at: str) -> None:
        if len(out) >= 8:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            if list(a) != list(b):
                out.append(f"{at}: keys {list(a)} != {list(b)}")
            for key in a.keys() & b.keys():
                walk(a[key], b[key], f"{at}.{key}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{at}: {len(a)} items != {len(b)} items")
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{at}[{index}]")
        elif a != b or type(a) is not type(b):
            out.append(f"{at}: executor {a!r} != compiled {b!r}")

    walk(expected, actual, path or "$")
    return "\n".join(out)


async def add_user(conn: asyncpg.Connection, team: Team, name: str) -> tuple[users.User, str]:
    """A user and an API token, the way `rapport users add` and `rapport tokens create` make them."""
    user = await users.add_user(conn, email=f"{uuid.uuid4().hex[:12]}@example.test", name=name, team=team)
    token = new_token()
    await users.add_token(conn, user.id, token_hash(token), "compiled reads")
    return user, token


@contextlib.asynccontextmanager
async def client(settings: Settings, compiled_reads: str) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(replace(settings, compiled_reads=compiled_reads))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://rapport.test") as http:
            yield http


@contextlib.asynccontextmanager
async def differential(settings: Settings, tokens: dict[Team, str]) -> AsyncIterator[Differential]:
    paths = ReadPaths()
    logger = logging.getLogger("rapport.http")
    logger.addHandler(paths)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        async with client(settings, "off") as off, client(settings, "on") as on:
            yield Differential(off=off, on=on, tokens=tokens, paths=paths)
    finally:
        logger.setLevel(level)
        logger.removeHandler(paths)
