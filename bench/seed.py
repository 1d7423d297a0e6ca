"""Seed `rapport_bench`: a deterministic synthetic dataset, loaded with COPY.

At SCALE=1.0: 10,000 accounts, 30,000 contacts with contact windows, 200,000
invoices in EUR/USD/GBP, 1,000,000 timeline entries of every kind over three
years, with their invoice links, payments, allocations and a few revisions.
The same seed, scale and anchor date give the same rows, ids included. Rows
are written as the mutations would write them (kind-specific columns, summaries
in the app's wording), except that no audit or outbox rows are written: the
search index is built by `search.reindex` afterwards.

The database's COMMENT records what was seeded; a later run with the same
seed, scale, anchor and generator version reuses it, after removing what
earlier benchmark runs wrote and applying any newer migrations in place (a new
migration need not cost a reseed; a generator change bumps GENERATOR_VERSION).
Each scale gets its own database (`rapport_bench` at SCALE=1.0,
`rapport_bench_0_05` at 0.05; BENCH_NAME overrides), so a quick run never
replaces the full dataset.

    .venv/bin/rapport stack -- .venv/bin/python -m bench.seed     # SCALE=0.05 for a quick one
"""

# ruff: noqa: S311, S608, SIM905  (seeded randomness is the point; SQL from our own constants; word lists)

import asyncio
import json
import math
import os
import random
import sys
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from api import migrate
from bench import invoice_feed, words
from domain.invoices import status_change_summary
from store import receivables_summary

DATABASE = "rapport_bench"
GENERATOR_VERSION = 2  # 2: 50 people share the follow-ups; account owners and inbox items
BASE_COUNTS = {"accounts": 10_000, "contacts": 30_000, "invoices": 200_000, "entries": 1_000_000}
BENCH_EMAIL_DOMAIN = "bench.rapport.example"
CENTS = Decimal("0.01")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Config:
    seed: int = 20261123
    scale: float = 1.0
    anchor: date = date(2026, 11, 23)

    @classmethod
    def from_env(cls) -> "Config":
        scale = float(os.environ.get("SCALE", "1.0"))
        if not 0 < scale <= 10:
            raise SystemExit(f"SCALE must be in (0, 10], got {scale}")
        return cls(
            seed=int(os.environ.get("BENCH_SEED", cls.seed)),
            scale=scale,
            anchor=date.fromisoformat(os.environ.get("BENCH_ANCHOR", cls.anchor.isoformat())),
        )

    def count(self, what: str) -> int:
        return max(20, round(BASE_COUNTS[what] * self.scale))

    def meta(self) -> dict:
        return {
            "seed": self.seed,
            "scale": self.scale,
            "anchor": self.anchor.isoformat(),
            "generator": GENERATOR_VERSION,
        }


def default_name(scale: float) -> str:
    """The database (and index prefix) of a scale: the full dataset keeps the plain name."""
    return DATABASE if scale == 1.0 else f"{DATABASE}_{scale:g}".replace(".", "_").replace("-", "_")


def name_from_env(scale: float) -> str:
    name = os.environ.get("BENCH_NAME") or default_name(scale)
    if not name.replace("_", "").isalnum() or not name.islower():
        raise SystemExit(f"BENCH_NAME may hold only lower-case letters, digits and '_', got {name!r}")
    return name


def with_database(url: str, name: str) -> str:
    """The same server URL with another database (keeps ?host=/socket/dir and credentials)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# ------------------------------------------------------------------------------------------ helpers


def code_count(config: Config) -> int:
    """How many invented code names the text uses: few documents each, for the rare-word searches."""
    return max(60, round(6000 * config.scale))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace("'", "").lower()


def allocate(rng: random.Random, total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` over the weights, each at least `minimum`; the counts add up to `total` exactly."""
    n = len(weights)
    spare = max(0, total - n * minimum)
    scale = spare / sum(weights)
    counts = [minimum + int(w * scale) for w in weights]
    missing = total - sum(counts)
    while missing > 0:
        counts[rng.randrange(n)] += 1
        missing -= 1
    return counts


def _pick(rng: random.Random, table: list[tuple[float, str]]) -> str:
    """A value from cumulative (threshold, value) pairs."""
    x = rng.random()
    for threshold, value in table:
        if x < threshold:
            return value
    return table[-1][1]


def _cumulative(pairs: dict[str, float]) -> list[tuple[float, str]]:
    total = sum(pairs.values())
    acc, result = 0.0, []
    for value, weight in pairs.items():
        acc += weight / total
        result.append((acc, value))
    return result


