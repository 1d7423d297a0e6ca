"""The demo's story as records: read from demo_story.toml, which a writer can edit without Python.

Names in the story (a contact's name, an invoice number, a user's key) are how
one record refers to another; api/demo.py resolves them to ids as it writes.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.teams import Team


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    name: str
    team: Team


@dataclass(frozen=True, slots=True)
class DemoWindow:
    kind: str
    days: tuple[str, ...] | None = None
    weeks: tuple[int, ...] | None = None
    start: str | None = None
    end: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    title: str
    roles: tuple[str, ...]
    email: str | None = None
    phone: str | None = None
    channel: str | None = None
    language: str | None = None
    do_not_contact: bool = False
    windows: tuple[DemoWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class Bill:
    """An invoice as the ERP pushed it when issued, and maybe a later status it pushed."""

    number: str
    issued_days_ago: int
    total: str
    status: str = "OPEN"
    currency: str | None = None  # default: the customer's
    became: tuple[int, str, str] | None = None  # (days ago, status, balance)


@dataclass(frozen=True, slots=True)
class Entry:
    """A timeline entry `days_ago` (at 10:00 UTC), by one of USERS; `kind` is an EntryKind value."""

    days_ago: int
    author: str
    kind: str
    summary: str
    body: str | None = None
    contact: str | None = None  # a Person's name
    invoices: tuple[str, ...] = ()
    direction: str | None = None
    outcome: str | None = None
    category: str | None = None
    restricted: bool = False


@dataclass(frozen=True, slots=True)
class Promise:
    days_ago: int  # when it was made
    promised_in_days: int  # relative to today: negative is past
    amount: str
    summary: str
    invoices: tuple[str, ...]
    contact: str | None = None
    grace_days: int = 3


@dataclass(frozen=True, slots=True)
class Payment:
    days_ago: int
    amount: str
    invoices: tuple[tuple[str, str], ...]  # (invoice number, amount allocated)
    method: str
    reference: str


@dataclass(frozen=True, slots=True)
class Dispute:
    days_ago: int
    author: str
    reason: str
    summary: str
    invoices: tuple[str, ...]
    amount: str | None = None
    body: str | None = None
    contact: str | None = None
    resolved_days_ago: int | None = None
    resolution: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    days_ago: int
    installments: tuple[tuple[int, str], ...]  # (due in days relative to today, amount)
    summary: str
    invoices: tuple[str, ...]
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    days_ago: int
    due_in_days: int
    summary: str
    author: str = "ada"
    assignee: str = "ada"
    contact: str | None = None  # whom to call: the call brief suggests this Person first


Event = Entry | Promise | Payment | Dispute | Plan | FollowUp


@dataclass(frozen=True, slots=True)
class Customer:
    ref: str
    name: str
    time_zone: str
    currency: str
    tags: tuple[str, ...]
    people: tuple[Person, ...]
    bills: tuple[Bill, ...]
    story: tuple[Event, ...]
    preferences: tuple[tuple[str, str, str | None], ...] = ()  # (key, value, note)
    status: str = "ACTIVE"


STORY = Path(__file__).with_name("demo_story.toml")
_EVENTS = {
    "entry": Entry,
    "promise": Promise,
    "payment": Payment,
    "dispute": Dispute,
    "plan": Plan,
    "follow_up": FollowUp,
}


def _tuples(value: Any) -> Any:
    """TOML arrays as tuples, so the story's records stay frozen and comparable."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _story_event(item: dict) -> Event:
    fields = {name: _tuples(value) for name, value in item.items() if name != "event"}
    if item["event"] == "payment":
        fields["invoices"] = tuple((part["number"], part["amount"]) for part in item["invoices"])
    if item["event"] == "plan":
        fields["installments"] = tuple((part["due_in_days"], part["amount"]) for part in item["installments"])
    return _EVENTS[item["event"]](**fields)


def _customer(item: dict) -> Customer:
    people = tuple(
        Person(
            **{k: _tuples(v) for k, v in person.items() if k != "windows"},
            windows=tuple(
                DemoWindow(**{k: _tuples(v) for k, v in w.items()}) for w in person.get("windows", ())
            ),
        )
        for person in item["people"]
    )
    bills = tuple(
        Bill(
            **{k: v for k, v in bill.items() if k != "became"},
            became=(bill["became"]["days_ago"], bill["became"]["status"], bill["became"]["balance"])
            if "became" in bill
            else None,
        )
        for bill in item["bills"]
    )
    return Customer(
        **{k: _tuples(v) for k, v in item.items() if k not in ("people", "bills", "story", "preferences")},
        people=people,
        bills=bills,
        story=tuple(_story_event(event) for event in item["story"]),
        preferences=tuple((p["key"], p["value"], p.get("note")) for p in item.get("preferences", ())),
    )


def load_story() -> tuple[dict[str, DemoUser], tuple[Customer, ...]]:
    story = tomllib.loads(STORY.read_text(encoding="utf-8"))
    people = {key: DemoUser(u["email"], u["name"], Team(u["team"])) for key, u in story["users"].items()}
    return people, tuple(_customer(item) for item in story["customers"])


USERS, CUSTOMERS = load_story()
