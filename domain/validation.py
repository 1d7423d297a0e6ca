"""Input rules, collected rather than raised: a client learns every problem at once.

Each problem names its path into the input, e.g. ("input", "3", "dueOn"), as
the contract's UserError.field expects.
"""

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

import pycountry
from email_validator import EmailNotValidError, validate_email

from domain.calendar import RANGE_TEXT, as_utc, is_in_range_day, is_in_range_instant

SUMMARY_MAX = 500
BODY_MAX = 50_000
TAGS_MAX = 20
TAG_MAX = 50
NAME_MAX = 200
SHORT_TEXT_MAX = 1_000
AMOUNT_DECIMALS = 4
AMOUNT_MAX = Decimal("1e14")
BATCH_MAX = 1_000
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@cache
def _currencies() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_currency(code: str) -> bool:
    return code in _currencies()


def is_time_zone(name: str) -> bool:
    return name in _time_zones()


def is_storable_instant(value: datetime) -> bool:
    """Whether Postgres can take this time: it must stay in range once moved to UTC (a naive one is UTC)."""
    try:
        as_utc(value).astimezone(UTC)
    except OverflowError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Problem:
    field: tuple[str, ...]
    message: str
    code: str = "INVALID"


@dataclass
class Checker:
    """Collects problems under a path prefix; `at()` gives a checker for a sub-path."""

    prefix: tuple[str, ...] = ("input",)
    problems: list[Problem] = field(default_factory=list)

    def at(self, *path: str | int) -> "Checker":
        return Checker(self.prefix + tuple(str(p) for p in path), self.problems)

    def add(self, name: str | int | None, message: str, code: str = "INVALID") -> None:
        path = self.prefix if name is None else (*self.prefix, str(name))
        self.problems.append(Problem(path, message, code))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def settle(self) -> None:
        """Raise Rejected with every problem collected so far, if there is any."""
        if self.problems:
            raise Rejected(*self.problems)

    def text(self, name: str, value: str | None, *, max_len: int, required: bool = False) -> None:
        if value is None:
            if required:
                self.add(name, f"{name} is required.")
            return
        if required and not value.strip():
            self.add(name, f"{name} must not be blank.")
        elif len(value) > max_len:
            self.add(name, f"{name} must be at most {max_len:,} characters (got {len(value):,}).")

    def summary(self, value: str | None, *, required: bool = True) -> None:
        self.text("summary", value, max_len=SUMMARY_MAX, required=required)

    def body(self, value: str | None) -> None:
        self.text("body", value, max_len=BODY_MAX)

    def tags(self, value: list[str] | None) -> None:
        if value is None:
            return
        if len(value) > TAGS_MAX:
            self.add("tags", f"at most {TAGS_MAX} tags (got {len(value)}).")
        for index, tag in enumerate(value):
            if not tag.strip() or len(tag) > TAG_MAX:
                self.at("tags").add(index, f"a tag must be 1-{TAG_MAX} characters.")

    def currency(self, name: str, value: str) -> None:
        if not is_currency(value):
            self.add(name, f"{value!r} is not an ISO 4217 currency code.")

    def amount(self, name: str, value: Decimal | None, *, allow_zero: bool = False) -> None:
        if value is None:
            return
        if not value.is_finite():
            self.add(name, f"{name} must be a number.")
            return
        if value < 0 or (value == 0 and not allow_zero):
            self.add(name, f"{name} must be {'zero or more' if allow_zero else 'more than zero'}.")
        elif value >= AMOUNT_MAX:
            self.add(name, f"{name} is too large.")
        elif -value.as_tuple().exponent > AMOUNT_DECIMALS:
            self.add(name, f"{name} may have at most {AMOUNT_DECIMALS} decimals.")

    def time_zone(self, name: str, value: str | None) -> None:
        if value is not None and not is_time_zone(value):
            self.add(name, f"{value!r} is not an IANA time zone such as 'Europe/Berlin'.")

    def email(self, name: str, value: str | None) -> None:
        if value is None:
            return
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as error:
            self.add(name, f"{value!r} is not an email address: {error}")

    def language(self, name: str, value: str | None) -> None:
        if value is not None and not _LANGUAGE.match(value):
            self.add(name, f"{value!r} is not a BCP 47 language tag such as 'en' or 'de-CH'.")

    def hhmm(self, name: str, value: str | None) -> None:
        if value is not None and not _HHMM.match(value):
            self.add(name, f"{name} must be HH:MM, 00:00 to 23:59, or 24:00 to end a day (got {value!r}).")

    def instant(self, name: str, value: datetime | None) -> None:
        if value is not None and not is_in_range_instant(value):
            self.add(name, f"{name} is out of range: {RANGE_TEXT}.")

    def day(self, name: str, value: date | None) -> None:
        if value is not None and not is_in_range_day(value):
            self.add(name, f"{name} is out of range: {RANGE_TEXT}.")

    def date_order(
        self, first: str, first_value: date | None, second: str, second_value: date | None
    ) -> None:
        if first_value and second_value and first_value > second_value:
            self.add(second, f"{second} must not be before {first}.")

    def batch_size(self, count: int) -> None:
        if count > BATCH_MAX:
            self.add(None, f"at most {BATCH_MAX:,} items per call (got {count:,}).", "LIMIT_EXCEEDED")
        elif count == 0:
            self.add(None, "give at least one item.")


class Rejected(Exception):
    """A well-formed request that cannot be carried out; it becomes userErrors."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def not_found(path: tuple[str, ...], what: str) -> Rejected:
    return Rejected(Problem(path, f"no {what} with this id.", "NOT_FOUND"))


def forbidden(message: str, path: tuple[str, ...] = ("input",)) -> Rejected:
    return Rejected(Problem(path, message, "FORBIDDEN"))


def conflict(message: str, path: tuple[str, ...]) -> Rejected:
    return Rejected(Problem(path, message, "CONFLICT"))
