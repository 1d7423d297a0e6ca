"""A small world with every shape a read can meet, written through the product's own mutations.

Three named accounts and a dozen plain ones. The main account holds every entry
kind (interactions of each channel, news, promises kept, broken, partly paid and
cancelled, disputes open, resolved and rejected, a payment plan, payments,
invoice status changes, follow-ups open and done), RESTRICTED entries of each
kind that can be restricted, edited, pinned and deleted entries, entries that
share an instant (so cursors must break ties by id), and text that JSON encoders
disagree about. Users of every team, with awkward names, write them.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from domain.teams import Team

ODD = 'Zoë "quoted" \\ back\\slash\nnew line\ttab ü ñ 漢字 🚀💳 \u2028 </script> \' apostrophe'
ERRORS = "userErrors { code message field }"
ENTRY = f"entry {{ id }} {ERRORS}"
UPSERT_ACCOUNTS = f"""
mutation($input: [AccountUpsertInput!]!) {{ upsertAccounts(input: $input) {{ accounts {{ id }} {ERRORS} }} }}
"""
UPSERT_INVOICES = f"""
mutation($input: [InvoiceUpsertInput!]!) {{ upsertInvoices(input: $input) {{ invoices {{ id }} {ERRORS} }} }}
"""
DELETE_ENTRY = f"""
mutation($id: ID!, $reason: String!) {{ deleteEntry(id: $id, reason: $reason) {{ deletedId {ERRORS} }} }}
"""
TODAY = datetime.now(UTC).date()


@dataclass
class World:
    """The ids, cursors and values a test may ask about."""

    users: dict[Team, str] = field(default_factory=dict)  # team -> User global id
    owner_names: dict[Team, str] = field(default_factory=dict)
    main: str = ""
    second: str = ""
    bare: str = ""
    plain: list[str] = field(default_factory=list)
    refs: dict[str, dict] = field(default_factory=dict)  # account id -> one of its external refs
    contacts: list[str] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)
    entries: dict[str, str] = field(default_factory=dict)  # label -> entry id
    restricted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=lambda: ["vip", "late payer", ODD[:6], 'q"x'])
    instants: list[str] = field(default_factory=list)  # occurredAt values used, for since/until
    cursors: dict[str, list[str]] = field(default_factory=dict)  # list name -> cursors it gave out

    def __repr__(self) -> str:
        return "World(...)"

    def nodes(self) -> list[str]:
        return [
            *self.users.values(),
            self.main,
            self.second,
            self.bare,
            *self.contacts,
            *self.invoices,
            *self.entries.values(),
        ]


class Writer:
    """Sends mutations to one app as one user per team; every mutation must succeed."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict[Team, str]) -> None:
        self.http = http
        self.tokens = tokens

    async def gql(self, document: str, variables: dict, team: Team = Team.ADMIN) -> dict:
        response = await self.http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {self.tokens[team]}"},
        )
        body = response.json()
        assert "errors" not in body, (document, variables, body)
        (payload,) = body["data"].values()
        assert payload.get("userErrors", []) == [], (document, variables, payload)
        return payload

    async def mutate(self, name: str, input_type: str, selection: str, value: dict, team: Team = Team.ADMIN):
        document = f"mutation($input: {input_type}) {{ {name}(input: $input) {{ {selection} }} }}"
        return await self.gql(document, {"input": value}, team)

    async def entry(self, name: str, input_type: str, value: dict, team: Team = Team.ADMIN) -> str:
        return (await self.mutate(name, input_type, ENTRY, value, team))["entry"]["id"]


def instant(days: int, micro: bool = True, hour: int = 9) -> str:
    moment = datetime(2025, 6, 1, hour, 30, 15, 123456 if micro else 0, tzinfo=UTC) + timedelta(days=days)
    return moment.isoformat()


