"""Security headers on every HTTP response, and the one page allowed to run scripts.

The API serves JSON, so by default nothing may load, frame or run: a response
that a browser is tricked into rendering stays inert. The GraphiQL page (only
while introspection is on) may load scripts, styles, fonts and images from this
server and nowhere else; it has no inline script (api/graphiql.py serves its
start-up script as a file), and only inline styles, which its libraries set.
The web console at /app is stricter still: not even inline styles.
HSTS only in production, where TLS is assumed; a development server on plain
http must stay reachable.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
GRAPHIQL_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The web console (api/console.py): its own scripts and styles, and requests (HTTP and websocket) to
# this server only; no inline script or style, no eval.
CONSOLE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware; a header the response already sets (e.g. a page's own CSP) is kept."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": API_POLICY,
            "Cache-Control": "no-store",
            **({"Strict-Transport-Security": HSTS} if hsts else {}),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
