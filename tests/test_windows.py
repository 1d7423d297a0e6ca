"""Contact windows: each field and boundary, daylight saving, and properties of next_reachable_at."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.windows import (
    BLACKOUT,
    HORIZON,
    PREFERRED,
    WEEKDAYS,
    Reachability,
    Window,
    applies,
    describe,
    is_reachable,
    reachability,
)

WEEKDAYS_MON_FRI = frozenset(WEEKDAYS[:5])
OFFICE = Window(PREFERRED, days_of_week=WEEKDAYS_MON_FRI, start_time=time(9), end_time=time(17))
VACATION = Window(BLACKOUT, weeks_of_month=frozenset({3}), note="on vacation")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


# ---------------------------------------------------------------- applies, field by field


def test_time_of_day_starts_inclusive_and_ends_exclusive():
    window = Window(PREFERRED, start_time=time(9), end_time=time(12))
    assert not applies(window, datetime(2026, 5, 4, 8, 59, 59))
    assert applies(window, datetime(2026, 5, 4, 9, 0))
    assert applies(window, datetime(2026, 5, 4, 11, 59, 59))
    assert not applies(window, datetime(2026, 5, 4, 12, 0))


def test_unset_times_cover_the_whole_day():
    assert applies(Window(PREFERRED, end_time=time(12)), datetime(2026, 5, 4, 0, 0))
    assert applies(Window(PREFERRED, start_time=time(9)), datetime(2026, 5, 4, 23, 59, 59))


def test_days_of_week():
    assert applies(OFFICE, datetime(2026, 5, 8, 10))  # Friday
    assert not applies(OFFICE, datetime(2026, 5, 9, 10))  # Saturday


@pytest.mark.parametrize("days", [None, frozenset()])
def test_no_days_means_every_day(days):
    window = Window(PREFERRED, days_of_week=days)
    assert all(applies(window, datetime(2026, 5, 4 + i)) for i in range(7))


@pytest.mark.parametrize(
    ("day", "week"),
    [(1, 1), (7, 1), (8, 2), (14, 2), (15, 3), (21, 3), (22, 4), (28, 4), (29, 5), (30, 5), (31, 5)],
)
def test_week_n_of_the_month_is_days_7n_minus_6_to_7n(day, week):
    assert applies(Window(BLACKOUT, weeks_of_month=frozenset({week})), datetime(2026, 12, day, 12))
    others = frozenset(range(1, 6)) - {week}
    assert not applies(Window(BLACKOUT, weeks_of_month=others), datetime(2026, 12, day, 12))


def test_date_range_is_inclusive_at_both_ends():
    window = Window(BLACKOUT, from_date=date(2026, 12, 20), until_date=date(2027, 1, 5))
    assert not applies(window, datetime(2026, 12, 19, 23, 59, 59))
    assert applies(window, datetime(2026, 12, 20, 0, 0))
    assert applies(window, datetime(2027, 1, 5, 23, 59, 59))
    assert not applies(window, datetime(2027, 1, 6, 0, 0))


def test_every_set_field_must_match():
    window = Window(PREFERRED, days_of_week=frozenset({"MON"}), weeks_of_month=frozenset({1}))
    assert applies(window, datetime(2026, 6, 1, 10))  # Monday the 1st
    assert not applies(window, datetime(2026, 6, 8, 10))  # Monday, second week
    assert not applies(window, datetime(2026, 6, 2, 10))  # first week, Tuesday


# ---------------------------------------------------------------- reachability


def test_no_windows_is_reachable_now():
    at = utc(2026, 5, 4, 3, 17, 42)
    assert reachability([], False, "Europe/Berlin", at) == Reachability(True, "no contact restrictions", at)


def test_do_not_contact_is_never_reachable():
    result = reachability([], True, "Europe/Berlin", utc(2026, 5, 4, 10))
    assert (result.reachable, result.reason, result.next_reachable_at) == (False, "do not contact", None)
    assert not is_reachable([OFFICE], True, BERLIN, berlin(2026, 5, 4, 10))


def test_blackout_beats_preferred():
    holiday = Window(BLACKOUT, from_date=date(2026, 5, 4), until_date=date(2026, 5, 4), note="holiday")
    at = berlin(2026, 5, 4, 10)
    assert is_reachable([OFFICE], False, BERLIN, at)
    result = reachability([OFFICE, holiday], False, "Europe/Berlin", at)
    assert not result.reachable
    assert result.reason == "blackout: from 2026-05-04 until 2026-05-04 (holiday)"
    assert result.next_reachable_at == berlin(2026, 5, 5, 9)


def test_only_blackouts_that_do_not_apply_leave_the_contact_reachable():
    result = reachability([VACATION], False, "Europe/Berlin", berlin(2026, 5, 4, 10))
    assert (result.reachable, result.reason) == (True, "no blackout applies")


def test_the_first_applying_blackout_is_named():
    lunch = Window(BLACKOUT, start_time=time(12), end_time=time(13), note="lunch")
    result = reachability([OFFICE, lunch, VACATION], False, "Europe/Berlin", berlin(2026, 5, 20, 12, 30))
    assert result.reason == "blackout: 12:00–13:00 (lunch)"


def test_reasons_for_preferred_times():
    office = Window(PREFERRED, days_of_week=WEEKDAYS_MON_FRI, start_time=time(9), end_time=time(12))
    saturday = Window(PREFERRED, days_of_week=frozenset({"SAT"}), start_time=time(10), end_time=time(11))
    inside = reachability([office], False, "Europe/Berlin", berlin(2026, 5, 4, 10))
    assert inside.reason == "within preferred times: Mon–Fri 09:00–12:00"
    outside = reachability([office, saturday], False, "Europe/Berlin", berlin(2026, 5, 4, 13))
    assert outside.reason == "outside preferred times: Mon–Fri 09:00–12:00 or Sat 10:00–11:00"


def test_reachable_now_returns_at_itself():
    at = berlin(2026, 5, 4, 10, 17, 42, 123)
    assert reachability([OFFICE], False, "Europe/Berlin", at).next_reachable_at == at


def test_the_horizon_ends_just_before_60_days():
    at = utc(2026, 1, 1)
    later = Window(PREFERRED, from_date=(at + HORIZON).date())
    assert reachability([later], False, "UTC", at).next_reachable_at is None
    sooner = Window(PREFERRED, from_date=(at + HORIZON - timedelta(days=1)).date())
    assert reachability([sooner], False, "UTC", at).next_reachable_at == at + HORIZON - timedelta(days=1)


def test_journey_2_vacation_week():
    at = berlin(2026, 8, 17, 10)  # a Monday; the 22nd is a Saturday
    result = reachability([VACATION], False, "Europe/Berlin", at)
    assert not result.reachable
    assert result.reason == "blackout: third week of the month (on vacation)"
    assert result.next_reachable_at == berlin(2026, 8, 22, 0, 0)
    assert result.next_reachable_at.tzinfo is UTC
    with_office = reachability([VACATION, OFFICE], False, "Europe/Berlin", at)
    assert with_office.next_reachable_at == berlin(2026, 8, 24, 9, 0)


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        ("Asia/Kolkata", utc(2026, 5, 4, 3, 0), utc(2026, 5, 4, 3, 30)),  # 08:30 IST
        ("Asia/Kolkata", utc(2026, 5, 4, 6, 40), utc(2026, 5, 5, 3, 30)),  # 12:10 IST
        ("Asia/Kathmandu", utc(2026, 5, 4, 3, 0), utc(2026, 5, 4, 3, 15)),  # 08:45 NPT
        ("Asia/Kathmandu", utc(2026, 5, 4, 6, 15), utc(2026, 5, 5, 3, 15)),  # 12:00 NPT
    ],
)
def test_half_and_three_quarter_hour_zones(zone, at, expected):
    mornings = Window(PREFERRED, start_time=time(9), end_time=time(12))
    assert reachability([mornings], False, zone, at).next_reachable_at == expected


def nightly(kind: str, start: time, end: time) -> list[Window]:
    return [Window(kind, start_time=start, end_time=end)]


@pytest.mark.parametrize(
    ("zone", "windows", "at", "expected"),
    [
        # Berlin springs forward at 01:00Z: 02:00 CET becomes 03:00 CEST, so 02:30 never happens.
        (
            "Europe/Berlin",
            nightly(PREFERRED, time(2, 30), time(4)),
            utc(2026, 3, 28, 23),
            utc(2026, 3, 29, 1),
        ),
        (
            "Europe/Berlin",
            nightly(PREFERRED, time(2, 30), time(2, 45)),
            utc(2026, 3, 28, 23),
            utc(2026, 3, 30, 0, 30),
        ),
        # Berlin falls back at 01:00Z: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        (
            "Europe/Berlin",
            nightly(PREFERRED, time(2, 30), time(4)),
            utc(2026, 10, 24, 22),
            utc(2026, 10, 25, 0, 30),
        ),
        (
            "Europe/Berlin",
            nightly(BLACKOUT, time(2, 30), time(2, 45)),
            utc(2026, 10, 25, 0, 35),
            utc(2026, 10, 25, 0, 45),
        ),
        (
            "Europe/Berlin",
            nightly(BLACKOUT, time(2, 30), time(2, 45)),
            utc(2026, 10, 25, 1, 35),
            utc(2026, 10, 25, 1, 45),
        ),
        # New York springs forward at 07:00Z: 02:00 EST becomes 03:00 EDT.
        (
            "America/New_York",
            nightly(PREFERRED, time(2, 30), time(4)),
            utc(2026, 3, 8, 5),
            utc(2026, 3, 8, 7),
        ),
        # New York falls back at 06:00Z: 02:00 EDT becomes 01:00 EST; 02:30 happens once, in EST.
        (
            "America/New_York",
            nightly(PREFERRED, time(2, 30), time(3)),
            utc(2026, 11, 1, 4),
            utc(2026, 11, 1, 7, 30),
        ),
        (
            "America/New_York",
            nightly(BLACKOUT, time(1, 30), time(1, 45)),
            utc(2026, 11, 1, 5, 30),
            utc(2026, 11, 1, 5, 45),
        ),
        (
            "America/New_York",
            nightly(BLACKOUT, time(1, 30), time(1, 45)),
            utc(2026, 11, 1, 6, 30),
            utc(2026, 11, 1, 6, 45),
        ),
    ],
)
def test_daylight_saving_days(zone, windows, at, expected):
    assert not is_reachable(windows, False, ZoneInfo(zone), at)
    assert reachability(windows, False, zone, at).next_reachable_at == expected


def test_an_offset_other_than_the_contacts_is_read_as_the_same_instant():
    at = datetime(2026, 5, 4, 3, 0, tzinfo=timezone(timedelta(hours=-7)))  # 12:00 in Berlin
    assert reachability([OFFICE], False, "Europe/Berlin", at).next_reachable_at == at


# ---------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("window", "text"),
    [
        (
            Window(PREFERRED, days_of_week=WEEKDAYS_MON_FRI, start_time=time(9), end_time=time(12)),
            "Mon–Fri 09:00–12:00",
        ),
        (Window(PREFERRED, days_of_week=frozenset({"WED", "MON"})), "Mon, Wed"),
        (Window(PREFERRED, days_of_week=frozenset({"SAT", "SUN"})), "Sat, Sun"),
        (VACATION, "third week of the month"),
        (Window(BLACKOUT, weeks_of_month=frozenset({5, 1, 3})), "first, third and fifth weeks of the month"),
        (
            Window(BLACKOUT, days_of_week=frozenset({"FRI"}), weeks_of_month=frozenset({1, 2})),
            "Fri in the first and second weeks of the month",
        ),
        (Window(PREFERRED, start_time=time(9)), "09:00–24:00"),
        (Window(PREFERRED, end_time=time(12, 30)), "00:00–12:30"),
        (
            Window(BLACKOUT, from_date=date(2026, 12, 20), until_date=date(2027, 1, 5)),
            "from 2026-12-20 until 2027-01-05",
        ),
        (Window(BLACKOUT, until_date=date(2027, 1, 5)), "until 2027-01-05"),
        (Window(BLACKOUT, note="always"), "at all times"),
    ],
)
def test_describe(window, text):
    assert describe(window) == text


# ---------------------------------------------------------------- properties

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]
START = utc(2025, 1, 1)
STEP = timedelta(minutes=11)  # coprime with 15 and 60, so steps land on every minute of the hour
PROPERTY = settings(max_examples=150, deadline=None)


# Minutes of the day: on the quarter hour, as people mostly write them, or anywhere.
any_minute = st.integers(0, 95).map(lambda q: q * 15) | st.integers(0, 24 * 60 - 1)
# Around the changes themselves, often exactly on them: 02:00 in most zones, 02:45 on Chatham,
# midnight in Santiago.
small_hours = (
    st.integers(0, 20).map(lambda q: q * 15) | st.integers(0, 5 * 60) | st.integers(22 * 60, 24 * 60 - 1)
)


def times_of_day(minutes: st.SearchStrategy[int]) -> st.SearchStrategy[tuple[time | None, time | None]]:
    """A start before an end, either of them possibly unset."""
    return st.lists(minutes, min_size=2, max_size=2, unique=True).flatmap(
        lambda pair: st.tuples(
            st.sampled_from([None, time(min(pair) // 60, min(pair) % 60)]),
            st.sampled_from([None, time(max(pair) // 60, max(pair) % 60)]),
        )
    )


@st.composite
def any_window(draw) -> Window:
    start_time, end_time = draw(times_of_day(any_minute))
    from_date = draw(st.none() | st.dates(date(2024, 12, 1), date(2029, 3, 1)))
    return Window(
        kind=draw(st.sampled_from([PREFERRED, BLACKOUT])),
        days_of_week=draw(st.none() | st.frozensets(st.sampled_from(WEEKDAYS))),
        weeks_of_month=draw(st.none() | st.frozensets(st.integers(1, 5))),
        start_time=start_time,
        end_time=end_time,
        from_date=from_date,
        until_date=draw(
            st.none()
            | st.integers(0, 90).map(lambda days: (from_date or date(2025, 3, 1)) + timedelta(days=days))
        ),
        note=draw(st.sampled_from([None, "on vacation"])),
    )


def clock_changes(zone_name: str) -> list[datetime]:
    """The first whole hours (UTC) with a new offset in the zone, 2025 to 2028."""
    zone = ZoneInfo(zone_name)
    hour, day = timedelta(hours=1), timedelta(days=1)

    def changed(instant: datetime, step: timedelta) -> bool:
        return (instant - step).astimezone(zone).utcoffset() != instant.astimezone(zone).utcoffset()

    days = (START + k * day for k in range(1, 4 * 365))
    return [
        instant
        for midnight in days
        if changed(midnight, day)
        for instant in (midnight - k * hour for k in range(24))
        if changed(instant, hour)
    ]


def any_offset(moment: datetime, quarters: int) -> datetime:
    """The caller's `at` need not be in UTC or in the contact's zone."""
    return moment.astimezone(timezone(quarters * timedelta(minutes=15)))


rules = st.lists(any_window(), max_size=5)
instants = st.builds(
    any_offset,
    st.integers(0, 4 * 365 * 86400).map(lambda seconds: START + timedelta(seconds=seconds)),
    st.integers(-48, 56),
)
changes = st.sampled_from([(zone, day) for zone in ZONES for day in clock_changes(zone)])


def check_next_reachable_at(windows: list[Window], zone_name: str, at: datetime) -> None:
    """Scanning the whole span up to it (or the whole horizon when there is none) checks exactness
    without trusting the candidate logic; the last hour, minute by minute, checks the precision."""
    zone = ZoneInfo(zone_name)
    result = reachability(windows, False, zone_name, at)
    found = result.next_reachable_at
    assert result.reachable == is_reachable(windows, False, zone, at) == (found == at)
    end = found if found is not None else at + HORIZON
    if found is not None:
        assert is_reachable(windows, False, zone, found)
        assert at <= found < at + HORIZON
        assert found == at or (found.second, found.microsecond) == (0, 0)
    steps = (at + k * STEP for k in range((end - at) // STEP + 1))
    last_hour = (end - k * timedelta(minutes=1) for k in range(1, 61))
    for moment in (*steps, *last_hour):
        if at <= moment < end:
            assert not is_reachable(windows, False, zone, moment), moment


@PROPERTY
@given(rules, st.sampled_from(ZONES), instants)
def test_next_reachable_at_is_the_first_reachable_instant(windows, zone_name, at):
    check_next_reachable_at(windows, zone_name, at)


night_windows = st.builds(
    lambda kind, times: Window(kind, start_time=times[0], end_time=times[1]),
    st.sampled_from([PREFERRED, BLACKOUT]),
    times_of_day(small_hours),
)


@settings(max_examples=400, deadline=None)  # the rarest cases in the suite live here
@given(
    st.lists(night_windows, min_size=1, max_size=3),
    changes,
    st.integers(-2 * 3600, 26 * 3600),
    st.integers(-48, 56),
)
def test_next_reachable_at_across_a_clock_change(windows, change, seconds_before, quarters):
    zone_name, hour = change
    check_next_reachable_at(
        windows, zone_name, any_offset(hour - timedelta(seconds=seconds_before), quarters)
    )


@PROPERTY
@given(rules, st.sampled_from(ZONES), instants, st.data())
def test_a_blackout_that_applies_always_wins(windows, zone_name, at, data):
    zone = ZoneInfo(zone_name)
    wall = at.astimezone(zone)
    minute = wall.hour * 60 + wall.minute
    blackout = Window(
        BLACKOUT,
        days_of_week=data.draw(st.sampled_from([None, frozenset({WEEKDAYS[wall.weekday()]})])),
        weeks_of_month=data.draw(st.sampled_from([None, frozenset({(wall.day - 1) // 7 + 1})])),
        start_time=data.draw(st.sampled_from([None, time(wall.hour, wall.minute)])),
        end_time=time((minute + 1) // 60, (minute + 1) % 60) if minute < 24 * 60 - 1 else None,
        from_date=data.draw(st.sampled_from([None, wall.date()])),
        until_date=data.draw(st.sampled_from([None, wall.date()])),
    )
    rules_with_blackout = data.draw(st.permutations([*windows, blackout]))
    assert not is_reachable(rules_with_blackout, False, zone, at)
    result = reachability(rules_with_blackout, False, zone_name, at)
    assert not result.reachable
    assert result.reason.startswith("blackout: ")
    assert result.next_reachable_at != at
