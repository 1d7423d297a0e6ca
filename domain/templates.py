"""Message templates: which one speaks the customer's language, and rendering them safely.

Templates are written by people in the AR team and rendered with data about a
customer, so they run in Jinja2's immutable sandbox, narrowed further: no
attribute whose name starts with "_", only a handful of string methods, only
filters that cannot blow a small value up into a large one, a loop budget
shared by every `range` of one render, `*` and `%` on strings capped, and the
output cut at RENDER_MAX characters. A render also stops after RENDER_SECONDS.
Whatever goes wrong is a TemplateProblem with the line, never an exception
from inside the template.
"""

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

DEFAULT_LANGUAGE = "en"
TEMPLATE_CHANNELS = ("EMAIL", "LETTER", "SMS")
TEMPLATE_NAME_MAX = 100
SUBJECT_MAX = 500
BODY_MAX = 50_000
RENDER_MAX = 100_000  # characters of one rendered subject or body
RENDER_SECONDS = 1.0
LOOP_BUDGET = 10_000  # iterations of `range` in one render
STRING_MAX = 10_000  # longest string `*` or `%` may build
POWER_MAX = 64
COMPILED_MAX = 256  # compiled templates kept, by their text

# What a template may name: the documented placeholders (README, "Customer messages").
PLACEHOLDERS = frozenset(
    {"account", "contact", "invoices", "totals", "promise", "statement_link", "sender", "today"}
)
_STRING_METHODS = frozenset(
    {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith", "endswith"}
)
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
_FILTERS = frozenset(
    {
        "abs",
        "capitalize",
        "default",
        "d",
        "e",
        "escape",
        "first",
        "float",
        "int",
        "join",
        "last",
        "length",
        "count",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "replace",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "string",
        "sum",
        "title",
        "trim",
        "truncate",
        "upper",
    }
)


@dataclass(frozen=True, slots=True)
class TemplateProblem(Exception):
    """A template that cannot be rendered: what is wrong and on which line (None when not known)."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str | None
    body: str


class _Budget:
    """One render's allowance of loop iterations and time."""

    def __init__(self) -> None:
        self.iterations = 0
        self.deadline = time.monotonic() + RENDER_SECONDS

    def spend(self) -> None:
        self.iterations += 1
        if self.iterations > LOOP_BUDGET:
            raise SecurityError(f"the template loops more than {LOOP_BUDGET} times.")
        if time.monotonic() > self.deadline:
            raise SecurityError(f"the template takes longer than {RENDER_SECONDS:g} s to render.")


class _Sandbox(ImmutableSandboxedEnvironment):
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, str):
            return attr in _STRING_METHODS
        if isinstance(obj, Mapping):
            return attr in _MAPPING_METHODS
        return False

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if (
            operator == "*"
            and isinstance(left, str | list)
            and isinstance(right, int)
            and len(left) * right > STRING_MAX
        ):
            raise SecurityError(f"the template builds a value longer than {STRING_MAX} characters.")
        if operator == "**" and not (isinstance(right, int | float) and abs(right) <= POWER_MAX):
            raise SecurityError(f"the template raises to a power above {POWER_MAX}.")
        if operator == "*" and isinstance(right, str | list) and isinstance(left, int):
            return self.call_binop(context, operator, right, left)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, str) and len(result) > STRING_MAX:
            raise SecurityError(f"the template builds a value longer than {STRING_MAX} characters.")
        return result


def _environment() -> _Sandbox:
    env = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.intercepted_binops = frozenset({"*", "%", "**"})
    env.filters = {name: f for name, f in env.filters.items() if name in _FILTERS}
    env.tests = dict(env.tests)
    env.globals = {}
    return env


_ENV = _environment()