async def build(writer: Writer, users: dict[Team, str]) -> World:
    world = World(users=users)
    run = uuid.uuid4().hex[:6]
    await _accounts(writer, world, run)
    await _parties(writer, world)
    await _invoices(writer, world, run)
    await _entries(writer, world)
    await _changes(writer, world)
    return world


async def _accounts(writer: Writer, world: World, run: str) -> None:
    async def create(value: dict, team: Team = Team.ADMIN) -> str:
        payload = await writer.mutate(
            "createAccount", "CreateAccountInput!", f"account {{ id }} {ERRORS}", value, team
        )
        return payload["account"]["id"]

    main_ref = {"system": "erp", "id": f"M-{run}"}
    world.main = await create(
        {
            "name": f"Main {ODD}",
            "externalRefs": [main_ref, {"system": "crm", "id": f'c"{run}\\'}],
            "ownerId": world.users[Team.SALES],
            "tags": ["vip", ODD[:6]],
            "timeZone": "Europe/Berlin",
        }
    )
    world.refs[world.main] = main_ref
    second_ref = {"system": "erp", "id": f"S-{run}"}
    world.second = await create(
        {
            "name": "Second account",
            "externalRefs": [second_ref],
            "ownerId": world.users[Team.AR],
            "status": "ON_HOLD",
        },
        Team.SERVICE,
    )
    world.refs[world.second] = second_ref
    world.bare = await create({"name": "Bare"}, Team.SALES)
    statuses = ["ACTIVE", "ON_HOLD", "CLOSED"]
    for i in range(12):
        ref = {"system": "erp", "id": f"P{i:02d}-{run}"}
        upserted = await writer.gql(
            UPSERT_ACCOUNTS,
            {
                "input": [
                    {
                        "externalRef": ref,
                        "name": f"Plain {i:02d} {'same name' if i in (3, 4, 5) else run}",
                        "tags": world.tags[: i % 4],
                        "status": statuses[i % 3],
                        "timeZone": "America/New_York" if i % 2 else None,
                    }
                ]
            },
            Team.SALES if i % 2 else Team.ADMIN,
        )
        world.plain.append(upserted["accounts"][0]["id"])
        world.refs[world.plain[-1]] = ref
    # An owner on one plain account, after the fact, through updateAccount.
    await writer.mutate(
        "updateAccount",
        "UpdateAccountInput!",
        f"account {{ id }} {ERRORS}",
        {"id": world.plain[0], "expectedVersion": 1, "ownerId": world.users[Team.SERVICE], "tags": ["vip"]},
    )


async def _parties(writer: Writer, world: World) -> None:
    async def contact(value: dict) -> str:
        payload = await writer.mutate(
            "createContact", "CreateContactInput!", f"contact {{ id }} {ERRORS}", value
        )
        return payload["contact"]["id"]

    world.contacts.append(
        await contact(
            {
                "accountId": world.main,
                "name": f"Dana {ODD}",
                "title": "CFO",
                "roles": ["BILLING", "DECISION_MAKER"],
                "email": "dana@example.com",
                "phone": "+49 30 1234567",
                "preferredChannel": "EMAIL",
                "timeZone": "Asia/Kolkata",
                "language": "de",
                "windows": [
                    {
                        "kind": "PREFERRED",
                        "daysOfWeek": ["MON", "WED"],
                        "startTime": "09:00",
                        "endTime": "11:30",
                    },
                    {"kind": "BLACKOUT", "fromDate": "2025-07-01", "untilDate": "2025-07-14", "note": ODD},
                    {"kind": "PREFERRED", "weeksOfMonth": [1, 3], "daysOfWeek": ["FRI"]},
                ],
            }
        )
    )
    world.contacts.append(await contact({"accountId": world.main, "name": "Minimal"}))
    world.contacts.append(
        await contact({"accountId": world.main, "name": "Do not call", "doNotContact": True, "phone": "555"})
    )
    world.contacts.append(
        await contact({"accountId": world.second, "name": "Other account's", "roles": ["OTHER"]})
    )
    for key, value, note in (("channel", "email only", None), ("language", ODD, "said on the phone")):
        await writer.mutate(
            "setPreference",
            "SetPreferenceInput!",
            f"account {{ id }} {ERRORS}",
            {"accountId": world.main, "key": key, "value": value, "note": note},
            Team.SERVICE,
        )


