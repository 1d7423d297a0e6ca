"""`rapport demo`: twenty customers whose stories show what Rapport is for.

A new user should see the point in GraphiQL within a minute: the collections
queue ranks real-looking accounts and says why; a call brief warns that the
customer is downsizing (sales heard it), that the last promise broke, that an
invoice is disputed (service opened it), that the only AP clerk is on vacation
the third week of every month. Every date is relative to today, so the story
is always current; everything else is fixed, so two loads tell the same story.

The data goes through the same store functions as the mutations, with their
audit and outbox rows, so the index worker makes it searchable. It loads in
one transaction, once: accounts with external refs in the system "demo" mean
it is already there.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg

from domain.teams import Team
from store import accounts, changes, contacts, entries, invoices, preferences, users

SYSTEM = "demo"
TERMS_DAYS = 30  # every demo invoice is due 30 days after it was issued


class AlreadyLoaded(Exception):
    """The demo's accounts are in this database already."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    name: str
    team: Team


USERS = {
    "sam": DemoUser("sam.sales@demo.example", "Sam Patel", Team.SALES),
    "sue": DemoUser("sue.service@demo.example", "Sue Okafor", Team.SERVICE),
    "ada": DemoUser("ada.ar@demo.example", "Ada Lindqvist", Team.AR),
    "erp": DemoUser("erp.sync@demo.example", "ERP sync", Team.INTEGRATION),
}


@dataclass(frozen=True, slots=True)
class Window:
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
    windows: tuple[Window, ...] = ()


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


_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI")

