"""Security headers on every HTTP response, and the one page allowed to run scripts.

The API serves JSON, so by default nothing may load, frame or run: a response
that a browser is tricked into rendering stays inert. The GraphiQL page (only
while introspection is on) needs its scripts and styles from unpkg, pinned by
the integrity hashes in the page, and its own inline script, allowed by hash
rather than by 'unsafe-inline'. HSTS only in production, where TLS is assumed;
a development server on plain http must stay reachable.
"""

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_policy(html: str) -> str:
    """A Content-Security-Policy for an HTML page whose assets come from unpkg."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src https://unpkg.com {hashes}; "
        "style-src https://unpkg.com 'unsafe-inline'; font-src https://unpkg.com data:; "
        "img-src 'self' data: https://unpkg.com; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


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