async def _invoices(writer: Writer, world: World, run: str) -> None:
    main_ref = world.refs[world.main]
    rows = [
        ("INV-1", -60, "1200.50", "1200.50", "OPEN", "EUR"),
        ("INV-2", -40, "300.00", "120.00", "PARTIALLY_PAID", "EUR"),
        ("INV-3", -20, "99.99", "0", "PAID", "EUR"),
        ("INV-4", 10, "0.10", "0.10", "DRAFT", "USD"),
        (f'INV-"5" {ODD[:12]}', 30, "1000000.00", "1000000.00", "OPEN", "JPY"),
        ("INV-6", -5, "50.00", "50.00", "OPEN", "EUR"),
    ]
    value = [
        {
            "externalRef": {"system": "billing", "id": f"{number}-{run}"},
            "accountRef": main_ref,
            "number": number,
            "issuedOn": (TODAY + timedelta(days=days - 30)).isoformat(),
            "dueOn": (TODAY + timedelta(days=days)).isoformat(),
            "currency": currency,
            "total": total,
            "balance": balance,
            "status": status,
        }
        for number, days, total, balance, status, currency in rows
    ]
    value.append(
        {
            **value[0],
            "externalRef": {"system": "billing", "id": f"O-{run}"},
            "accountRef": world.refs[world.second],
            "number": "OTHER-1",
        }
    )
    payload = await writer.gql(
        UPSERT_INVOICES,
        {"input": value},
        Team.AR,
    )
    world.invoices = [invoice["id"] for invoice in payload["invoices"]]
    # A status change the billing system reports: an INVOICE_STATUS entry written by the service.
    value[5]["status"] = "DISPUTED"
    await writer.gql(
        UPSERT_INVOICES,
        {"input": [value[5]]},
        Team.ADMIN,
    )


