"""SQL expressions that write a value exactly as the executor serialises it.

Each takes a SQL expression and returns one whose text is the JSON value the
executor would give for the same column, so a compiled answer and an executed
one are equal after parsing, and the ids and cursors are equal byte for byte:

- DateTime: `isoformat()` of the instant in UTC: six fractional digits only when
  there are microseconds, and `+00:00`, whatever the session's time zone;
- Date: ISO; a contact window's time: HH:MM;
- Decimal (money): `domain.money.display_amount` as text: two decimals when
  they hold the whole amount, else the digits the amount has;
- global ids: base64url of "Type:uuid" without padding (schema/ids.py);
- cursors: base64url of the orjson text of the sort key (schema/pagination.py).

Postgres's base64 breaks lines every 76 characters; `translate` drops the
breaks and the padding while it swaps in the url-safe alphabet.
"""

from collections.abc import Iterable


def instant(expr: str) -> str:
    """One to_char with microseconds, whose `.000000` (the only place six zeros follow a dot) goes."""
    utc = f"({expr}) AT TIME ZONE 'UTC'"
    return (
        f"CASE WHEN isfinite({expr})"
        f" THEN replace(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'"
        f" ELSE {_infinite(expr, FIRST_INSTANT, LAST_INSTANT)} END"
    )


def day(expr: str) -> str:
    infinite = _infinite(expr, FIRST_DAY, LAST_DAY)
    return f"CASE WHEN isfinite({expr}) THEN to_char({expr}, 'YYYY-MM-DD') ELSE {infinite} END"


# asyncpg reads Postgres's -infinity and infinity (which only rows older than the calendar's
# range can hold) as Python's first and last date and time, which the executor then writes.
FIRST_INSTANT, LAST_INSTANT = "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00"
FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"


def _infinite(expr: str, first: str, last: str) -> str:
    return f"CASE WHEN {expr} < 'epoch' THEN '{first}' WHEN {expr} IS NOT NULL THEN '{last}' END"


def clock(expr: str) -> str:
    return f"to_char({expr}, 'HH24:MI')"


def decimal(expr: str) -> str:
    cents = f"round({expr}, 2)"
    return f"CASE WHEN {cents} = {expr} THEN {cents}::text ELSE trim_scale({expr})::text END"


def _base64url(expr: str) -> str:
    return f"translate(encode(convert_to({expr}, 'UTF8'), 'base64'), E'+/=\\n', '-_')"


def global_id(type_name: str, expr: str) -> str:
    return _base64url(f"'{type_name}:' || ({expr})::text")


def cursor(parts: Iterable[str]) -> str:
    """A cursor over sort-key parts, each already a JSON value's text (see `json_text`)."""
    return _base64url("'[' || " + " || ',' || ".join(parts) + " || ']'")


def json_text(expr: str) -> str:
    """A text, date or uuid as a JSON string's text, escaped as orjson escapes it."""
    return f"to_json({expr})::text"


def json_instant(expr: str) -> str:
    return f"('\"' || {instant(expr)} || '\"')"


def json_day(expr: str) -> str:
    return f"('\"' || {day(expr)} || '\"')"


def array_or_null(expr: str) -> str:
    """An array column as a JSON list, or null when empty: how the executor shows a window's days."""
    return f"CASE WHEN cardinality({expr}) > 0 THEN to_json({expr}) END"


def literal(text: str) -> str:
    """Our own constants (type names, response keys) as SQL literals; never client input."""
    return "'" + text.replace("'", "''") + "'"
