"""Opaque keyset cursors: base64 of a small JSON array of the sort key of a row.

A cursor that does not decode to the expected shape is an INVALID argument,
never a server error. `first` is capped at MAX_PAGE; a negative one is INVALID.
"""

import base64
import binascii
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from domain.validation import is_storable_instant
from schema.errors import InvalidArgument

MAX_PAGE = 100


def page_size(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0:
        raise InvalidArgument("`first` must not be negative.")
    return min(first, MAX_PAGE)


def encode(*key: Any) -> str:
    """A naive time is UTC: asyncpg reads an infinite timestamp back as a naive datetime.max or .min."""
    payload = orjson.dumps(key, default=str, option=orjson.OPT_NAIVE_UTC)
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode(cursor: str | None, *types: Callable[[str], Any]) -> tuple | None:
    """The sort key inside a cursor, each part parsed by the given type."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(parts, list) or len(parts) != len(types):
            raise ValueError
        if any("\x00" in str(part) for part in parts):  # Postgres text cannot hold NUL
            raise ValueError
        return tuple(parse(str(part)) for parse, part in zip(types, parts, strict=True))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidArgument("`after` is not a cursor this list gave out.") from None


def _instant(text: str) -> datetime:
    """A cursor's timestamp: an instant Postgres can compare, else ValueError.

    A naive time, or one that leaves the datetime range once moved to UTC
    (year 1 at +14:00), could only come from a tampered cursor.
    """
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or not is_storable_instant(value):
        raise ValueError("not a cursor's time")
    return value


TIMESTAMP = _instant
DAY = date.fromisoformat
ID = UUID
TEXT = str
