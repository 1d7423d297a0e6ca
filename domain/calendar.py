"""The dates Rapport takes in: 1900-01-01 through 2199-12-31, judged in UTC.

Nothing a customer account is about happens outside these years, so a date
beyond them is a typo or a placeholder ("0001-01-01", "9999-12-31"), and such a
date breaks what is derived from it: Postgres stores the exact ends of Python's
range as -infinity and infinity, which read back as naive datetime.min and
datetime.max, and a grace period or an age computed from those overflows. Every
Date and DateTime a client or an import sends is checked against this range; a
migration holds the stored rows to it too.
"""

from datetime import UTC, date, datetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
RANGE_TEXT = f"{EARLIEST} to {LATEST} (UTC)"


def as_utc(value: datetime) -> datetime:
    """A time as an instant: a naive one (how asyncpg reads back an infinite timestamp) is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_in_range_day(value: date) -> bool:
    return EARLIEST <= value <= LATEST


def is_in_range_instant(value: datetime) -> bool:
    """Whether the instant falls on a day of the range in UTC (a naive time is UTC)."""
    try:
        day = as_utc(value).astimezone(UTC).date()
    except OverflowError:
        return False
    return is_in_range_day(day)