# Invoice status by payer profile and how far past due the invoice is.
_STATUS = {
    profile: {bucket: _cumulative(table) for bucket, table in buckets.items()}
    for profile, buckets in {
        "good": {
            "future": {"OPEN": 88, "DRAFT": 4, "PARTIALLY_PAID": 3, "PAID": 5},
            "0-30": {"PAID": 80, "OPEN": 14, "PARTIALLY_PAID": 3, "DISPUTED": 2, "VOID": 1},
            "31-90": {"PAID": 95, "OPEN": 2, "PARTIALLY_PAID": 1, "DISPUTED": 1, "VOID": 1},
            "91+": {
                "PAID": 97.5,
                "OPEN": 0.2,
                "WRITTEN_OFF": 0.3,
                "VOID": 1,
                "DISPUTED": 0.5,
                "PARTIALLY_PAID": 0.5,
            },
        },
        "slow": {
            "future": {"OPEN": 88, "DRAFT": 4, "PARTIALLY_PAID": 3, "PAID": 5},
            "0-30": {"PAID": 45, "OPEN": 40, "PARTIALLY_PAID": 8, "DISPUTED": 5, "VOID": 2},
            "31-90": {"PAID": 70, "OPEN": 18, "PARTIALLY_PAID": 6, "DISPUTED": 4, "VOID": 2},
            "91+": {"PAID": 93, "OPEN": 3, "PARTIALLY_PAID": 1, "DISPUTED": 1, "WRITTEN_OFF": 1, "VOID": 1},
        },
        "troubled": {
            "future": {"OPEN": 90, "DRAFT": 2, "PARTIALLY_PAID": 5, "PAID": 3},
            "0-30": {"PAID": 25, "OPEN": 55, "PARTIALLY_PAID": 10, "DISPUTED": 8, "VOID": 2},
            "31-90": {"PAID": 40, "OPEN": 40, "PARTIALLY_PAID": 10, "DISPUTED": 8, "VOID": 2},
            "91+": {"PAID": 75, "OPEN": 12, "PARTIALLY_PAID": 4, "DISPUTED": 3, "WRITTEN_OFF": 4, "VOID": 2},
        },
    }.items()
}
_KINDS = {
    "good": _cumulative(
        {
            "NOTE": 22, "CALL": 14, "EMAIL": 22, "MEETING": 6, "LETTER": 1, "SMS": 2, "NEWS": 3,
            "PROMISE_TO_PAY": 2, "DISPUTE": 1, "PAYMENT_PLAN": 0.3, "INVOICE_STATUS": 14, "PAYMENT": 9,
            "FOLLOW_UP": 3,
        }
    ),
    "slow": _cumulative(
        {
            "NOTE": 20, "CALL": 18, "EMAIL": 22, "MEETING": 4, "LETTER": 2, "SMS": 3, "NEWS": 3,
            "PROMISE_TO_PAY": 4, "DISPUTE": 2, "PAYMENT_PLAN": 0.8, "INVOICE_STATUS": 12, "PAYMENT": 7,
            "FOLLOW_UP": 4,
        }
    ),
    "troubled": _cumulative(
        {
            "NOTE": 18, "CALL": 22, "EMAIL": 20, "MEETING": 3, "LETTER": 3, "SMS": 3, "NEWS": 4,
            "PROMISE_TO_PAY": 6, "DISPUTE": 3, "PAYMENT_PLAN": 1.5, "INVOICE_STATUS": 10, "PAYMENT": 5,
            "FOLLOW_UP": 5,
        }
    ),
}  # fmt: skip
_NEWS_CATEGORIES = {
    "good": _cumulative(
        {"EXPANSION": 30, "LEADERSHIP_CHANGE": 20, "MERGER_ACQUISITION": 8, "RELOCATION": 10, "OTHER": 22,
         "DOWNSIZING": 6, "FINANCIAL_DIFFICULTY": 4}
    ),
    "troubled": _cumulative(
        {"EXPANSION": 5, "LEADERSHIP_CHANGE": 15, "MERGER_ACQUISITION": 8, "RELOCATION": 5, "OTHER": 7,
         "DOWNSIZING": 30, "FINANCIAL_DIFFICULTY": 30}
    ),
}  # fmt: skip
_NEWS_CATEGORIES["slow"] = _NEWS_CATEGORIES["good"]
_CALL_OUTCOMES = _cumulative({"REACHED": 55, "LEFT_MESSAGE": 20, "NO_ANSWER": 20, "WRONG_CONTACT": 5})
_TEMPLATES = {
    "NOTE": words.NOTES,
    "CALL": words.CALLS,
    "EMAIL": words.EMAILS,
    "MEETING": words.MEETINGS,
    "LETTER": words.LETTERS,
    "SMS": words.SMS_TEXTS,
    "FOLLOW_UP": words.FOLLOW_UPS,
}
_BODY_SENTENCES = {
    "NOTE": (1, 3),
    "CALL": (0, 2),
    "EMAIL": (1, 2),
    "MEETING": (2, 3),
    "LETTER": (0, 1),
    "SMS": (0, 0),
    "NEWS": (1, 2),
    "PROMISE_TO_PAY": (0, 1),
    "DISPUTE": (1, 2),
    "PAYMENT_PLAN": (0, 1),
    "FOLLOW_UP": (0, 1),
}

ENTRY_COLUMNS = (
    "account_id id kind occurred_at recorded_at author_id team summary body contact_id tags pinned "
    "visibility revision edited_by edited_at deleted_at deleted_by delete_reason direction outcome "
    "category amount currency promised_for grace_days cancelled_at dispute_reason dispute_status "
    "resolved_at resolution installments from_status to_status payment_id received_on method reference "
    "due_at assignee_id done"
).split()
_E = {name: i for i, name in enumerate(ENTRY_COLUMNS)}
_CLOSED = frozenset({"PAID", "VOID", "WRITTEN_OFF"})

TABLE_COLUMNS = {
    "users": ("id", "email", "name", "team", "created_at"),
    "accounts": ("id", "name", "status", "owner_id", "tags", "time_zone", "created_at", "updated_at"),
    "account_owners": ("account_id", "team", "user_id"),
    "account_refs": ("system", "external_id", "account_id"),
    "contacts": (
        "account_id id name title roles email phone preferred_channel time_zone language do_not_contact "
        "created_at updated_at"
    ).split(),
    "contact_windows": (
        "account_id contact_id position kind days_of_week weeks_of_month start_time end_time from_date "
        "until_date note"
    ).split(),
    "preferences": ("account_id", "key", "value", "note", "set_by", "set_at"),
    "invoices": (
        "account_id id number ext_system ext_id issued_on due_on currency total balance status created_at "
        "updated_at"
    ).split(),
    "entries": ENTRY_COLUMNS,
    "entry_revisions": (
        "account_id",
        "entry_id",
        "revision",
        "summary",
        "body",
        "tags",
        "edited_by",
        "edited_at",
    ),
    "entry_invoices": ("account_id", "entry_id", "invoice_id"),
    "payments": ("account_id id amount currency received_on method reference recorded_by created_at".split()),
    "payment_allocations": ("account_id", "payment_id", "invoice_id", "amount"),
}
# Parents before children, so the load is valid even where FK checks stay on.
LOAD_ORDER = tuple(TABLE_COLUMNS)


