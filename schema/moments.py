"""Times in query arguments: `at` and `asOf` of the AR fields (defaults, and the range we accept),
and the `since`/`until` bounds of the timeline and search filters."""

from datetime import UTC, date, datetime, timedelta

from domain.calendar import RANGE_TEXT, as_utc, is_in_range_instant
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


def bound(value: datetime | None, name: str) -> datetime | None:
    """A filter's `since` or `until`: within the calendar's range (naive means UTC), else INVALID."""
    if value is None:
        return None
    if not is_in_range_instant(value):
        raise InvalidArgument(f"`{name}` is out of range: {RANGE_TEXT}.")
    return as_utc(value)
