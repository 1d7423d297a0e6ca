"""GraphiQL, served by the API itself: the page, its script, and the pinned npm files they load.

Without internet, or behind a proxy that blocks CDNs, the page must still work, so it
references this server alone: /graphiql/assets/<name>, read from node_modules (graphiql,
react and react-dom, pinned in package.json; `npm ci` installs them) and from api/static.
Its own start-up script is one of those files, not inline, so the page's policy
(security_headers.GRAPHIQL_POLICY) lets scripts come from 'self' and nowhere else.
"""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from api.security_headers import GRAPHIQL_POLICY

NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
STATIC = Path(__file__).resolve().parent / "static"
ASSETS_PATH = "/graphiql/assets"
ASSETS = {
    "graphiql.min.css": NODE_MODULES / "graphiql" / "graphiql.min.css",
    "rapport.css": STATIC / "graphiql.css",
    "react.production.min.js": NODE_MODULES / "react" / "umd" / "react.production.min.js",
    "react-dom.production.min.js": NODE_MODULES / "react-dom" / "umd" / "react-dom.production.min.js",
    "graphiql.min.js": NODE_MODULES / "graphiql" / "graphiql.min.js",
    "rapport.js": STATIC / "graphiql.js",
}
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

_STYLES = "\n".join(
    f'    <link rel="stylesheet" href="{ASSETS_PATH}/{name}">' for name in ASSETS if name.endswith(".css")
)
_SCRIPTS = "\n".join(
    f'    <script src="{ASSETS_PATH}/{name}"></script>' for name in ASSETS if name.endswith(".js")
)
PAGE = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Rapport GraphiQL</title>
    <link rel="icon" href="data:,">
{_STYLES}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
{_SCRIPTS}
  </body>
</html>
"""
NOT_INSTALLED = (
    "GraphiQL's files are not installed next to this server: run `npm ci` in the Rapport checkout "
    "(`make install` does), then reload."
)


def page() -> Response:
    """The page; when its files are missing, a sentence saying what to install (a blank page says nothing)."""
    if not all(path.is_file() for path in ASSETS.values()):
        return PlainTextResponse(NOT_INSTALLED, status_code=503)
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": GRAPHIQL_POLICY})


async def asset(request: Request) -> Response:
    """One of the page's files, by its name in ASSETS; nothing else on disk is reachable."""
    path = ASSETS.get(request.path_params["name"])
    if path is None or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])