async def _entries(writer: Writer, world: World) -> None:
    main, inv, contacts = world.main, world.invoices, world.contacts

    async def note(label: str, team: Team = Team.ADMIN, **value) -> str:
        entry_id = await writer.entry(
            "logNote", "LogNoteInput!", {"accountId": value.pop("account", main), **value}, team
        )
        world.entries[label] = entry_id
        if value.get("visibility") == "RESTRICTED":
            world.restricted.append(entry_id)
        if "occurredAt" in value:
            world.instants.append(value["occurredAt"])
        return entry_id

    await note(
        "note odd",
        Team.SALES,
        summary=ODD,
        body=ODD,
        tags=["vip", ODD[:6]],
        contactId=contacts[0],
        invoiceIds=[inv[0], inv[1]],
        occurredAt=instant(0),
    )
    await note("note plain", Team.SERVICE, summary="plain note", occurredAt=instant(1, micro=False))
    await note(
        "note restricted",
        Team.AR,
        summary="restricted note",
        body="only AR",
        visibility="RESTRICTED",
        invoiceIds=[inv[0]],
        contactId=contacts[1],
        occurredAt=instant(2),
    )
    await note("note offset", Team.ADMIN, summary="offset time", occurredAt="2025-06-05T23:59:59.5+05:30")
    await note("note future", Team.ADMIN, summary="in the future", occurredAt=instant(400))
    await note("note now", Team.SALES, summary="now, recorded time")
    for i in range(5):  # one instant, five entries: pages must break the tie by id
        await note(f"tie {i}", Team.SALES, summary=f"tie {i}", occurredAt=instant(3, hour=12), tags=["tie"])
    for i in range(24):  # enough for several pages
        restricted = i % 7 == 3
        team = Team.AR if restricted else [Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN][i % 4]
        await note(
            f"filler {i}",
            team,
            summary=f"filler {i}",
            occurredAt=instant(-i - 1, micro=bool(i % 2)),
            visibility="RESTRICTED" if restricted else None,
        )
    await note(
        "second note",
        Team.SALES,
        account=world.second,
        summary="on the second account",
        occurredAt=instant(5),
    )

    for i, kind in enumerate(("CALL", "EMAIL", "MEETING", "LETTER", "SMS")):
        value = {
            "accountId": main,
            "kind": kind,
            "direction": "INBOUND" if i % 2 else "OUTBOUND",
            "summary": f"{kind.lower()} {ODD[:8]}",
            "outcome": [None, "REACHED", "LEFT_MESSAGE", "NO_ANSWER", "BOUNCED"][i],
            "contactId": contacts[i % 3] if i != 4 else None,
            "invoiceIds": [inv[i % len(inv)]] if i % 2 else None,
            "occurredAt": instant(10 + i, micro=bool(i % 2)),
            "tags": ["call"] if kind == "CALL" else None,
        }
        team = [Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN, Team.SALES][i]
        world.entries[kind.lower()] = await writer.entry(
            "logInteraction", "LogInteractionInput!", value, team
        )
        world.instants.append(value["occurredAt"])
    world.entries["call restricted"] = await writer.entry(
        "logInteraction",
        "LogInteractionInput!",
        {
            "accountId": main,
            "kind": "CALL",
            "direction": "OUTBOUND",
            "summary": "restricted call",
            "visibility": "RESTRICTED",
            "contactId": contacts[0],
            "occurredAt": instant(16),
        },
        Team.AR,
    )
    world.restricted.append(world.entries["call restricted"])
    for category, visibility in (("LEADERSHIP_CHANGE", None), ("FINANCIAL_DIFFICULTY", "RESTRICTED")):
        world.entries[f"news {category}"] = await writer.entry(
            "logNews",
            "LogNewsInput!",
            {
                "accountId": main,
                "category": category,
                "summary": f"news {category}",
                "body": None if visibility else ODD,
                "visibility": visibility,
                "occurredAt": instant(20),
                "tags": ["news"],
            },
            Team.ADMIN if visibility else Team.SERVICE,
        )
        if visibility:
            world.restricted.append(world.entries[f"news {category}"])

    for label, amount, days, grace in (
        ("kept", "500.00", 2, 2),
        ("broken", "80.00", -30, 0),
        ("partial", "300.00", 5, None),
        ("cancelled", "1.00", 9, 1),
    ):
        world.entries[f"promise {label}"] = await writer.entry(
            "recordPromise",
            "RecordPromiseInput!",
            {
                "accountId": main,
                "amount": amount,
                "currency": "EUR",
                "promisedFor": (TODAY + timedelta(days=days)).isoformat(),
                "graceDays": grace,
                "invoiceIds": [inv[0]] if label != "partial" else [inv[1], inv[5]],
                "contactId": contacts[0] if label == "kept" else None,
                "summary": None if label == "broken" else f"promise {label} {ODD[:4]}",
            },
            Team.AR,
        )
    world.entries["dispute open"] = await writer.entry(
        "openDispute",
        "OpenDisputeInput!",
        {
            "accountId": main,
            "invoiceIds": [inv[5]],
            "reason": "QUALITY",
            "summary": "bad widgets",
            "amount": "12.34",
            "contactId": contacts[1],
        },
        Team.SERVICE,
    )
    for label, reason in (("resolved", "PRICING"), ("rejected", "DUPLICATE_BILLING")):
        world.entries[f"dispute {label}"] = await writer.entry(
            "openDispute",
            "OpenDisputeInput!",
            {
                "accountId": main,
                "invoiceIds": [inv[0], inv[1]],
                "reason": reason,
                "summary": f"dispute {label}",
            },
            Team.AR,
        )
    world.entries["plan"] = await writer.entry(
        "createPaymentPlan",
        "CreatePaymentPlanInput!",
        {
            "accountId": main,
            "currency": "EUR",
            "invoiceIds": [inv[0]],
            "installments": [
                {"dueOn": (TODAY + timedelta(days=30 * i)).isoformat(), "amount": a}
                for i, a in enumerate(("400.00", "400.25", "400.25"), start=1)
            ],
            "summary": None,
            "body": ODD,
        },
        Team.AR,
    )
    for label, amount, allocations, method, reference in (
        ("payment kept", "500.00", [{"invoiceId": inv[0], "amount": "500.00"}], "wire", 'REF "1"'),
        ("payment partial", "100.10", [{"invoiceId": inv[1], "amount": "100.10"}], None, None),
        ("payment unallocated", "7.5", None, "cash", None),
    ):
        world.entries[label] = await writer.entry(
            "recordPayment",
            "RecordPaymentInput!",
            {
                "accountId": main,
                "amount": amount,
                "currency": "EUR",
                "receivedOn": TODAY.isoformat(),
                "method": method,
                "reference": reference,
                "allocations": allocations,
            },
            Team.AR,
        )
    for label, team, assignee in (
        ("follow-up open", Team.SALES, Team.SERVICE),
        ("follow-up done", Team.AR, None),
    ):
        world.entries[label] = await writer.entry(
            "createFollowUp",
            "CreateFollowUpInput!",
            {
                "accountId": main,
                "summary": label,
                "dueAt": instant(30, micro=False),
                "assigneeId": world.users[assignee] if assignee else None,
                "contactId": contacts[2] if assignee else None,
            },
            team,
        )