def _line(error: BaseException) -> int | None:
    """The template line an error arose on: Jinja2 rewrites the traceback to point into the template."""
    line = getattr(error, "lineno", None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def check(text: str) -> None:
    """Refuses a template that does not parse or names something that is not a placeholder."""
    try:
        parsed = _ENV.parse(text)
        named = meta.find_undeclared_variables(parsed)
    except TemplateSyntaxError as error:
        raise TemplateProblem(error.message or "syntax error", error.lineno) from None
    unknown = sorted(named - PLACEHOLDERS - {"range"})
    if unknown:
        name = unknown[0]
        line = next((n.lineno for n in parsed.find_all(nodes.Name) if n.name == name), None)
        raise TemplateProblem(f"unknown placeholder {name!r}", line)


@lru_cache(maxsize=COMPILED_MAX)
def placeholders(text: str) -> frozenset[str]:
    """The placeholders a checked template names, e.g. to make a statement link only for one that shows it."""
    return frozenset(meta.find_undeclared_variables(_ENV.parse(text))) & PLACEHOLDERS


@lru_cache(maxsize=COMPILED_MAX)
def _compiled(text: str) -> Template:
    """A checked template, compiled once: compiling costs twenty times what rendering does, and the
    planner renders the same few texts for thousands of accounts."""
    check(text)
    try:
        return _ENV.from_string(text)
    except TemplateError as error:
        raise TemplateProblem(getattr(error, "message", None) or str(error), _line(error)) from None


def render_text(text: str, values: Mapping[str, Any]) -> str:
    """`text` rendered with `values`: cut at RENDER_MAX characters, stopped by the budget."""
    template = _compiled(text)
    budget = _Budget()

    def counted_range(*args: int) -> Iterator[int]:
        for n in range(*args):
            budget.spend()
            yield n

    out: list[str] = []
    size = 0
    try:
        for chunk in template.generate({**values, "range": counted_range}):
            if time.monotonic() > budget.deadline:
                raise SecurityError(f"the template takes longer than {RENDER_SECONDS:g} s to render.")
            out.append(chunk)
            size += len(chunk)
            if size >= RENDER_MAX:
                break
    except TemplateProblem:
        raise
    except (TemplateError, SecurityError) as error:
        raise TemplateProblem(getattr(error, "message", None) or str(error), _line(error)) from None
    except (RecursionError, MemoryError, ArithmeticError, TypeError, ValueError, LookupError) as error:
        raise TemplateProblem(f"the template cannot be rendered ({type(error).__name__}).") from None
    return "".join(out)[:RENDER_MAX]


def render(subject: str | None, body: str, values: Mapping[str, Any]) -> Rendered:
    return Rendered(
        subject=render_text(subject, values).strip() if subject else None, body=render_text(body, values)
    )


def language_candidates(language: str | None, default: str = DEFAULT_LANGUAGE) -> list[str]:
    """`fr-CH` -> fr-CH, fr, then the default language: the most specific template first.

    Tags compare case-insensitively (BCP 47), so they are lowered.
    """
    tags: list[str] = []
    parts = (language or "").lower().split("-")
    while parts and parts[0]:
        tags.append("-".join(parts))
        parts.pop()
    if default.lower() not in tags:
        tags.append(default.lower())
    return tags


def sample_values() -> dict[str, Any]:
    """Values of every placeholder, so that saving a template shows what it will do with real ones."""
    invoice = {
        "number": "INV-1",
        "due_on": date(2026, 1, 31),
        "amount": Decimal("100.00"),
        "currency": "EUR",
        "days_overdue": 7,
    }
    return {
        "account": {"name": "Example Ltd"},
        "contact": {"name": "Alex Example", "email": "alex@example.com"},
        "invoices": [invoice],
        "totals": [{"currency": "EUR", "amount": Decimal("100.00")}],
        "promise": {"amount": Decimal("100.00"), "currency": "EUR", "promised_for": date(2026, 2, 6)},
        "statement_link": "https://rapport.example/s/token",
        "sender": {"name": "Accounts receivable", "email": "ar@example.com"},
        "today": date(2026, 2, 7),
    }
