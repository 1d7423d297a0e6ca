"""The `at` and `asOf` arguments of the AR fields: defaults, and the range we accept."""

from datetime import UTC, date, datetime, timedelta

from schema.errors import InvalidArgument

MAX_DISTANCE = timedelta(days=3653)  # ten years either way


def moment(at: datetime | None, name: str = "at") -> datetime:
    """`at`, or now; a time more than ten years away is INVALID (and naive means UTC)."""
    now = datetime.now(UTC)
    if at is None:
        return now
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    try:
        if abs(at - now) > MAX_DISTANCE:
            raise InvalidArgument(f"`{name}` must be within ten years of today.")
    except OverflowError:
        raise InvalidArgument(f"`{name}` must be within ten years of today.") from None
    return at


def day(as_of: date | None, name: str = "asOf") -> date:
    """`asOf`, or today (UTC); a date more than ten years away is INVALID."""
    today = datetime.now(UTC).date()
    if as_of is None:
        return today
    if abs(as_of - today) > MAX_DISTANCE:
        raise InvalidArgument(f"`{name}` must be within ten years of today.")
    return as_of