@dataclass(slots=True, eq=False)
class Inv:
    id: uuid.UUID
    number: str
    currency: str
    total: Decimal
    balance: Decimal
    status: str
    issued_on: date
    due_on: date
    paid_on: date | None
    paid_by_entry: bool = False


@dataclass(slots=True)
class Acct:
    id: uuid.UUID
    name: str
    profile: str
    currencies: tuple[str, ...]
    time_zone: str
    domain: str
    weight: float
    contacts: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)  # id, first, last
    invoices: list[Inv] = field(default_factory=list)


class Slots(dict):
    """Template slots drawn on first use, so one entry's summary and body agree on names."""

    __slots__ = ("account", "gen", "linked")

    def __init__(self, gen: "Generator", **given: str) -> None:
        super().__init__(given)
        self.gen = gen
        self.linked: list[Inv] = []

    def __missing__(self, key: str) -> str:
        value = self.gen.draw(self, key)
        self[key] = value
        return value


# ---------------------------------------------------------------------------------------- generator


class Generator:
    """Builds every table's rows from one seeded random generator."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.anchor = config.anchor
        self.anchor_dt = datetime.combine(config.anchor, clock(17, 0), UTC)
        self.start_dt = self.anchor_dt - timedelta(days=3 * 365)
        self.codes = words.code_names(self.rng, code_count(config))
        self.firsts = words.FIRST_NAMES
        self.lasts = words.LAST_NAMES
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLE_COLUMNS}
        self.accounts: list[Acct] = []
        self.users_by_team: dict[str, list[uuid.UUID]] = {}
        self.people: list[uuid.UUID] = []  # who may be given a follow-up
        self.invoice_seq = 0

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def instant(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        return (start + timedelta(seconds=int(self.rng.random() * span))).replace(microsecond=0)

    def money(self, median: float, sigma: float = 1.0, low: float = 20.0, high: float = 250_000.0) -> Decimal:
        value = min(high, max(low, self.rng.lognormvariate(math.log(median), sigma)))
        return Decimal(f"{value:.2f}")

    # ---------------------------------------------------------------------------- text
    def draw(self, slots: Slots, key: str) -> str:
        rng = self.rng
        match key:
            case "first" | "last":
                slots["first"], slots["last"] = rng.choice(self.firsts), rng.choice(self.lasts)
                return slots[key]
            case "city":
                return rng.choice(words.CITIES)
            case "product":
                return rng.choice(words.PRODUCTS)
            case "topic":
                return rng.choice(words.TOPICS)
            case "month":
                return rng.choice(words.MONTHS)
            case "quarter":
                return rng.choice(words.QUARTERS)
            case "change":
                return rng.choice(words.CHANGES)
            case "channel":
                return rng.choice(("email", "phone", "the portal", "letters"))
            case "day":
                return str(rng.choice((5, 10, 15, 20, 25)))
            case "code":
                return rng.choice(self.codes)
            case "n":
                return str(rng.choice((40, 80, 120, 250, 400, 900)))
            case "rating":
                return rng.choice(words.RATINGS)
            case "company":
                return self.company_name()
            case "amount":
                return f"{rng.choice((5, 10, 25, 50, 100))},000"
            case "invoice":
                invoices = slots.account.invoices  # type: ignore[attr-defined]
                if not invoices:
                    return "PO-" + str(rng.randrange(10_000, 99_999))
                inv = rng.choice(invoices)
                slots.linked.append(inv)
                return inv.number
        raise KeyError(key)

    def company_name(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(words.ADJECTIVES)} {rng.choice(words.NOUNS)} "
            f"{rng.choice(words.INDUSTRIES)} {rng.choice(words.LEGAL)}"
        )

    def body(self, slots: Slots, kind: str) -> str | None:
        low, high = _BODY_SENTENCES.get(kind, (0, 1))
        count = self.rng.randint(low, high)
        if not count:
            return None
        return " ".join(self.rng.choice(words.SENTENCES).format_map(slots) for _ in range(count))

    # ---------------------------------------------------------------------------- tables
    def users(self) -> None:
        teams = {"SALES": 20, "SERVICE": 13, "AR": 15, "ADMIN": 2, "INTEGRATION": 1}  # 50 people
        created = self.start_dt - timedelta(days=200)
        for team, count in teams.items():
            for i in range(count):
                first, last = self.rng.choice(self.firsts), self.rng.choice(self.lasts)
                name = "ERP sync" if team == "INTEGRATION" else f"{first} {last}"
                email = (
                    f"{_ascii(first)}.{_ascii(last).replace(' ', '')}.{team.lower()}{i}@{BENCH_EMAIL_DOMAIN}"
                )
                user_id = self.new_id()
                self.users_by_team.setdefault(team, []).append(user_id)
                self.rows["users"].append((user_id, email, name, team, created))
                if team != "INTEGRATION":
                    self.people.append(user_id)

    def accounts_and_children(self) -> None:
        rng, cfg = self.rng, self.config
        n = cfg.count("accounts")
        profiles = _cumulative({"good": 70, "slow": 22, "troubled": 8})
        currencies = _cumulative({"EUR": 45, "USD": 35, "GBP": 20})
        for _ in range(n):
            main = _pick(rng, currencies)
            extra = (
                () if rng.random() > 0.15 else (rng.choice([c for c in ("EUR", "USD", "GBP") if c != main]),)
            )
            name = self.company_name()
            self.accounts.append(
                Acct(
                    id=self.new_id(),
                    name=name,
                    profile=_pick(rng, profiles),
                    currencies=(main, *extra),
                    time_zone=rng.choice(words.TIME_ZONES[main]),
                    domain=_ascii(name.split()[0] + name.split()[1]) + ".example",
                    weight=rng.lognormvariate(0, 0.9),
                )
            )
        # Children in account-id order: each table's (account_id, ...) keys then grow in order.
        self.accounts.sort(key=lambda a: a.id)
        sales, ar = self.users_by_team["SALES"], self.users_by_team["AR"]
        users = [u for team in ("SALES", "SERVICE", "AR") for u in self.users_by_team[team]]
        for number, acct in enumerate(self.accounts, start=1):
            created = self.start_dt - timedelta(days=rng.randint(30, 400), hours=rng.randint(0, 23))
            status = _pick(rng, [(0.92, "ACTIVE"), (0.98, "ON_HOLD"), (1.0, "CLOSED")])
            tags = rng.sample(words.ACCOUNT_TAGS, rng.choice((0, 1, 1, 2, 2, 3)))
            updated = self.instant(self.anchor_dt - timedelta(days=300), self.anchor_dt)
            owner = rng.choice(sales)
            self.rows["accounts"].append(
                (acct.id, acct.name, status, owner, tags, acct.time_zone, created, updated)
            )
            # The sales owner is the account's owner; AR's collectors take the accounts in turn.
            self.rows["account_owners"] += [(acct.id, "SALES", owner), (acct.id, "AR", ar[number % len(ar)])]
            self.rows["account_refs"].append(("erp", f"C-{number:05d}", acct.id))
            if rng.random() < 0.3:
                self.rows["account_refs"].append(("crm", f"{rng.randrange(16**8):08x}-{number}", acct.id))
            if rng.random() < 0.45:
                self.preferences(acct, users)
        contact_counts = allocate(
            rng, cfg.count("contacts"), [a.weight**0.3 * rng.uniform(0.5, 1.5) for a in self.accounts], 1
        )
        for acct, count in zip(self.accounts, contact_counts, strict=True):
            for position in range(count):
                self.contact(acct, position)
        invoice_counts = allocate(
            rng, cfg.count("invoices"), [a.weight * rng.lognormvariate(0, 0.4) for a in self.accounts], 1
        )
        for acct, count in zip(self.accounts, invoice_counts, strict=True):
            for _ in range(count):
                self.invoice(acct)

    def preferences(self, acct: Acct, users: list[uuid.UUID]) -> None:
        rng = self.rng
        options = {
            "invoice_delivery": ("email", "portal", "post"),
            "payment_method": ("bank transfer", "direct debit", "card"),
            "tone": ("formal", "friendly"),
            "statement_frequency": ("monthly", "quarterly"),
        }
        for key in rng.sample(list(options), rng.randint(1, 3)):
            note = rng.choice((None, None, "asked for by their CFO", "since the last audit"))
            at = self.instant(self.start_dt, self.anchor_dt)
            self.rows["preferences"].append(
                (acct.id, key, rng.choice(options[key]), note, rng.choice(users), at)
            )

    def contact(self, acct: Acct, position: int) -> None:
        rng = self.rng
        first, last = rng.choice(self.firsts), rng.choice(self.lasts)
        contact_id = self.new_id()
        acct.contacts.append((contact_id, first, last))
        if position == 0 and rng.random() < 0.85:
            roles = [rng.choice(("BILLING", "ACCOUNTS_PAYABLE"))]
        else:
            roles = rng.sample(words.ROLES, rng.choice((1, 1, 2)))
        zone_roll = rng.random()
        zone = (
            None
            if zone_roll < 0.45
            else acct.time_zone
            if zone_roll < 0.85
            else rng.choice(words.CONTACT_ZONES)
        )
        created = self.instant(self.start_dt - timedelta(days=30), self.anchor_dt - timedelta(days=20))
        self.rows["contacts"].append(
            (
                acct.id,
                contact_id,
                f"{first} {last}",
                rng.choice(words.TITLES),
                roles,
                f"{_ascii(first)}.{_ascii(last).replace(' ', '')}@{acct.domain}"
                if rng.random() < 0.9
                else None,
                self.phone() if rng.random() < 0.8 else None,
                rng.choice(words.CHANNELS) if rng.random() < 0.7 else None,
                zone,
                rng.choice(words.LANGUAGES) if rng.random() < 0.8 else None,
                rng.random() < 0.03,
                created,
                self.instant(created, self.anchor_dt),
            )
        )
        windows = []
        if rng.random() < 0.35:  # office hours
            days = ["MON", "TUE", "WED", "THU", "FRI"] if rng.random() < 0.8 else ["MON", "TUE", "WED", "THU"]
            start, end = rng.choice(
                ((clock(9), clock(17)), (clock(8, 30), clock(12)), (clock(10), clock(16, 30)))
            )
            windows.append(("PREFERRED", days, None, start, end, None, None, "office hours"))
        if rng.random() < 0.15:  # a week of the month away
            weeks, note = rng.choice((([3], "on vacation"), ([1], "month-end close"), ([4, 5], "travels")))
            windows.append(("BLACKOUT", None, weeks, None, None, None, None, note))
        if rng.random() < 0.05:  # a date range away
            start_day = self.anchor + timedelta(days=rng.randint(-120, 60))
            until = start_day + timedelta(days=rng.randint(5, 40))
            note = rng.choice(("parental leave", "sabbatical", "holidays"))
            windows.append(("BLACKOUT", None, None, None, None, start_day, until, note))
        if rng.random() < 0.05:
            windows.append(
                ("BLACKOUT", ["FRI"], None, clock(13), clock(18), None, None, "no calls on Friday afternoons")
            )
        for i, window in enumerate(windows):
            self.rows["contact_windows"].append((acct.id, contact_id, i, *window))

    def phone(self) -> str:
        rng = self.rng
        country = rng.choice((44, 49, 33, 1, 31, 34))
        return f"+{country} 555 {rng.randrange(1000, 9999)} {rng.randrange(100, 999)}"

    def invoice(self, acct: Acct) -> None:
        rng = self.rng
        self.invoice_seq += 1
        number = f"INV-{self.invoice_seq:07d}"
        due = self.anchor - timedelta(days=rng.randint(-61, 3 * 365))
        issued = min(
            due - timedelta(days=rng.choice((14, 30, 30, 30, 45, 60))),
            self.anchor - timedelta(days=rng.randint(0, 5)),
        )
        issued = min(issued, due)
        past = (self.anchor - due).days
        bucket = "future" if past < 0 else "0-30" if past <= 30 else "31-90" if past <= 90 else "91+"
        status = _pick(rng, _STATUS[acct.profile][bucket])
        currency = (
            acct.currencies[0] if len(acct.currencies) == 1 or rng.random() < 0.7 else acct.currencies[1]
        )
        total = self.money(1800 * acct.weight**0.3, 1.0)
        paid_on = None
        if status in ("PAID", "VOID", "WRITTEN_OFF") or status == "PARTIALLY_PAID":
            balance = (
                Decimal(0)
                if status != "PARTIALLY_PAID"
                else (total * Decimal(rng.uniform(0.1, 0.9))).quantize(CENTS)
            )
            if status in ("PAID", "PARTIALLY_PAID"):
                paid_on = min(self.anchor, max(issued, due + timedelta(days=round(rng.gauss(4, 12)))))
        else:
            balance = total
        created = datetime.combine(issued, clock(8), UTC) + timedelta(minutes=rng.randint(0, 600))
        updated = datetime.combine(paid_on, clock(9), UTC) if paid_on else created
        inv = Inv(self.new_id(), number, currency, total, balance, status, issued, due, paid_on)
        acct.invoices.append(inv)
        self.rows["invoices"].append(
            (
                acct.id,
                inv.id,
                number,
                "erp",
                number,
                issued,
                due,
                currency,
                total,
                balance,
                status,
                created,
                updated,
            )
        )

    # ---------------------------------------------------------------------------- entries
    def entries(self) -> Iterator[tuple]:
        """Every entry, account by account; side tables fill up as it goes."""
        rng = self.rng
        counts = allocate(rng, self.config.count("entries"), [a.weight for a in self.accounts], 5)
        for acct, count in zip(self.accounts, counts, strict=True):
            yield from self.account_entries(acct, count)

    def author(self, *teams: str) -> tuple[uuid.UUID, str]:
        team = self.rng.choice(teams)
        return self.rng.choice(self.users_by_team[team]), team

    def account_entries(self, acct: Acct, count: int) -> Iterator[tuple]:
        rng = self.rng
        kinds = _KINDS[acct.profile]
        payable = [inv for inv in acct.invoices if inv.paid_on is not None]
        rng.shuffle(payable)
        for _ in range(count):
            kind = _pick(rng, kinds)
            if kind == "PAYMENT" and not payable:
                kind = "NOTE"
            row = [None] * len(ENTRY_COLUMNS)
            entry_id = self.new_id()
            occurred = self.instant(self.start_dt, self.anchor_dt)
            slots = Slots(self, account=acct.name, currency=acct.currencies[0])
            slots.account = acct  # type: ignore[attr-defined]
            contact = None
            links: list[Inv] = []
            tags: list[str] = []
            visibility = "ALL_TEAMS"
            if kind in _TEMPLATES:  # notes, interactions, follow-ups
                if kind == "NOTE":
                    author, team = self.author("SALES", "SERVICE", "AR", "AR")
                elif kind == "MEETING":
                    author, team = self.author("SALES", "SALES", "SERVICE")
                elif kind == "FOLLOW_UP":
                    author, team = self.author("AR", "AR", "SALES")
                else:
                    author, team = self.author("AR", "AR", "SALES", "SERVICE")
                if kind != "FOLLOW_UP" and acct.contacts and rng.random() < (0.4 if kind == "NOTE" else 0.85):
                    contact, slots["first"], slots["last"] = rng.choice(acct.contacts)
                summary = rng.choice(_TEMPLATES[kind]).format_map(slots)
                if kind in ("CALL", "EMAIL", "MEETING", "LETTER", "SMS"):
                    row[_E["direction"]] = "OUTBOUND" if rng.random() < 0.65 else "INBOUND"
                    if kind == "CALL":
                        row[_E["outcome"]] = _pick(rng, _CALL_OUTCOMES)
                    elif kind == "EMAIL" and rng.random() < 0.15:
                        row[_E["outcome"]] = "BOUNCED" if rng.random() < 0.2 else "REACHED"
                    elif kind == "MEETING":
                        row[_E["outcome"]] = "REACHED"
                elif kind == "FOLLOW_UP":
                    due_at = occurred + timedelta(days=rng.randint(1, 14))
                    row[_E["due_at"]] = due_at
                    row[_E["assignee_id"]] = rng.choice(self.people)
                    row[_E["done"]] = due_at < self.anchor_dt - timedelta(days=3) and rng.random() < 0.93
                links = slots.linked[:1]
                if team == "AR" and rng.random() < 0.05:
                    visibility = "RESTRICTED"
            elif kind == "NEWS":
                author, team = self.author("SALES", "SALES", "SALES", "SERVICE")
                category = _pick(rng, _NEWS_CATEGORIES[acct.profile])
                row[_E["category"]] = category
                summary = rng.choice(words.NEWS[category]).format_map(slots)
                if category in ("DOWNSIZING", "FINANCIAL_DIFFICULTY"):
                    tags.append("at-risk")
            elif kind == "PROMISE_TO_PAY":
                author, team = self.author("AR")
                links = self.open_at(acct, occurred.date(), rng.choice((1, 1, 2)))
                currency = links[0].currency if links else acct.currencies[0]
                amount = sum((i.total for i in links), Decimal(0)) or self.money(2000)
                if rng.random() < 0.3:
                    amount = (amount * Decimal(rng.uniform(0.3, 0.9))).quantize(CENTS)
                promised = occurred.date() + timedelta(days=rng.randint(3, 30))
                grace = rng.choice((3, 3, 3, 3, 0, 5, 7))
                summary = f"Promise to pay {amount:.2f} {currency} by {promised}"
                row[_E["amount"]], row[_E["currency"]] = amount, currency
                row[_E["promised_for"]], row[_E["grace_days"]] = promised, grace
                if rng.random() < 0.05:
                    row[_E["cancelled_at"]] = occurred + timedelta(days=rng.randint(1, 5))
                if acct.contacts and rng.random() < 0.6:
                    contact, slots["first"], slots["last"] = rng.choice(acct.contacts)
            elif kind == "DISPUTE":
                author, team = self.author("SERVICE", "AR")
                disputed = [i for i in acct.invoices if i.status == "DISPUTED"]
                inv = rng.choice(disputed) if disputed and rng.random() < 0.7 else rng.choice(acct.invoices)
                links = [inv]
                reason = rng.choice(list(words.DISPUTE_TEXTS))
                slots["invoice"] = inv.number
                summary = words.DISPUTE_TEXTS[reason].format_map(slots)
                recent = occurred > self.anchor_dt - timedelta(days=60)
                status = "OPEN" if inv.status == "DISPUTED" or (recent and rng.random() < 0.5) else None
                if status is None:
                    status = "RESOLVED" if rng.random() < 0.7 else "REJECTED"
                    row[_E["resolved_at"]] = min(
                        self.anchor_dt, occurred + timedelta(days=rng.randint(3, 40))
                    )
                    row[_E["resolution"]] = rng.choice(words.RESOLUTIONS)
                row[_E["dispute_reason"]], row[_E["dispute_status"]] = reason, status
                if rng.random() < 0.6:
                    row[_E["amount"]] = (inv.total * Decimal(rng.uniform(0.1, 1.0))).quantize(CENTS)
                    row[_E["currency"]] = inv.currency
                if acct.contacts and rng.random() < 0.5:
                    contact, slots["first"], slots["last"] = rng.choice(acct.contacts)
            elif kind == "PAYMENT_PLAN":
                author, team = self.author("AR")
                currency = acct.currencies[0]
                links = [i for i in self.open_at(acct, occurred.date(), 3) if i.currency == currency]
                parts = rng.randint(2, 6)
                total = sum((i.total for i in links), Decimal(0)) or self.money(6000)
                each = (total / parts).quantize(CENTS)
                first_due = occurred.date() + timedelta(days=30)
                plan = [
                    {"dueOn": (first_due + timedelta(days=30 * k)).isoformat(), "amount": str(each)}
                    for k in range(parts)
                ]
                summary = f"Payment plan: {parts} installments, {each * parts:.2f} {currency} in all"
                row[_E["currency"]], row[_E["installments"]] = currency, json.dumps(plan)
            elif kind == "INVOICE_STATUS":
                author, team = None, "INTEGRATION"
                inv = rng.choice(acct.invoices)
                links = [inv]
                if inv.status in ("OPEN", "DRAFT") or rng.random() < 0.25:
                    before, after = None, inv.status
                    occurred = datetime.combine(inv.issued_on, clock(6), UTC) + timedelta(
                        minutes=rng.randint(0, 300)
                    )
                else:
                    before = "PARTIALLY_PAID" if inv.status == "PAID" and rng.random() < 0.1 else "OPEN"
                    after = inv.status
                    day = inv.paid_on or min(self.anchor, inv.due_on + timedelta(days=rng.randint(-10, 60)))
                    occurred = datetime.combine(max(day, inv.issued_on), clock(5), UTC) + timedelta(
                        minutes=rng.randint(0, 600)
                    )
                occurred = min(occurred, self.anchor_dt)
                summary = status_change_summary(inv.number, before, after)
                row[_E["from_status"]], row[_E["to_status"]] = before, after
            elif kind == "PAYMENT":
                author, team = self.author("INTEGRATION", "INTEGRATION", "AR")
                inv = payable.pop()
                links = [inv]
                amount = inv.total - inv.balance if inv.status == "PARTIALLY_PAID" else inv.total
                occurred = min(
                    self.anchor_dt,
                    datetime.combine(inv.paid_on, clock(7), UTC) + timedelta(minutes=rng.randint(0, 600)),
                )
                payment_id = self.new_id()
                method = rng.choice(words.METHODS)
                reference = f"RF{rng.randrange(10**9):09d} {inv.number}"
                self.rows["payments"].append(
                    (
                        acct.id,
                        payment_id,
                        amount,
                        inv.currency,
                        inv.paid_on,
                        method,
                        reference,
                        author,
                        occurred,
                    )
                )
                self.rows["payment_allocations"].append((acct.id, payment_id, inv.id, amount))
                summary = f"Payment of {amount:.2f} {inv.currency} received"
                row[_E["amount"]], row[_E["currency"]], row[_E["received_on"]] = (
                    amount,
                    inv.currency,
                    inv.paid_on,
                )
                row[_E["method"]], row[_E["reference"]], row[_E["payment_id"]] = method, reference, payment_id
            else:  # pragma: no cover
                raise AssertionError(kind)
            body = self.body(slots, kind) if kind not in ("INVOICE_STATUS", "PAYMENT") else None
            if kind in ("NOTE", "CALL", "EMAIL", "MEETING") and rng.random() < 0.25:
                tags.extend(rng.sample(words.TAGS, rng.choice((1, 1, 2))))
            recorded = occurred + timedelta(seconds=rng.randint(0, 7200) if author else rng.randint(0, 30))
            row[_E["account_id"]], row[_E["id"]], row[_E["kind"]] = acct.id, entry_id, kind
            row[_E["occurred_at"]], row[_E["recorded_at"]] = occurred, recorded
            row[_E["author_id"]], row[_E["team"]], row[_E["summary"]], row[_E["body"]] = (
                author,
                team,
                summary,
                body,
            )
            row[_E["contact_id"]], row[_E["tags"]], row[_E["visibility"]] = contact, tags, visibility
            row[_E["pinned"]], row[_E["revision"]] = False, 1
            roll = rng.random()
            if roll < 0.004 and author is not None:
                row[_E["pinned"]] = True
            elif roll < 0.007 and author is not None:
                row[_E["deleted_at"]] = recorded + timedelta(hours=rng.randint(1, 200))
                row[_E["deleted_by"]], row[_E["delete_reason"]] = author, rng.choice(words.DELETE_REASONS)
            elif roll < 0.012 and author is not None:
                edited = recorded + timedelta(hours=rng.randint(1, 100))
                row[_E["revision"]], row[_E["edited_by"]], row[_E["edited_at"]] = 2, author, edited
                self.rows["entry_revisions"].append(
                    (acct.id, entry_id, 1, summary + " (draft)", body, tags, author, recorded)
                )
            for inv in dict.fromkeys(links):
                self.rows["entry_invoices"].append((acct.id, entry_id, inv.id))
            yield tuple(row)

    def open_at(self, acct: Acct, day: date, most: int) -> list[Inv]:
        """Up to `most` invoices of the account that were issued by `day` and not yet settled on it."""
        candidates = [
            i for i in acct.invoices if i.issued_on <= day and (i.paid_on is None or i.paid_on >= day)
        ]
        if not candidates:
            return []
        return self.rng.sample(candidates, min(most, len(candidates)))


# ------------------------------------------------------------------------------------------- loading


async def _copy(conn: asyncpg.Connection, table: str, rows, timings: dict[str, float]) -> int:
    started = time.perf_counter()
    status = await conn.copy_records_to_table(table, records=rows, columns=list(TABLE_COLUMNS[table]))
    timings[table] = time.perf_counter() - started
    return int(status.split()[-1])


async def _inbox(conn: asyncpg.Connection, anchor: datetime, timings: dict[str, float]) -> int:
    """The items the write path would have written (domain/inbox.py's rule, restated for the whole seed):
    ASSIGNED follow-ups, and news, promises and disputes for the account's owners; nobody's own, nothing
    RESTRICTED for SALES. Items older than a week were read a day after they came."""
    started = time.perf_counter()
    status = await conn.execute(
        """
        INSERT INTO inbox_items (user_id, seq, account_id, entry_id, reason, created_at, read_at,
                                 entry_visibility, entry_deleted_at)
        SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY recorded_at, entry_id),
               account_id, entry_id, reason, recorded_at,
               CASE WHEN recorded_at < $1::timestamptz - interval '7 days'
                    THEN recorded_at + interval '1 day' END, visibility, deleted_at
          FROM (
            SELECT DISTINCT ON (user_id, entry_id)
                   user_id, account_id, entry_id, reason, recorded_at, visibility, deleted_at
              FROM (
                SELECT e.assignee_id AS user_id, e.account_id, e.id AS entry_id, 'ASSIGNED' AS reason,
                       e.recorded_at, e.visibility, e.deleted_at, 1 AS strength
                  FROM entries e JOIN users u ON u.id = e.assignee_id
                 WHERE e.kind = 'FOLLOW_UP' AND e.assignee_id IS DISTINCT FROM e.author_id
                   AND (e.visibility = 'ALL_TEAMS' OR u.team IN ('AR', 'ADMIN'))
                UNION ALL
                SELECT o.user_id, e.account_id, e.id,
                       CASE WHEN e.kind = 'DISPUTE' THEN 'DISPUTE_OPENED' ELSE 'FOLLOWED_ACTIVITY' END,
                       e.recorded_at, e.visibility, e.deleted_at, 2
                  FROM entries e JOIN account_owners o ON o.account_id = e.account_id
                 WHERE e.kind IN ('NEWS', 'PROMISE_TO_PAY', 'DISPUTE')
                   AND o.user_id IS DISTINCT FROM e.author_id
                   AND (e.visibility = 'ALL_TEAMS' OR o.team IN ('AR', 'ADMIN'))
              ) AS reasons
             ORDER BY user_id, entry_id, strength
          ) AS items
        """,
        anchor,
    )
    await conn.execute(
        "UPDATE users u SET inbox_seq = i.top FROM (SELECT user_id, max(seq) AS top FROM inbox_items"
        " GROUP BY user_id) AS i WHERE u.id = i.user_id"
    )
    timings["inbox_items"] = time.perf_counter() - started
    return int(status.split()[-1])


async def _load(url: str, config: Config) -> dict:
    gen = Generator(config)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    started = time.perf_counter()
    gen.users()
    gen.accounts_and_children()
    timings["generate parents"] = time.perf_counter() - started
    conn = await asyncpg.connect(url)
    try:
        # Bulk load: skip per-row FK triggers where we may (the generator keeps every reference valid).
        try:
            await conn.execute("SET session_replication_role = replica")
        except asyncpg.InsufficientPrivilegeError:
            print("  (not a superuser: foreign keys are checked row by row, the load is slower)")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        async with conn.transaction():
            for table in (
                "users",
                "accounts",
                "account_owners",
                "account_refs",
                "contacts",
                "contact_windows",
                "preferences",
                "invoices",
            ):
                counts[table] = await _copy(conn, table, gen.rows[table], timings)
            counts["entries"] = await _copy(conn, "entries", gen.entries(), timings)
            for table in ("entry_revisions", "entry_invoices", "payments", "payment_allocations"):
                counts[table] = await _copy(conn, table, gen.rows[table], timings)
            counts["inbox_items"] = await _inbox(conn, gen.anchor_dt, timings)
        await conn.execute("RESET session_replication_role")
        vacuum_started = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE)")
        timings["vacuum analyze"] = time.perf_counter() - vacuum_started
        summary_started = time.perf_counter()
        await summarise(conn)
        timings["receivables summary"] = time.perf_counter() - summary_started
    finally:
        await conn.close()
    return {"counts": counts, "timings": {k: round(v, 2) for k, v in timings.items()}}


async def _database_meta(server_url: str, database: str) -> dict | None:
    conn = await asyncpg.connect(server_url)
    try:
        comment = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", database
        )
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
    finally:
        await conn.close()
    if not exists:
        return None
    try:
        return json.loads(comment or "{}")
    except ValueError:
        return {}


async def _recreate(server_url: str, database: str) -> None:
    await drop(server_url, database)
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def _set_meta(server_url: str, database: str, meta: dict) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        literal = json.dumps(meta).replace("'", "''")
        await conn.execute(f"COMMENT ON DATABASE \"{database}\" IS '{literal}'")
    finally:
        await conn.close()


async def drop(server_url: str, database: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


async def summarise(conn: asyncpg.Connection) -> None:
    """Fill the receivables summary for today, as the worker's day pass would.

    COPY and the deletes here bypass the write path that keeps it, so the
    summary is rebuilt whole; today, not the anchor, because the worker the
    benchmark starts moves it to today, and the queue scenario asks for today.
    """
    await conn.execute("UPDATE receivables_summary_day SET as_of = NULL")
    await receivables_summary.move_day(conn, datetime.now(UTC).date())
    await conn.execute("ANALYZE receivables_summary")


async def forget_bench_writes(url: str) -> None:
    """Remove what earlier benchmark runs wrote through the API, so every run starts from the seed."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            bench_users = "SELECT id FROM users WHERE email LIKE 'bench-%@localhost'"
            for table in ("inbox_items", "entry_mentions"):
                await conn.execute(
                    f"DELETE FROM {table} t USING entries e WHERE e.account_id = t.account_id"
                    f" AND e.id = t.entry_id AND e.author_id IN ({bench_users})"
                )
            await conn.execute(
                f"DELETE FROM entry_invoices ei USING entries e WHERE e.account_id = ei.account_id"
                f" AND e.id = ei.entry_id AND e.author_id IN ({bench_users})"
            )
            await conn.execute(
                f"DELETE FROM entry_revisions r USING entries e WHERE e.account_id = r.account_id"
                f" AND e.id = r.entry_id AND e.author_id IN ({bench_users})"
            )
            deleted = await conn.execute(f"DELETE FROM entries WHERE author_id IN ({bench_users})")
            # upsertInvoices' invoices, and the status-change entries the service wrote for them.
            status_entries = await conn.execute(
                """
                WITH unlinked AS (
                    DELETE FROM entry_invoices ei USING invoices i
                     WHERE i.account_id = ei.account_id AND i.id = ei.invoice_id AND i.ext_system = $1
                    RETURNING ei.account_id, ei.entry_id)
                DELETE FROM entries e USING unlinked u WHERE e.account_id = u.account_id AND e.id = u.entry_id
                """,
                invoice_feed.SYSTEM,
            )
            await conn.execute("DELETE FROM invoices WHERE ext_system = $1", invoice_feed.SYSTEM)
            await conn.execute(f"DELETE FROM idempotency_keys WHERE user_id IN ({bench_users})")
            # The seed writes no audit or outbox rows: whatever is there came from benchmark runs.
            await conn.execute("TRUNCATE audit_log, outbox")
        if int(deleted.split()[-1]) + int(status_entries.split()[-1]) > 1000:
            await conn.execute("VACUUM (ANALYZE) entries, invoices, entry_invoices")
        await summarise(conn)
    finally:
        await conn.close()