CUSTOMERS: tuple[Customer, ...] = (
    Customer(
        ref="northwind",
        name="Northwind Traders",
        time_zone="Europe/London",
        currency="GBP",
        tags=("manufacturing", "uk", "key-account"),
        people=(
            Person(
                "Margaret Pike",
                "Accounts Payable Manager",
                ("ACCOUNTS_PAYABLE", "BILLING"),
                "margaret.pike@northwind.example",
                "+44 113 496 0101",
                "EMAIL",
                "en",
            ),
            Person(
                "Tom Hale",
                "Operations Director",
                ("DECISION_MAKER",),
                "tom.hale@northwind.example",
                "+44 113 496 0144",
                "PHONE",
                "en",
            ),
        ),
        bills=(
            Bill("NW-1012", 150, "7800.00"),
            Bill("NW-1041", 110, "18400.00"),
            Bill("NW-1057", 75, "9250.00"),
            Bill("NW-1077", 20, "6100.00"),
        ),
        preferences=(
            ("invoice_delivery", "PDF by email to ap@northwind.example", None),
            ("payment_terms", "Net 30", "Asked for Net 45 at the last renewal; declined"),
        ),
        story=(
            Payment(118, "7800.00", (("NW-1012", "7800.00"),), "BACS", "NW-1012"),
            Entry(
                40,
                "sam",
                "MEETING",
                "Quarterly review with Tom Hale: order volumes down about 20%",
                "Tom was frank: two big retail customers cut their orders. He expects a quiet winter.",
                contact="Tom Hale",
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Entry(
                30,
                "sam",
                "NEWS",
                "Northwind is closing its Leeds plant in Q1; about 200 jobs go",
                "Tom told me after the review; the press release is due next week. Expect smaller "
                "orders and slower payments.",
                category="DOWNSIZING",
            ),
            Entry(
                28,
                "ada",
                "CALL",
                "Margaret confirmed NW-1041 is approved for payment",
                contact="Margaret Pike",
                invoices=("NW-1041",),
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Promise(
                21,
                -14,
                "18400.00",
                "Margaret promised to pay NW-1041 in full with their next payment run",
                ("NW-1041",),
                contact="Margaret Pike",
            ),
            Entry(
                9,
                "ada",
                "CALL",
                "NW-1041 still unpaid after the promised date; left a message for Margaret",
                contact="Margaret Pike",
                invoices=("NW-1041",),
                direction="OUTBOUND",
                outcome="LEFT_MESSAGE",
            ),
            Entry(
                8,
                "ada",
                "EMAIL",
                "Sent a statement of the overdue invoices NW-1041 and NW-1057",
                contact="Margaret Pike",
                invoices=("NW-1041", "NW-1057"),
                direction="OUTBOUND",
            ),
            Entry(
                3,
                "sue",
                "NOTE",
                "Support ticket: Northwind asked to pause deliveries to Leeds from next month",
            ),
            FollowUp(
                2, 1, "Call Tom Hale, not Margaret, about the broken promise on NW-1041", contact="Tom Hale"
            ),
        ),
    ),
    Customer(
        ref="contoso",
        name="Contoso Manufacturing GmbH",
        time_zone="Europe/Berlin",
        currency="EUR",
        tags=("manufacturing", "de"),
        people=(
            Person(
                "Klaus Becker",
                "Accounts Payable Clerk",
                ("ACCOUNTS_PAYABLE",),
                "klaus.becker@contoso.example",
                "+49 30 901820",
                "PHONE",
                "de",
                windows=(
                    Window("PREFERRED", days=("MON", "TUE", "WED", "THU"), start="08:00", end="12:00"),
                    Window(
                        "BLACKOUT",
                        weeks=(3,),
                        note="On vacation the third week of every month (the family farm); email waits",
                    ),
                ),
            ),
        ),
        bills=(
            Bill("CM-2190", 80, "11200.00"),
            Bill("CM-2207", 52, "12480.00"),
            Bill("CM-2231", 25, "4300.00"),
        ),
        preferences=(
            ("language", "German on the phone; English is fine in email", None),
            ("reminders", "Email first; call only after 7 days without an answer", None),
        ),
        story=(
            Entry(60, "sue", "NOTE", "Second production line onboarded; operator training done"),
            Payment(49, "11200.00", (("CM-2190", "11200.00"),), "SEPA transfer", "CM-2190"),
            Entry(
                18,
                "ada",
                "EMAIL",
                "Reminder for CM-2207 sent to Klaus",
                contact="Klaus Becker",
                invoices=("CM-2207",),
                direction="OUTBOUND",
            ),
            Entry(
                10,
                "ada",
                "CALL",
                "Klaus: CM-2207 waits for the goods receipt from the plant; he is chasing it",
                contact="Klaus Becker",
                invoices=("CM-2207",),
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Entry(2, "sam", "NOTE", "Contoso plans a third line next year; the budget is approved"),
        ),
    ),
    Customer(
        ref="fabrikam",
        name="Fabrikam Retail Inc.",
        time_zone="America/Chicago",
        currency="USD",
        tags=("retail", "us"),
        people=(
            Person(
                "Dana Whitfield",
                "AP Lead",
                ("ACCOUNTS_PAYABLE", "BILLING"),
                "dana.whitfield@fabrikam.example",
                "+1 312 555 0142",
                "EMAIL",
                "en",
                windows=(Window("PREFERRED", days=_WEEKDAYS, start="09:00", end="17:00"),),
            ),
        ),
        bills=(
            Bill("FR-5520", 65, "32000.00"),
            Bill("FR-5561", 40, "8750.00"),
            Bill("FR-5602", 10, "5400.00"),
        ),
        story=(
            Entry(
                33,
                "sue",
                "CALL",
                "Dana: the FR-5520 shipment arrived 20 display units short",
                contact="Dana Whitfield",
                invoices=("FR-5520",),
                direction="INBOUND",
                outcome="REACHED",
            ),
            Dispute(
                32,
                "sue",
                "QUANTITY",
                "Received 180 of 200 display units on FR-5520",
                ("FR-5520",),
                amount="3200.00",
                body="The carrier's proof of delivery shows 9 pallets of 10. Claim CLM-77812 is open "
                "with the carrier.",
                contact="Dana Whitfield",
            ),
            Entry(
                12,
                "ada",
                "NOTE",
                "Holding collections on FR-5520 until the dispute is settled; FR-5561 is fair to chase",
                invoices=("FR-5520", "FR-5561"),
            ),
            Entry(
                5,
                "ada",
                "EMAIL",
                "Reminder for FR-5561 sent to Dana",
                contact="Dana Whitfield",
                invoices=("FR-5561",),
                direction="OUTBOUND",
            ),
        ),
    ),
    Customer(
        ref="tailspin",
        name="Tailspin Toys",
        time_zone="America/New_York",
        currency="USD",
        tags=("retail", "us"),
        people=(
            Person(
                "Priya Raman",
                "Controller",
                ("BILLING", "DECISION_MAKER"),
                "priya.raman@tailspin.example",
                "+1 212 555 0187",
                "PHONE",
                "en",
            ),
        ),
        bills=(Bill("TT-330", 50, "14200.00"), Bill("TT-345", 12, "3900.00")),
        preferences=(("payment_runs", "1st and 15th of the month", "Since their ERP switch"),),
        story=(
            Entry(
                14,
                "ada",
                "CALL",
                "Priya: TT-330 slipped through during their ERP switch",
                contact="Priya Raman",
                invoices=("TT-330",),
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Promise(
                14,
                -7,
                "14200.00",
                "Priya promised TT-330 in full within a week",
                ("TT-330",),
                contact="Priya Raman",
            ),
            Payment(8, "14200.00", (("TT-330", "14200.00"),), "wire transfer", "TT-WIRE-0330"),
            Entry(7, "ada", "NOTE", "Thanked Priya: promise kept, TT-330 is paid"),
        ),
    ),
    Customer(
        ref="adventure-works",
        name="Adventure Works Cycles",
        time_zone="Europe/Amsterdam",
        currency="EUR",
        tags=("retail", "nl"),
        people=(
            Person(
                "Jan de Vries",
                "Finance Manager",
                ("BILLING", "ACCOUNTS_PAYABLE"),
                "jan.devries@adventure-works.example",
                "+31 20 555 0123",
                "EMAIL",
                "nl",
            ),
        ),
        bills=(Bill("AW-881", 58, "7600.00"), Bill("AW-902", 37, "2150.00")),
        story=(
            Entry(
                4,
                "ada",
                "CALL",
                "Jan: both invoices go out with Friday's payment run",
                contact="Jan de Vries",
                invoices=("AW-881", "AW-902"),
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Promise(
                4,
                3,
                "9750.00",
                "Jan promised AW-881 and AW-902 with Friday's payment run",
                ("AW-881", "AW-902"),
                contact="Jan de Vries",
            ),
        ),
    ),
    Customer(
        ref="wide-world",
        name="Wide World Importers",
        time_zone="America/Los_Angeles",
        currency="USD",
        tags=("wholesale", "us"),
        people=(
            Person(
                "Chris Ortega",
                "IT Manager",
                ("TECHNICAL",),
                "chris.ortega@wideworldimporters.example",
                "+1 415 555 0199",
                "PHONE",
                "en",
            ),
        ),
        bills=(Bill("WW-7001", 150, "21500.00"), Bill("WW-7019", 95, "11200.00")),
        story=(
            Entry(
                100,
                "sue",
                "NOTE",
                "Their AP clerk left; Chris in IT is the only person we still know there",
            ),
            Entry(
                60,
                "ada",
                "EMAIL",
                "Asked Chris who handles payables now; no answer",
                contact="Chris Ortega",
                direction="OUTBOUND",
            ),
            Entry(
                20,
                "ada",
                "LETTER",
                "Formal reminder for WW-7001 and WW-7019 sent to the registered address",
                invoices=("WW-7001", "WW-7019"),
                direction="OUTBOUND",
            ),
            FollowUp(6, 2, "Find a billing contact at Wide World (ask Sam for the buyer's name)"),
        ),
    ),
    Customer(
        ref="litware",
        name="Litware AG",
        time_zone="Europe/Zurich",
        currency="CHF",
        tags=("software", "ch"),
        people=(
            Person(
                "Beat Keller",
                "CFO",
                ("DECISION_MAKER", "BILLING"),
                "beat.keller@litware.example",
                "+41 44 555 0110",
                "LETTER",
                "de",
                do_not_contact=True,
            ),
        ),
        bills=(Bill("LW-118", 75, "16000.00"),),
        preferences=(("correspondence", "In writing, via their counsel Meier & Partner, Zurich", None),),
        story=(
            Entry(
                40,
                "ada",
                "NOTE",
                "Litware's lawyers ask us to send all payment matters to them in writing; do not call Beat",
                restricted=True,
            ),
            Entry(
                39,
                "ada",
                "LETTER",
                "Letter about LW-118 sent to Litware's counsel",
                invoices=("LW-118",),
                direction="OUTBOUND",
            ),
        ),
    ),
    Customer(
        ref="proseware",
        name="Proseware Nordic AB",
        time_zone="Europe/Stockholm",
        currency="SEK",
        tags=("software", "se"),
        people=(
            Person(
                "Astrid Nilsson",
                "CFO",
                ("DECISION_MAKER", "BILLING"),
                "astrid.nilsson@proseware.example",
                "+46 8 555 0170",
                "PHONE",
                "sv",
            ),
        ),
        bills=(Bill("PN-4410", 100, "240000.00"), Bill("PN-4452", 45, "85000.00")),
        story=(
            Entry(
                35,
                "ada",
                "CALL",
                "Astrid asked for a payment plan for PN-4410",
                contact="Astrid Nilsson",
                invoices=("PN-4410",),
                direction="INBOUND",
                outcome="REACHED",
            ),
            Entry(
                35,
                "ada",
                "NOTE",
                "Astrid disclosed a cash gap until their funding round closes; keep this within AR",
                restricted=True,
            ),
            Plan(
                34,
                ((-4, "80000.00"), (26, "80000.00"), (56, "80000.00")),
                "Payment plan for PN-4410: three monthly installments of 80,000 SEK",
                ("PN-4410",),
                contact="Astrid Nilsson",
            ),
            Payment(5, "80000.00", (("PN-4410", "80000.00"),), "bank transfer", "PN-4410 installment 1"),
            Entry(2, "sam", "NOTE", "Proseware's licence renewal is on hold until their funding closes"),
        ),
    ),
    Customer(
        ref="blue-yonder",
        name="Blue Yonder Airlines",
        time_zone="America/New_York",
        currency="USD",
        tags=("travel", "us", "key-account"),
        people=(
            Person(
                "Maria Gonzalez",
                "VP Procurement",
                ("DECISION_MAKER",),
                "maria.gonzalez@blueyonder.example",
                "+1 617 555 0111",
                "MEETING",
                "en",
            ),
            Person(
                "Kevin Liu",
                "AP Specialist",
                ("ACCOUNTS_PAYABLE",),
                "ap@blueyonder.example",
                None,
                "EMAIL",
                "en",
            ),
        ),
        bills=(Bill("BY-9001", 60, "45000.00"), Bill("BY-9040", 15, "38500.00")),
        preferences=(("invoice_delivery", "Email to ap@blueyonder.example", "Since last week; Kevin Liu"),),
        story=(
            Payment(31, "45000.00", (("BY-9001", "45000.00"),), "ACH", "BY-9001"),
            Entry(
                20,
                "sam",
                "NEWS",
                "Blue Yonder opens three new routes from Boston in the spring",
                category="EXPANSION",
            ),
            Entry(
                19,
                "sam",
                "MEETING",
                "Maria wants a quote for ground services on the new routes",
                contact="Maria Gonzalez",
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Entry(
                6,
                "sue",
                "EMAIL",
                "Kevin asked that invoices go to ap@blueyonder.example from now on",
                contact="Kevin Liu",
                direction="INBOUND",
            ),
        ),
    ),
    Customer(
        ref="coho",
        name="Coho Winery",
        time_zone="Australia/Sydney",
        currency="AUD",
        tags=("food-beverage", "au"),
        people=(
            Person(
                "Olivia Brooks",
                "Office Manager",
                ("BILLING", "ACCOUNTS_PAYABLE"),
                "olivia@cohowinery.example",
                "+61 2 5550 1234",
                "PHONE",
                "en",
                windows=(Window("PREFERRED", days=("TUE", "WED", "THU"), start="09:00", end="12:00"),),
            ),
        ),
        bills=(Bill("CW-210", 65, "6800.00"),),
        story=(
            Entry(
                30,
                "ada",
                "CALL",
                "Called at 4 pm our time, the middle of the night in Sydney; no answer",
                contact="Olivia Brooks",
                invoices=("CW-210",),
                direction="OUTBOUND",
                outcome="NO_ANSWER",
            ),
            Entry(29, "ada", "NOTE", "Olivia takes calls Tuesday to Thursday mornings, Sydney time, only"),
            Entry(3, "sam", "NOTE", "Small vintage this year after the hail; they are careful with spending"),
        ),
    ),
    Customer(
        ref="alpine",
        name="Alpine Ski House",
        time_zone="Europe/Zurich",
        currency="CHF",
        tags=("hospitality", "ch"),
        people=(
            Person(
                "Nina Frei",
                "CFO",
                ("DECISION_MAKER", "BILLING"),
                "nina.frei@alpineskihouse.example",
                "+41 81 555 0133",
                "EMAIL",
                "de",
            ),
        ),
        bills=(Bill("ASH-77", 45, "3450.00"), Bill("ASH-81", 5, "2900.00")),
        story=(
            Entry(
                15,
                "sam",
                "NEWS",
                "Nina Frei replaces Urs Brunner as CFO",
                category="LEADERSHIP_CHANGE",
            ),
            Entry(
                6,
                "ada",
                "EMAIL",
                "Introduced myself to Nina and sent her the open items",
                contact="Nina Frei",
                invoices=("ASH-77",),
                direction="OUTBOUND",
            ),
        ),
    ),
    Customer(
        ref="woodgrove",
        name="Woodgrove Bank",
        time_zone="America/New_York",
        currency="USD",
        tags=("finance", "us", "key-account"),
        people=(
            Person(
                "Rachel Adams",
                "Procurement Director",
                ("DECISION_MAKER",),
                "rachel.adams@woodgrovebank.example",
                "+1 646 555 0100",
                "MEETING",
                "en",
            ),
            Person(
                "Woodgrove Accounts Payable",
                "Shared mailbox",
                ("ACCOUNTS_PAYABLE",),
                "ap@woodgrovebank.example",
                None,
                "PORTAL",
                "en",
            ),
        ),
        bills=(
            Bill("WB-3001", 90, "120000.00"),
            Bill("WB-3050", 28, "96000.00"),
            Bill("WB-3090", 3, "18000.00", "DRAFT"),
        ),
        preferences=(
            ("invoice_delivery", "Upload to the Woodgrove supplier portal; the PO number is mandatory", None),
        ),
        story=(
            Payment(61, "120000.00", (("WB-3001", "120000.00"),), "wire transfer", "WB-3001"),
            Entry(
                45,
                "sam",
                "MEETING",
                "Contract renewed for three years",
                contact="Rachel Adams",
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Entry(
                25,
                "sue",
                "CALL",
                "Rachel reported a portal login problem; fixed the same day",
                contact="Rachel Adams",
                direction="INBOUND",
                outcome="REACHED",
            ),
            Entry(1, "sam", "NOTE", "Rachel hinted at a second site in Chicago next year"),
        ),
    ),
    Customer(
        ref="lucerne",
        name="Lucerne Publishing",
        time_zone="Europe/Zurich",
        currency="EUR",
        tags=("publishing", "ch"),
        people=(
            Person(
                "Sophie Martin",
                "Accounts Payable",
                ("ACCOUNTS_PAYABLE",),
                "sophie.martin@lucernepublishing.example",
                "+41 41 555 0155",
                "EMAIL",
                "fr",
            ),
        ),
        bills=(Bill("LP-600", 48, "9900.00"),),
        story=(
            Payment(12, "5000.00", (("LP-600", "5000.00"),), "SEPA transfer", "LP-600 part 1"),
            Entry(
                11,
                "ada",
                "EMAIL",
                "Sophie: the rest of LP-600 follows when their own client pays them",
                contact="Sophie Martin",
                invoices=("LP-600",),
                direction="INBOUND",
            ),
            FollowUp(11, 3, "Call Sophie about the remaining 4,900 EUR on LP-600", contact="Sophie Martin"),
        ),
    ),
    Customer(
        ref="margies-travel",
        name="Margie's Travel",
        time_zone="Europe/London",
        currency="GBP",
        tags=("travel", "uk"),
        status="ON_HOLD",
        people=(
            Person(
                "Margie Travers",
                "Owner",
                ("DECISION_MAKER", "BILLING"),
                "margie@margiestravel.example",
                "+44 20 7946 0321",
                "PHONE",
                "en",
            ),
        ),
        bills=(
            Bill("MT-51", 200, "2300.00", became=(130, "WRITTEN_OFF", "2300.00")),
            Bill("MT-58", 120, "1150.00", became=(115, "VOID", "0")),
            Bill("MT-63", 40, "1780.00"),
        ),
        story=(
            Entry(
                130,
                "ada",
                "NOTE",
                "MT-51 written off after the agency's insolvency scare; account on hold for new orders",
                invoices=("MT-51",),
            ),
            Entry(50, "sam", "NOTE", "Margie restarted with a smaller team; wants to order on prepayment"),
            Entry(8, "sue", "NOTE", "Margie asked for a copy of MT-63", invoices=("MT-63",)),
        ),
    ),
    Customer(
        ref="trey",
        name="Trey Research",
        time_zone="America/Denver",
        currency="USD",
        tags=("research", "us", "new"),
        people=(
            Person(
                "Alex Kim",
                "Lab Manager",
                ("DECISION_MAKER", "TECHNICAL"),
                "alex.kim@treyresearch.example",
                "+1 303 555 0177",
                "EMAIL",
                "en",
            ),
            Person(
                "Jordan Lee",
                "Finance Officer",
                ("BILLING",),
                "jordan.lee@treyresearch.example",
                None,
                "EMAIL",
                "en",
            ),
        ),
        bills=(Bill("TR-1001", 8, "4800.00"), Bill("TR-1002", 2, "12000.00", "DRAFT")),
        story=(
            Entry(
                10,
                "sam",
                "MEETING",
                "Kick-off with Alex: a pilot for two labs",
                contact="Alex Kim",
                direction="OUTBOUND",
                outcome="REACHED",
            ),
            Entry(
                2,
                "sue",
                "CALL",
                "Alex asked how to add users to the pilot",
                contact="Alex Kim",
                direction="INBOUND",
                outcome="REACHED",
            ),
        ),
    ),
    Customer(
        ref="fourth-coffee",
        name="Fourth Coffee",
        time_zone="Europe/Dublin",
        currency="EUR",
        tags=("food-beverage", "ie"),
        people=(
            Person(
                "Ciara Byrne",
                "Finance Manager",
                ("BILLING", "ACCOUNTS_PAYABLE"),
                "ciara.byrne@fourthcoffee.example",
                "+353 1 555 0144",
                "EMAIL",
                "en",
            ),
        ),
        bills=(Bill("FC-301", 70, "5400.00"), Bill("FC-US-17", 55, "7300.00", currency="USD")),
        story=(
            Entry(
                20,
                "ada",
                "EMAIL",
                "Statement sent in EUR and USD; the USD invoice belongs to their US entity",
                contact="Ciara Byrne",
                invoices=("FC-301", "FC-US-17"),
                direction="OUTBOUND",
            ),
            Entry(
                18,
                "ada",
                "EMAIL",
                "Ciara: the US entity pays from a separate account, expect delays",
                contact="Ciara Byrne",
                invoices=("FC-US-17",),
                direction="INBOUND",
            ),
        ),
    ),
    Customer(
        ref="graphic-design",
        name="Graphic Design Institute",
        time_zone="Europe/London",
        currency="GBP",
        tags=("education", "uk"),
        people=(
            Person(
                "Oliver Grant",
                "Bursar",
                ("BILLING", "DECISION_MAKER"),
                "oliver.grant@graphicdesigninstitute.example",
                "+44 20 7946 0777",
                "EMAIL",
                "en",
            ),
        ),
        bills=(Bill("GDI-44", 60, "4500.00"), Bill("GDI-52", 20, "2200.00")),
        story=(
            Dispute(
                45,
                "sue",
                "PRICING",
                "GDI-44 charged at list price instead of the education discount",
                ("GDI-44",),
                amount="500.00",
                contact="Oliver Grant",
                resolved_days_ago=30,
                resolution="Credit note CN-12 for 500 GBP issued; GDI-44 re-invoiced at 4,500 GBP",
            ),
            Payment(28, "4500.00", (("GDI-44", "4500.00"),), "BACS", "GDI-44"),
        ),
    ),
    Customer(
        ref="humongous",
        name="Humongous Insurance",
        time_zone="America/Chicago",
        currency="USD",
        tags=("insurance", "us"),
        people=(
            Person(
                "Grace Turner",
                "AP Manager",
                ("ACCOUNTS_PAYABLE",),
                "grace.turner@humongousinsurance.example",
                "+1 312 555 0166",
                "EMAIL",
                "en",
            ),
            Person(
                "Paul Novak",
                "Procurement",
                ("DECISION_MAKER",),
                "paul.novak@humongousinsurance.example",
                "+1 312 555 0167",
                "PHONE",
                "en",
            ),
        ),
        bills=(Bill("HI-700", 38, "27000.00"),),
        story=(
            Entry(
                12,
                "sam",
                "NEWS",
                "Humongous Insurance to be acquired by Contoso Group; closing expected next quarter",
                category="MERGER_ACQUISITION",
            ),
            Entry(
                11,
                "ada",
                "NOTE",
                "After the merger news: ask Grace whether their bank details will change",
            ),
        ),
    ),
    Customer(
        ref="relecloud",
        name="Relecloud K.K.",
        time_zone="Asia/Tokyo",
        currency="JPY",
        tags=("software", "jp"),
        people=(
            Person(
                "Haruto Sato",
                "Accounting",
                ("ACCOUNTS_PAYABLE", "BILLING"),
                "haruto.sato@relecloud.example",
                "+81 3 5550 1188",
                "EMAIL",
                "ja",
                windows=(Window("PREFERRED", days=_WEEKDAYS, start="09:00", end="18:00"),),
            ),
        ),
        bills=(Bill("RC-88", 40, "1850000"),),
        preferences=(("language", "Japanese; English in writing is fine", None),),
        story=(
            Entry(
                9,
                "ada",
                "EMAIL",
                "Reminder for RC-88 sent in Japanese and English",
                contact="Haruto Sato",
                invoices=("RC-88",),
                direction="OUTBOUND",
            ),
        ),
    ),
    Customer(
        ref="vanarsdel",
        name="VanArsdel Ltd.",
        time_zone="Europe/London",
        currency="GBP",
        tags=("manufacturing", "uk"),
        people=(
            Person(
                "Henry Walsh",
                "Finance Director",
                ("BILLING", "DECISION_MAKER"),
                "henry.walsh@vanarsdel.example",
                "+44 161 496 0188",
                "PHONE",
                "en",
            ),
        ),
        bills=(Bill("VA-12", 130, "8000.00"), Bill("VA-19", 60, "5500.00")),
        story=(
            Promise(
                110,
                -100,
                "8000.00",
                "Henry promised VA-12 by the end of the month",
                ("VA-12",),
                contact="Henry Walsh",
            ),
            Payment(80, "8000.00", (("VA-12", "8000.00"),), "BACS", "VA-12"),
            Entry(79, "ada", "NOTE", "VA-12 paid, three weeks after the promised date"),
            Entry(
                25,
                "ada",
                "CALL",
                "Henry: VA-19 will be paid after their stock count",
                contact="Henry Walsh",
                invoices=("VA-19",),
                direction="OUTBOUND",
                outcome="REACHED",
            ),
        ),
    ),
)


def _at(today: date, days_ago: int, minute: int = 0) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(10, minute), UTC)


def _when(event: Event) -> int:
    return event.days_ago


@dataclass
class _Account:
    """What a customer's story refers to by name, once it is written."""

    customer: Customer
    id: UUID
    people: dict[str, UUID]
    bills: dict[str, UUID]


async def already_loaded(conn: asyncpg.Connection) -> bool:
    return bool(await accounts.account_ids_by_refs(conn, [(SYSTEM, c.ref) for c in CUSTOMERS]))


async def load(conn: asyncpg.Connection, today: date) -> dict[str, users.User]:
    """Write the demo in the caller's transaction; returns the demo users by their key in USERS."""
    if await already_loaded(conn):
        raise AlreadyLoaded
    people = {key: await _user(conn, user) for key, user in USERS.items()}
    for customer in CUSTOMERS:
        account = await _account(conn, customer, people, today)
        # The story in the order it happened; events of one day keep their written order.
        for minute, event in enumerate(sorted(customer.story, key=_when, reverse=True)):
            await _event(conn, account, event, people, today, minute)
    return people


async def _user(conn: asyncpg.Connection, user: DemoUser) -> users.User:
    return await users.user_by_email(conn, user.email) or await users.add_user(
        conn, email=user.email, name=user.name, team=user.team
    )


async def _account(
    conn: asyncpg.Connection, customer: Customer, people: dict[str, users.User], today: date
) -> _Account:
    erp, ada = people["erp"], people["ada"]
    results, changed, _ = await accounts.upsert_accounts(
        conn,
        [
            accounts.AccountUpsert(
                system=SYSTEM,
                external_id=customer.ref,
                name=customer.name,
                tags=list(customer.tags),
                time_zone=customer.time_zone,
                status=customer.status,
            )
        ],
    )
    await accounts.record_changes(conn, actor_id=erp.id, action="upsertAccounts", account_ids=changed)
    account_id = results[0][0]["id"]
    contact_ids = {}
    for person in customer.people:
        fields = {
            "name": person.name,
            "title": person.title,
            "roles": list(person.roles),
            "email": person.email,
            "phone": person.phone,
            "preferred_channel": person.channel,
            "language": person.language,
            "do_not_contact": person.do_not_contact,
        }
        windows = [
            contacts.Window(
                kind=w.kind,
                days_of_week=list(w.days) if w.days else None,
                weeks_of_month=list(w.weeks) if w.weeks else None,
                start_time=time.fromisoformat(w.start) if w.start else None,
                end_time=time.fromisoformat(w.end) if w.end else None,
                from_date=None,
                until_date=None,
                note=w.note,
            )
            for w in person.windows
        ]
        row = await contacts.create_contact(
            conn, account_id, {k: v for k, v in fields.items() if v is not None}, windows
        )
        await contacts.record_change(conn, actor_id=ada.id, action="createContact", row=row)
        contact_ids[person.name] = row["id"]
    for key, value, note in customer.preferences:
        before = await preferences.set_preference(conn, account_id, key, value, note, ada.id)
        await preferences.record_change(
            conn,
            actor_id=ada.id,
            action="setPreference",
            account_id=account_id,
            key=key,
            before=before,
            after={"key": key, "value": value},
        )
    bill_ids = {}
    for bill in customer.bills:
        issued = today - timedelta(days=bill.issued_days_ago)
        pushes = [(bill.issued_days_ago, bill.status, bill.total)]
        if bill.became:
            pushes.append(bill.became)
        for days_ago, status, balance in pushes:
            item = invoices.InvoiceUpsert(
                account_id=account_id,
                system=SYSTEM,
                external_id=bill.number,
                number=bill.number,
                issued_on=issued,
                due_on=issued + timedelta(days=TERMS_DAYS),
                currency=bill.currency or customer.currency,
                total=Decimal(bill.total),
                balance=Decimal(balance),
                status=status,
            )
            outcome = await invoices.upsert_invoices(
                conn,
                [item],
                actor_id=erp.id,
                team=erp.team.value,
                action="upsertInvoices",
                occurred_at=_at(today, days_ago),
            )
        bill_ids[bill.number] = outcome.rows[0]["id"]
    return _Account(customer, account_id, contact_ids, bill_ids)


async def _entry(
    conn: asyncpg.Connection,
    account: _Account,
    author: users.User,
    action: str,
    fields: dict,
    invoice_numbers: tuple[str, ...],
    contact: str | None,
    restricted: bool = False,
) -> UUID:
    visibility = "RESTRICTED" if restricted else "ALL_TEAMS"
    entry_id = await entries.insert_entry(
        conn,
        {
            "account_id": account.id,
            "author_id": author.id,
            "team": author.team.value,
            "recorded_at": fields["occurred_at"],
            "contact_id": account.people[contact] if contact else None,
            "visibility": visibility,
            **fields,
        },
        [account.bills[number] for number in invoice_numbers],
    )
    await changes.record(
        conn,
        actor_id=author.id,
        action=action,
        entity_type="entry",
        account_id=account.id,
        entity_id=entry_id,
        after={"kind": fields["kind"], "visibility": visibility},
    )
    return entry_id


_ACTIONS = {"NOTE": "logNote", "NEWS": "logNews"}


async def _event(
    conn: asyncpg.Connection,
    account: _Account,
    event: Event,
    people: dict[str, users.User],
    today: date,
    minute: int,
) -> None:
    when = _at(today, event.days_ago, minute)
    currency = account.customer.currency
    ada = people["ada"]
    match event:
        case Entry():
            fields = {
                "kind": event.kind,
                "occurred_at": when,
                "summary": event.summary,
                "body": event.body,
                "direction": event.direction,
                "outcome": event.outcome,
                "category": event.category,
            }
            await _entry(
                conn,
                account,
                people[event.author],
                _ACTIONS.get(event.kind, "logInteraction"),
                {k: v for k, v in fields.items() if v is not None},
                event.invoices,
                event.contact,
                event.restricted,
            )
        case Promise():
            fields = {
                "kind": "PROMISE_TO_PAY",
                "occurred_at": when,
                "summary": event.summary,
                "amount": Decimal(event.amount),
                "currency": currency,
                "promised_for": today + timedelta(days=event.promised_in_days),
                "grace_days": event.grace_days,
            }
            await _entry(conn, account, ada, "recordPromise", fields, event.invoices, event.contact)
        case Payment():
            locked = await invoices.lock_invoices(
                conn, account.id, [account.bills[number] for number, _ in event.invoices]
            )
            paid = [(locked[account.bills[number]], Decimal(amount)) for number, amount in event.invoices]
            received = today - timedelta(days=event.days_ago)
            payment_id = await invoices.apply_payment(
                conn,
                account_id=account.id,
                amount=Decimal(event.amount),
                currency=currency,
                received_on=received,
                method=event.method,
                reference=event.reference,
                user_id=ada.id,
                team=ada.team.value,
                allocations=paid,
                occurred_at=when,
            )
            fields = {
                "kind": "PAYMENT",
                "occurred_at": when,
                "summary": f"Payment of {event.amount} {currency} received",
                "amount": Decimal(event.amount),
                "currency": currency,
                "received_on": received,
                "method": event.method,
                "reference": event.reference,
                "payment_id": payment_id,
            }
            numbers = tuple(number for number, _ in event.invoices)
            await _entry(conn, account, ada, "recordPayment", fields, numbers, None)
        case Dispute():
            author = people[event.author]
            fields = {
                "kind": "DISPUTE",
                "occurred_at": when,
                "summary": event.summary,
                "body": event.body,
                "dispute_reason": event.reason,
                "dispute_status": "OPEN",
                "amount": Decimal(event.amount) if event.amount else None,
                "currency": currency if event.amount else None,
            }
            entry_id = await _entry(
                conn,
                account,
                author,
                "openDispute",
                {k: v for k, v in fields.items() if v is not None},
                event.invoices,
                event.contact,
            )
            if event.resolved_days_ago is not None:
                row = await entries.lock_entry(conn, entry_id, restricted=True)
                await entries.update_entry(
                    conn,
                    row,
                    {
                        "dispute_status": "RESOLVED",
                        "resolution": event.resolution,
                        "resolved_at": _at(today, event.resolved_days_ago),
                    },
                )
                await changes.record(
                    conn,
                    actor_id=author.id,
                    action="resolveDispute",
                    entity_type="entry",
                    account_id=account.id,
                    entity_id=entry_id,
                    before={"status": "OPEN"},
                    after={"status": "RESOLVED"},
                )
        case Plan():
            fields = {
                "kind": "PAYMENT_PLAN",
                "occurred_at": when,
                "summary": event.summary,
                "currency": currency,
                "installments": [
                    {"dueOn": (today + timedelta(days=days)).isoformat(), "amount": amount}
                    for days, amount in event.installments
                ],
            }
            await _entry(conn, account, ada, "createPaymentPlan", fields, event.invoices, event.contact)
        case FollowUp():
            fields = {
                "kind": "FOLLOW_UP",
                "occurred_at": when,
                "summary": event.summary,
                "due_at": datetime.combine(today + timedelta(days=event.due_in_days), time(9), UTC),
                "assignee_id": people[event.assignee].id,
                "done": False,
            }
            await _entry(conn, account, people[event.author], "createFollowUp", fields, (), event.contact)
