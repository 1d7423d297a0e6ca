"""The descriptions several mutation inputs share, in one place so they say the same thing."""

ACCOUNT_ID = "The account (an Account id)."
SUMMARY = "One line, 1-500 characters; shown in lists and searchable."
BODY = "The full text, up to 50,000 characters; null for none. Card numbers and IBANs are masked."
TAGS = "Labels, at most 20, each 1-50 characters."
OCCURRED_AT = "When it happened; default now. Without an offset it is UTC. Between 1900 and 2199."
VISIBILITY = "RESTRICTED hides it from SALES and SERVICE (only AR and ADMIN may set it); default ALL_TEAMS."
IDEMPOTENCY_KEY = (
    "Any 1-200 characters, new per intended write: a retry with the same "
    "key and the same input returns the first result and writes nothing; "
    "with another input it is a CONFLICT."
)
INVOICE_IDS = "The invoices it concerns (Invoice ids of the same account)."