async def ensure_seeded(server_url: str, config: Config, database: str = DATABASE) -> tuple[str, dict]:
    """The URL of a seeded `database`; seeds it unless the same seed/scale is already there."""
    url = with_database(server_url, database)
    wanted = config.meta()
    found = await _database_meta(server_url, database)
    if found and all(found.get(k) == v for k, v in wanted.items()) and found.get("complete"):
        head = migrate.head_revision()
        if found.get("head") != head:
            await asyncio.to_thread(migrate.upgrade, url)
            found = {**found, "head": head}
            await _set_meta(server_url, database, found)
        await forget_bench_writes(url)
        print(
            f"reusing {database} (seed {config.seed}, scale {config.scale}, seeded in {found['seconds']} s)"
        )
        return url, {**found, "reused": True}
    print(f"seeding {database}: seed {config.seed}, scale {config.scale}, anchor {config.anchor}")
    started = time.perf_counter()
    await _recreate(server_url, database)
    await asyncio.to_thread(migrate.upgrade, url)
    migrated = time.perf_counter() - started
    loaded = await _load(url, config)
    seconds = time.perf_counter() - started
    meta = {
        **wanted,
        "head": migrate.head_revision(),
        **loaded,
        "migrate_seconds": round(migrated, 2),
        "seconds": round(seconds, 2),
        "complete": True,
    }
    await _set_meta(server_url, database, meta)
    for table, count in loaded["counts"].items():
        print(f"  {table:<20}{count:>10,}  {loaded['timings'].get(table, 0):6.1f} s")
    print(f"seeded in {seconds:.1f} s")
    return url, {**meta, "reused": False}


def main() -> None:
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        sys.exit("DATABASE_URL is not set: run through `.venv/bin/rapport stack -- ...`")
    config = Config.from_env()
    asyncio.run(ensure_seeded(server_url, config, name_from_env(config.scale)))


if __name__ == "__main__":
    main()
