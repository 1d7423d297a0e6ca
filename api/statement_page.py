"""The statement page a customer opens from a link: /s/<token>.

Server-rendered HTML that works without JavaScript, loads nothing from
anywhere (its only style is inline, allowed by its hash in a strict CSP), and
fits a phone. The customer may promise to pay or dispute an invoice; both go
through services/statements.py, which writes them as the API would. An
expired, revoked or unknown token gets the same plain 404 page, so the page is
no oracle for which tokens exist. Each link may write WRITES_PER_HOUR times an
hour, refused attempts included. The token never reaches a log (api/logs.py
cuts it from access lines) and is never echoed in an error.
"""

import base64
import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qs

import orjson
from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.entries import DisputeReason
from domain.validation import Rejected
from services import statements
from services.transaction import retrying

FORM_BYTES_MAX = 16_384
STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#222}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{padding:.3rem;border-bottom:1px solid #ddd;text-align:left}td.n,th.n{text-align:right}"
    "form{margin:1rem 0;padding:1rem;border:1px solid #ccc;border-radius:.4rem}"
    "label{display:block;margin:.5rem 0}"
    "input,select,textarea{font:inherit;width:100%;box-sizing:border-box}"
    "button{font:inherit;padding:.5rem 1rem;margin-top:.5rem}.error{color:#a00}.ok{color:#060}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_ENV = Environment(autoescape=True)
_PAGE = _ENV.from_string((Path(__file__).parent / "templates" / "statement.html").read_text())


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _bucket(bucket) -> str:
    return {"CURRENT": "not yet due"}.get(
        bucket.value, bucket.value.replace("DAYS_", "").replace("_", "–").lower() + " days"
    )


def _plan_text(plan) -> str:
    items = (
        orjson.loads(plan["installments"]) if isinstance(plan["installments"], str) else plan["installments"]
    )
    return ", ".join(f"{i['amount']} by {i['dueOn']}" for i in items)


def _render(
    statement, token: str, *, status: int = 200, errors=(), notice: str | None = None
) -> HTMLResponse:
    html = _PAGE.render(
        title="Statement" if statement else "Not found",
        style=STYLE,
        statement=statement,
        base=f"/s/{token}",
        errors=list(errors),
        notice=notice,
        money=_money,
        bucket=_bucket,
        plan_text=_plan_text,
        reasons=[r.value for r in DisputeReason],
        comment_max=statements.COMMENT_MAX,
    )
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": POLICY})


def _not_found() -> HTMLResponse:
    return _render(None, "", status=404)


async def show(request: Request) -> Response:
    token = request.path_params["token"]
    at = datetime.now(UTC)
    async with request.app.state.pool.acquire() as conn:
        statement = await retrying(conn, lambda c: statements.open_statement(c, token, at))
    if statement is None:
        return _not_found()
    notice = {
        "promise": "Thank you: your promise is recorded.",
        "dispute": "Thank you: your dispute is recorded.",
    }
    return _render(statement, token, notice=notice.get(request.query_params.get("done", "")))


async def _form(request: Request) -> dict[str, str] | None:
    """The page's forms are url-encoded (no JavaScript, no files); None when the body is too large."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_BYTES_MAX:
            return None
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    except ValueError:  # more fields than the page has
        return None
    return {name: values[0] for name, values in fields.items()}


async def _act(request: Request, kind: str) -> Response:
    token = request.path_params["token"]
    at = datetime.now(UTC)
    pool = request.app.state.pool
    async with pool.acquire() as conn:
        allowed = await retrying(conn, lambda c: statements.take_write(c, token, at))
        opened = await statements.statement_of(conn, token, at)
    if opened is None:
        return _not_found()
    if not allowed:
        return _render(
            opened, token, status=429, errors=["Too many requests from this link; try again later."]
        )
    form = await _form(request)
    if form is None:
        return _render(opened, token, status=413, errors=["That was too long."])
    try:
        async with pool.acquire() as conn:
            await retrying(conn, lambda c: _write(c, kind, token, at, form))
    except Rejected as rejected:
        return _render(opened, token, status=400, errors=[p.message for p in rejected.problems])
    return RedirectResponse(f"/s/{token}?done={kind}", status_code=303)


async def _write(conn, kind: str, token: str, at: datetime, form: dict[str, str]) -> None:
    problems = []
    if kind == "promise":
        try:
            amount = Decimal(form.get("amount", "").replace(",", "").strip())
        except InvalidOperation:
            amount = None
            problems.append("The amount is not a number.")
        try:
            day = date.fromisoformat(form.get("promisedFor", ""))
        except ValueError:
            day = None
            problems.append("The date is not a date.")
        if problems:
            raise Rejected(*[statements.problem(p) for p in problems])
        await statements.promise_from_page(conn, token, at, amount, form.get("currency", ""), day)
    else:
        try:
            invoice = statements.invoice_id(form.get("invoice", ""))
        except ValueError:
            raise Rejected(statements.problem("That invoice is not on this statement.")) from None
        await statements.dispute_from_page(
            conn, token, at, invoice, form.get("reason", ""), form.get("comment") or None
        )


async def promise(request: Request) -> Response:
    return await _act(request, "promise")


async def dispute(request: Request) -> Response:
    return await _act(request, "dispute")


def statement_routes() -> list[Route]:
    return [
        Route("/s/{token}", show, methods=["GET"]),
        Route("/s/{token}/promise", promise, methods=["POST"]),
        Route("/s/{token}/dispute", dispute, methods=["POST"]),
    ]
