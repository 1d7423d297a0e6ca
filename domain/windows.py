"""Contact windows: when a person wants to be reached, when not, and when next.

Rules are written in the contact's wall-clock time ("Mon–Fri 09:00–12:00",
"third week of the month"), because that is how people state them; instants
are UTC. Everything here is about mapping one onto the other, including the
hours that daylight saving skips or repeats.
"""

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from domain.validation import SHORT_TEXT_MAX, Checker


class WindowKind(Enum):
    PREFERRED = "PREFERRED"
    BLACKOUT = "BLACKOUT"


class Weekday(Enum):
    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


WEEKDAYS = tuple(day.value for day in Weekday)
HORIZON = timedelta(days=60)
WINDOWS_MAX = 20
END_OF_DAY = "24:00"  # only valid as an end: the window runs to midnight

PREFERRED = WindowKind.PREFERRED
BLACKOUT = WindowKind.BLACKOUT

_ORDINALS = ("first", "second", "third", "fourth", "fifth")
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Window:
    """A rule as stored and evaluated; days and weeks keep the order they were stated in."""

    kind: WindowKind
    days_of_week: Collection[str] | None = None  # some of WEEKDAYS; None or empty = every day
    weeks_of_month: Collection[int] | None = None  # 1..5, week n = days 7n-6..7n; None or empty = all
    start_time: time | None = None  # local, inclusive; None = 00:00
    end_time: time | None = None  # local, exclusive; None = end of day
    from_date: date | None = None  # local, inclusive
    until_date: date | None = None  # local, inclusive
    note: str | None = None


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """A window as a person states it: times as "HH:MM" text, where END_OF_DAY ends the day."""

    kind: WindowKind
    days_of_week: Sequence[Weekday] | None = None
    weeks_of_month: Sequence[int] | None = None
    start_time: str | None = None
    end_time: str | None = None
    from_date: date | None = None
    until_date: date | None = None
    note: str | None = None


def _hhmm(value: str | None) -> time | None:
    """A local time; END_OF_DAY, only valid as an end, is stored as no end."""
    return time.fromisoformat(value) if value and value != END_OF_DAY else None


