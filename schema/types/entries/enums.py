"""The entry enums of the API, built from domain/'s so both speak the same values."""

from domain import entries as rules
from domain import promises
from schema.types.enums import described_enum

EntryKind = described_enum(
    rules.EntryKind,
    "EntryKind",
    "What an entry records; it decides the entry's type (Note, Interaction, PromiseToPay...).",
    {
        "NOTE": "A note (type Note).",
        "CALL": "A phone call (type Interaction).",
        "EMAIL": "An email (type Interaction).",
        "MEETING": "A meeting (type Interaction).",
        "LETTER": "A letter (type Interaction).",
        "SMS": "A text message (type Interaction).",
        "NEWS": "Customer news (type CustomerNews).",
        "PROMISE_TO_PAY": "A promise to pay (type PromiseToPay).",
        "DISPUTE": "A dispute over invoices (type Dispute).",
        "PAYMENT_PLAN": "A payment plan (type PaymentPlan).",
        "INVOICE_STATUS": "An invoice changed status; written by the service (type InvoiceStatusChange).",
        "PAYMENT": "A payment received (type PaymentReceived).",
        "FOLLOW_UP": "Something to do by a time (type FollowUp).",
    },
)
PromiseStatus = described_enum(
    promises.PromiseStatus,
    "PromiseStatus",
    "CANCELLED if cancelled; KEPT if payments from recordedAt up to promisedFor + graceDays "
    "cover the amount; BROKEN once past that date unpaid; else OPEN.",
    {
        "OPEN": "Not kept yet, and its deadline (promisedFor + graceDays) has not passed.",
        "KEPT": "Payments received from recordedAt up to the deadline cover the amount.",
        "BROKEN": "The deadline passed without payments that cover the amount.",
        "CANCELLED": "Cancelled with cancelPromise; it no longer counts.",
    },
)
Visibility = described_enum(
    rules.Visibility,
    "Visibility",
    "RESTRICTED: AR and ADMIN only, everywhere.",
    {
        "ALL_TEAMS": "Everyone who may read the account sees it; the default.",
        "RESTRICTED": "Only AR and ADMIN see it: in timelines, briefs, search and subscriptions alike.",
    },
)
Direction = described_enum(
    rules.Direction,
    "Direction",
    "Who started an interaction.",
    {"INBOUND": "The customer contacted us.", "OUTBOUND": "We contacted the customer."},
)
InteractionOutcome = described_enum(
    rules.InteractionOutcome,
    "InteractionOutcome",
    "How an attempt to reach someone went.",
    {
        "REACHED": "We spoke to, or heard back from, the person.",
        "LEFT_MESSAGE": "We left a voicemail or message.",
        "NO_ANSWER": "Nobody answered.",
        "WRONG_CONTACT": "The person or number was wrong.",
        "BOUNCED": "The email or letter came back undelivered.",
    },
)
NewsCategory = described_enum(
    rules.NewsCategory,
    "NewsCategory",
    "What kind of news about the customer.",
    {
        "DOWNSIZING": "Layoffs or closing sites; flags FINANCIAL_DIFFICULTY_NEWS for 90 days.",
        "EXPANSION": "Growth: new sites, markets or hiring.",
        "LEADERSHIP_CHANGE": "A new CEO, CFO or other leader.",
        "MERGER_ACQUISITION": "Merging, acquiring or being acquired.",
        "FINANCIAL_DIFFICULTY": "Trouble paying, or insolvency; flags FINANCIAL_DIFFICULTY_NEWS for 90 days.",
        "RELOCATION": "Moving offices or billing address.",
        "OTHER": "Anything else worth knowing.",
    },
)
DisputeReason = described_enum(
    rules.DisputeReason,
    "DisputeReason",
    "Why the customer contests invoices.",
    {
        "PRICING": "The price is not what was agreed.",
        "QUANTITY": "The quantity billed is not what was delivered.",
        "QUALITY": "What was delivered is faulty.",
        "NOT_RECEIVED": "It never arrived.",
        "DUPLICATE_BILLING": "Billed twice.",
        "BILLING_ERROR": "Another mistake on the invoice (address, tax, reference).",
        "OTHER": "Any other reason; the summary says which.",
    },
)
DisputeStatus = described_enum(
    rules.DisputeStatus,
    "DisputeStatus",
    "Where a dispute stands.",
    {
        "OPEN": "Not settled yet; the disputed amount is not chased.",
        "RESOLVED": "Settled; the resolution says how, e.g. a credit note.",
        "REJECTED": "Refused: the invoices stand as billed.",
    },
)
