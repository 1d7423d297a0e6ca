"""Serving the API with uvicorn: one process, or RAPPORT_WORKERS processes on one port.

Several processes each listen on a socket of their own, bound with SO_REUSEPORT,
so the kernel spreads new connections over them. With one shared socket (what
uvicorn's own --workers does) the first process to wake accepts every pending
connection: measured with 8 kept-alive clients, one process did all the work
while the other idled.
"""

import logging
import multiprocessing
import signal
import socket
import threading
import time
from dataclasses import replace

from api import logs, metrics
from api import settings as settings_module
from api.settings import Settings

log = logging.getLogger("rapport.serve")

GRACE_SECONDS = 20  # for requests in flight when a process is told to stop
# A process that dies sooner than this after starting is failing to start, not crashing:
# the whole server stops rather than restart it forever.
STARTUP_SECONDS = 10.0


def uvicorn_options(settings: Settings) -> dict:
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "log_config": None,  # our handler (api/logs.py) formats uvicorn's records too
        # The client address (rate limits without a token) comes from X-Forwarded-For only
        # when the connection is from a proxy listed in RAPPORT_TRUSTED_PROXIES.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies) or None,
        "timeout_graceful_shutdown": GRACE_SECONDS,
    }


def serve(settings: Settings, *, run_worker: bool = False) -> None:
    """One process; with run_worker, the index worker runs in it too (the dev setup)."""
    import uvicorn

    from api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, run_worker=run_worker), **uvicorn_options(settings))
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again
    # with the handlers it found; handlers that do nothing make that a clean exit 0.
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _own_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def _process_main() -> None:
    """One server process, started by serve_processes: it reads the environment the parent checked.

    The parent serves metrics on their own port, if asked to, so this process leaves that port alone.
    """
    import uvicorn

    from api.app import create_app

    settings = settings_module.load()
    logs.configure(json_lines=settings.log_json)
    app = create_app(replace(settings, metrics_port=None))
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings)))
    server.run(sockets=[_own_socket(settings.host, settings.port)])


def serve_processes(settings: Settings) -> int:
    """RAPPORT_WORKERS processes until SIGTERM or SIGINT; the exit status for the command.

    A process that dies is replaced; one that cannot start stops them all (status 1).
    """
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in (signal.SIGTERM, signal.SIGINT)}

    def start() -> tuple[multiprocessing.Process, float]:
        process = spawn.Process(target=_process_main, name="rapport-serve", daemon=False)
        process.start()
        return process, time.monotonic()

    status = 0
    with metrics.shared_between_processes():
        if settings.metrics == "port":
            metrics.serve_on_port(settings.metrics_port)
        running = [start() for _ in range(settings.workers)]
        try:
            while not stopping.wait(0.5):
                for i, (process, started) in enumerate(running):
                    if process.is_alive():
                        continue
                    if time.monotonic() - started < STARTUP_SECONDS:
                        log.error("a server process could not start (exit %s); stopping", process.exitcode)
                        status = 1
                        stopping.set()
                        break
                    log.warning(
                        "server process %s died (exit %s); starting another", process.pid, process.exitcode
                    )
                    running[i] = start()
        finally:
            for process, _ in running:
                if process.is_alive():
                    process.terminate()  # SIGTERM: uvicorn finishes what is in flight
            for process, _ in running:
                process.join(GRACE_SECONDS + 5)
                if process.is_alive():
                    process.kill()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    return status