def stated_rules(check: Checker, specs: Sequence[WindowSpec]) -> list[Window]:
    """The rules a contact's stated windows make; what is wrong with them goes to `check`.

    A note is kept as given: whoever writes it redacts it first.
    """
    if len(specs) > WINDOWS_MAX:
        check.add("windows", f"at most {WINDOWS_MAX} windows per contact.")
    result = []
    for i, spec in enumerate(specs):
        at = check.at("windows", i)
        # `at` shares the problem list with `check`: count this window's own problems.
        known = len(check.problems)
        at.hhmm("startTime", spec.start_time)
        if spec.end_time != END_OF_DAY:
            at.hhmm("endTime", spec.end_time)
        for j, week in enumerate(spec.weeks_of_month or []):
            if not 1 <= week <= 5:
                at.at("weeksOfMonth").add(j, "a week of the month is 1 to 5.")
        at.day("fromDate", spec.from_date)
        at.day("untilDate", spec.until_date)
        at.date_order("fromDate", spec.from_date, "untilDate", spec.until_date)
        at.text("note", spec.note, max_len=SHORT_TEXT_MAX)
        if len(check.problems) > known:
            continue
        start, end = _hhmm(spec.start_time), _hhmm(spec.end_time)
        if end is not None and (start or time(0)) >= end:
            at.add(
                "endTime",
                "endTime must be after startTime (windows do not cross midnight; 24:00 ends the day).",
            )
        result.append(
            Window(
                kind=spec.kind,
                days_of_week=tuple(d.value for d in spec.days_of_week) if spec.days_of_week else None,
                weeks_of_month=tuple(spec.weeks_of_month) if spec.weeks_of_month else None,
                start_time=start,
                end_time=end,
                from_date=spec.from_date,
                until_date=spec.until_date,
                note=spec.note,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class Reachability:
    reachable: bool
    reason: str
    next_reachable_at: datetime | None  # aware, UTC


def applies(window: Window, local: datetime) -> bool:
    """Whether the window covers a wall-clock time in the contact's zone; an unset field matches all.

    Mirrors the SQL the collections queue uses, so the queue and the contact agree.
    """
    if window.days_of_week and WEEKDAYS[local.weekday()] not in window.days_of_week:
        return False
    if window.weeks_of_month and (local.day - 1) // 7 + 1 not in window.weeks_of_month:
        return False
    clock = local.time()
    if window.start_time is not None and clock < window.start_time:
        return False
    if window.end_time is not None and clock >= window.end_time:
        return False
    day = local.date()
    if window.from_date is not None and day < window.from_date:
        return False
    return window.until_date is None or day <= window.until_date


def is_reachable(windows: Sequence[Window], do_not_contact: bool, zone: ZoneInfo, at: datetime) -> bool:
    return not do_not_contact and _open(*_split(windows), at.astimezone(zone))


def reachability(
    windows: Sequence[Window], do_not_contact: bool, time_zone: str, at: datetime
) -> Reachability:
    if do_not_contact:
        return Reachability(reachable=False, reason="do not contact", next_reachable_at=None)
    zone = ZoneInfo(time_zone)
    reachable, reason = _verdict(windows, at.astimezone(zone))
    return Reachability(
        reachable=reachable, reason=reason, next_reachable_at=_next_reachable(windows, zone, at)
    )


def describe(window: Window) -> str:
    parts = []
    if window.days_of_week:
        parts.append(_days(window.days_of_week))
    if window.weeks_of_month:
        parts.append(("in the " if window.days_of_week else "") + _weeks(window.weeks_of_month))
    if window.start_time is not None or window.end_time is not None:
        start = f"{window.start_time:%H:%M}" if window.start_time is not None else "00:00"
        end = f"{window.end_time:%H:%M}" if window.end_time is not None else "24:00"
        parts.append(f"{start}–{end}")
    if window.from_date is not None:
        parts.append(f"from {window.from_date.isoformat()}")
    if window.until_date is not None:
        parts.append(f"until {window.until_date.isoformat()}")
    return " ".join(parts) or "at all times"


def _split(windows: Sequence[Window]) -> tuple[list[Window], list[Window]]:
    return [w for w in windows if w.kind == BLACKOUT], [w for w in windows if w.kind == PREFERRED]


def _open(blackouts: list[Window], preferred: list[Window], local: datetime) -> bool:
    """The rule itself, on windows already split by kind so a scan does not re-split them."""
    if any(applies(w, local) for w in blackouts):
        return False
    return not preferred or any(applies(w, local) for w in preferred)


def _verdict(windows: Sequence[Window], local: datetime) -> tuple[bool, str]:
    blackouts, preferred = _split(windows)
    blackout = next((w for w in blackouts if applies(w, local)), None)
    if blackout is not None:
        return False, f"blackout: {_named(blackout)}"
    if not preferred:
        return True, "no blackout applies" if blackouts else "no contact restrictions"
    hit = next((w for w in preferred if applies(w, local)), None)
    if hit is not None:
        return True, f"within preferred times: {_named(hit)}"
    return False, "outside preferred times: " + " or ".join(_named(w) for w in preferred)


def _named(window: Window) -> str:
    return describe(window) + (f" ({window.note})" if window.note else "")


def _days(days: Collection[str]) -> str:
    """A run of three or more days reads best as a range; two days read better listed ("Sat, Sun")."""
    indexes = sorted(WEEKDAYS.index(d) for d in days)
    names = [WEEKDAYS[i].title() for i in indexes]
    if len(indexes) > 2 and indexes[-1] - indexes[0] == len(indexes) - 1:
        return f"{names[0]}–{names[-1]}"
    return ", ".join(names)


def _weeks(weeks: Collection[int]) -> str:
    names = [_ORDINALS[w - 1] for w in sorted(weeks)]
    if len(names) == 1:
        return f"{names[0]} week of the month"
    return f"{', '.join(names[:-1])} and {names[-1]} weeks of the month"


def _next_reachable(windows: Sequence[Window], zone: ZoneInfo, at: datetime) -> datetime | None:
    """The first reachable instant in [at, at + HORIZON), found without stepping through time.

    Within a span of one UTC offset, wall time is UTC plus that offset, and the
    rule can only turn true where a condition changes: at the span's start (a
    daylight-saving jump), at a local midnight (day, week and date fields), at a
    preferred window's start or at a blackout's end. Checking just those, in
    order, gives the exact answer in a few hundred cheap evaluations at most.
    """
    blackouts, preferred = _split(windows)
    edges = sorted(
        {time(0)}
        | {w.start_time for w in preferred if w.start_time is not None}
        | {w.end_time for w in blackouts if w.end_time is not None}
    )
    start = at.astimezone(UTC)
    for begin, end, offset in _spans(zone, start, start + HORIZON):
        wall_begin = (begin + offset).replace(tzinfo=None)
        wall_end = (end + offset).replace(tzinfo=None)
        if begin < end and _open(blackouts, preferred, wall_begin):
            return begin
        day = wall_begin.date()
        while day <= wall_end.date():
            for edge in edges:
                wall = datetime.combine(day, edge)
                if wall_begin < wall < wall_end and _open(blackouts, preferred, wall):
                    return _ceil_minute((wall - offset).replace(tzinfo=UTC))
            day += _DAY
    return None


Span = tuple[datetime, datetime, timedelta]  # [begin, end) and the zone's UTC offset throughout


@lru_cache(maxsize=512)
def _spans(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Span, ...]:
    """_offset_spans, remembered: a page of contacts (a worklist, a queue, a brief) is judged at one
    instant in a handful of zones, and finding the offset changes is most of the cost of "when next"."""
    return tuple(_offset_spans(zone, start, end))


def _offset_spans(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[Span]:
    """Split [start, end) at the zone's offset changes, found by sampling daily then bisecting.

    Zones change their offset a few times a year at most, never twice in a day,
    so comparing daily samples finds every change without reading the zone's
    private transition table.
    """
    samples = [start + k * _DAY for k in range((end - start) // _DAY)] + [end]
    offsets = [_offset(zone, s) for s in samples]
    begin = start
    for (lo, before), (hi, after) in pairwise(zip(samples, offsets, strict=True)):
        if before != after:
            change = min(_change(zone, lo, hi, before), end)  # a change in the horizon's last minute
            yield begin, change, before
            begin = change
    yield begin, end, offsets[-1]


def _change(zone: ZoneInfo, lo: datetime, hi: datetime, before: timedelta) -> datetime:
    """The first whole minute in (lo, hi] at which the offset is no longer `before`."""
    lo_minute, hi_minute = (lo - _EPOCH) // _MINUTE, -((_EPOCH - hi) // _MINUTE)
    while hi_minute - lo_minute > 1:
        mid = (lo_minute + hi_minute) // 2
        if _offset(zone, _EPOCH + mid * _MINUTE) == before:
            lo_minute = mid
        else:
            hi_minute = mid
    return _EPOCH + hi_minute * _MINUTE


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _ceil_minute(instant: datetime) -> datetime:
    """Old local mean time offsets carry seconds; the contract promises minute precision."""
    floor = instant.replace(second=0, microsecond=0)
    return floor if floor == instant else floor + _MINUTE
