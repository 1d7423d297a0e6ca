"""Serving the API with uvicorn: one process, or RAPPORT_WORKERS processes on one port.

Several processes each listen on a socket of their own, bound with SO_REUSEPORT,
so the kernel spreads new connections over them. With one shared socket (what
uvicorn's own --workers does) the first process to wake accepts every pending
connection: measured with 8 kept-alive clients, one process did all the work
while the other idled.
"""

import errno
import logging
import multiprocessing
import signal
import socket
import threading
from dataclasses import replace
from multiprocessing.synchronize import Event as EventType

from api import logs, metrics
from api import settings as settings_module
from api.settings import ConfigError, Settings

log = logging.getLogger("rapport.serve")

GRACE_SECONDS = 20  # for requests in flight when a process is told to stop


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


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host: str, port: int, *, shared: bool = False, setting: str = "PORT") -> list[socket.socket]:
    """Sockets bound to HOST:PORT, one per address it resolves to, as uvicorn would bind them.

    Bound before anything else starts, so that a port in use is refused (a ConfigError) before a
    migration runs or a one-time ADMIN token is printed for a server that could never start.
    With shared, SO_REUSEPORT lets each server process bind a socket of its own to the port.
    """
    where = address(host, port)
    try:
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ConfigError(f"cannot serve on {where}: HOST does not resolve ({error.strerror}).") from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, sockaddr in dict.fromkeys(found):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if shared:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(sockaddr)
    except OSError as error:
        for sock in sockets:
            sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"cannot serve on {where}: another program is listening on that port; stop it, "
                f"or set {setting} to a free port."
            ) from None
        raise ConfigError(
            f"cannot serve on {where} ({error.strerror}); set HOST and PORT to an address this machine "
            "may listen on."
        ) from None
    return sockets


def check_metrics_port(settings: Settings) -> None:
    """Metrics on their own port are served once the server runs: a taken port is refused now, not
    found later (a crash with several processes, no metrics and no word with one)."""
    if settings.metrics == "port":
        for sock in listen(metrics.METRICS_HOST, settings.metrics_port, setting="RAPPORT_METRICS"):
            sock.close()


def serve(settings: Settings, sockets: list[socket.socket], *, run_worker: bool = False) -> None:
    """One process, on sockets from listen(); with run_worker, the index worker runs in it too (the
    dev setup)."""
    import uvicorn

    from api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, run_worker=run_worker), **uvicorn_options(settings))
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again
    # with the handlers it found; handlers that do nothing make that a clean exit 0.
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGTERM, signal.SIGINT)}
    log.info("serving http://%s once started", address(settings.host, settings.port))
    try:
        server.run(sockets=sockets)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _process_main(started: EventType) -> None:
    """One server process, started by serve_processes: it reads the environment the parent checked.

    The parent serves metrics on their own port, if asked to, so this process leaves that port alone.
    `started` is set once the process serves: one that dies before is failing to start, not crashing,
    however long its start took (tens of seconds on a loaded machine).
    """
    import uvicorn

    from api.app import create_app

    settings = settings_module.load()
    logs.configure(json_lines=settings.log_json)
    app = create_app(replace(settings, metrics_port=None))

    async def now_serving() -> None:  # uvicorn calls it from its main loop, which runs once it has started
        started.set()

    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings), callback_notify=now_serving))
    server.run(sockets=listen(settings.host, settings.port, shared=True))


def serve_processes(settings: Settings, sockets: list[socket.socket]) -> int:
    """RAPPORT_WORKERS processes until SIGTERM or SIGINT; the exit status for the command.

    The sockets from listen() only hold the port until the processes bind their own.
    A process that dies is replaced; one that dies before it serves stops them all (status 1): it
    would not start the next time either.
    """
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in (signal.SIGTERM, signal.SIGINT)}

    def start() -> tuple[multiprocessing.Process, EventType]:
        started = spawn.Event()
        process = spawn.Process(target=_process_main, args=(started,), name="rapport-serve", daemon=False)
        process.start()
        return process, started

    status = 0
    with metrics.shared_between_processes():
        if settings.metrics == "port":
            metrics.serve_on_port(settings.metrics_port)
        for sock in sockets:
            sock.close()
        log.info("serving http://%s once started", address(settings.host, settings.port))
        running = [start() for _ in range(settings.workers)]
        try:
            while not stopping.wait(0.5):
                for i, (process, started) in enumerate(running):
                    if process.is_alive():
                        continue
                    if not started.is_set():
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
