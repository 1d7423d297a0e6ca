"""The web console (web/, built by `make install` into web/dist), served at /app.

Every path under /app answers the same index.html, so the console's own routes
(/app/accounts/<id>, /app/search?q=...) survive a reload or a shared link; the
scripts and styles it loads live under /app/assets/ with content-hashed names,
so browsers may keep them for good and only index.html is asked for again.
The page has no inline script, and its policy (security_headers.CONSOLE_POLICY)
runs scripts from this server alone. Assets go out gzip-compressed to browsers
that accept it: the first load's JavaScript budget counts compressed bytes.
"""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, Router

from api.security_headers import CONSOLE_POLICY

BUILD = Path(__file__).resolve().parents[1] / "web" / "dist"
PATH = "/app"
ASSETS_PATH = f"{PATH}/assets"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_BUILT = (
    "The web console is not built next to this server: run `make install` in the Rapport checkout "
    "(it runs `npm ci` and builds web/ into web/dist), then reload."
)


async def page(request: Request) -> Response:
    """index.html for any console route; a sentence saying what to run when it is not built."""
    index = BUILD / "index.html"
    if not index.is_file():
        return PlainTextResponse(NOT_BUILT, status_code=503)
    return FileResponse(
        index, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": CONSOLE_POLICY}
    )


async def asset(request: Request) -> Response:
    """A built file by its hashed name; nothing outside web/dist/assets is reachable (a name has no slash)."""
    path = BUILD / "assets" / request.path_params["name"]
    if path.name.startswith(".") or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, headers={"Cache-Control": IMMUTABLE})


async def _to_index(request: Request) -> Response:
    return RedirectResponse(f"{PATH}/", status_code=308)


def console_routes() -> list[Route | Mount]:
    assets = GZipMiddleware(Router([Route("/{name}", asset)]), minimum_size=1024)
    return [
        Mount(ASSETS_PATH, app=assets),
        Route(PATH, _to_index),
        Route(f"{PATH}/{{path:path}}", page),
    ]