async def _changes(writer: Writer, world: World) -> None:
    entries = world.entries

    async def call(document: str, variables: dict, team: Team = Team.ADMIN) -> dict:
        return await writer.gql(document, variables, team)

    pin = f"mutation($id: ID!) {{ pinEntry(id: $id, pinned: true) {{ {ENTRY} }} }}"
    for label in ("note odd", "note restricted", "promise partial", "filler 3", "email", "tie 2"):
        await call(
            pin, {"id": entries[label]}, Team.AR if entries[label] in world.restricted else Team.SERVICE
        )
    edit = f"mutation($input: EditEntryInput!) {{ editEntry(input: $input) {{ {ENTRY} }} }}"
    await call(
        edit,
        {"input": {"id": entries["note odd"], "expectedRevision": 1, "summary": "edited once"}},
        Team.SALES,
    )
    await call(edit, {"input": {"id": entries["note odd"], "expectedRevision": 2, "body": None, "tags": []}})
    await call(
        edit, {"input": {"id": entries["note restricted"], "expectedRevision": 1, "summary": ODD}}, Team.AR
    )
    await call(edit, {"input": {"id": entries["call"], "expectedRevision": 1, "tags": ["call", "edited"]}})
    await call(
        f"mutation($id: ID!) {{ cancelPromise(id: $id) {{ {ENTRY} }} }}",
        {"id": entries["promise cancelled"]},
        Team.AR,
    )
    resolve = f"mutation($input: ResolveDisputeInput!) {{ resolveDispute(input: $input) {{ {ENTRY} }} }}"
    await call(
        resolve,
        {"input": {"id": entries["dispute resolved"], "status": "RESOLVED", "resolution": ODD}},
        Team.AR,
    )
    await call(
        resolve,
        {"input": {"id": entries["dispute rejected"], "status": "REJECTED", "resolution": "no"}},
        Team.AR,
    )
    await call(
        f"mutation($id: ID!) {{ completeFollowUp(id: $id) {{ {ENTRY} }} }}", {"id": entries["follow-up done"]}
    )
    for label in ("filler 3", "filler 5", "tie 4"):  # a pinned one, a plain one, one of a tie
        await call(DELETE_ENTRY, {"id": entries[label], "reason": "duplicate"})
        world.deleted.append(entries.pop(label))
    world.restricted = [entry for entry in world.restricted if entry not in world.deleted]
