# ruff: noqa: SIM905  (word lists read best as one string each)
"""Word lists and sentence templates for the synthetic dataset.

Everything here is plain data plus a few tiny helpers; the seeder draws from it
with its own seeded random generator, so the text is the same on every run.
Frequent words ("invoice", "payment", "delivery") make the common searches,
generated code names (each in a few dozen entries) make the rare ones.
"""

ADJECTIVES = (
    "Northern Blue Silver Golden Red Green Iron Pacific Atlantic Alpine Summit Pioneer Crescent Evergreen "
    "Granite Harbor Coastal Royal Eastern Western Southern Central Bright Swift Noble Grand Prime Union "
    "United Modern Classic Urban Rapid Solid Clear Open Bold Polar Amber Cedar Maple"
).split()
NOUNS = (
    "Oak River Peak Bridge Field Stone Wind Lake Ridge Valley Forge Mill Gate Point Bay Hill Rock Star "
    "Harbor Anchor Falcon Lion Wolf Bear Eagle Crown Arrow Beacon Compass Harvest Meadow Orchard Tower "
    "Castle Delta Summit Spring Canyon Island"
).split()
INDUSTRIES = (
    "Logistics Foods Textiles Engineering Pharma Retail Systems Tooling Plastics Packaging Metals Chemicals "
    "Electronics Motors Furniture Paper Glass Energy Transport Construction Brewing Dairy Printing Optics "
    "Robotics Ceramics Timber Apparel Medical Marine"
).split()
LEGAL = "Ltd GmbH Inc. SA BV AB plc LLC Oy srl AG SAS NV Corp. & Co.".split()

FIRST_NAMES = (
    "Anna Ben Clara David Eva Felix Greta Hugo Ida Jonas Karin Lars Mia Nils Olga Paul Rita Sven Tara Ulf "
    "Vera Will Yara Zoe Amir Bea Carlos Dana Emil Fatima George Hana Ivan Julia Kofi Lena Marco Nora Omar "
    "Priya Quentin Rosa Sami Tomas Uma Victor Wen Xavier Yusuf Zara Alice Bruno Chloe Diego Elena Frank "
    "Gina Henrik Ines Jan Kate Luca Maja Noah Oscar Pia Rafael Sofia Theo Ursula Valentin Wanda Aiko Bilal "
    "Camille Dmitri Esther Finn Giulia Hassan Ingrid Jamal Keiko Liam Marta Nadia Otto Paula Rui Selin"
).split()
LAST_NAMES = (
    "Smith Jones Müller Schmidt Dubois Martin Rossi Bianchi García López Jansen de Vries Nilsson Andersson "
    "Kowalski Nowak Novak Horvat Papadopoulos Silva Santos Murphy Kelly Brown Taylor Wilson Evans Walker "
    "Wright Green Hall Wood Clarke Fischer Weber Meyer Wagner Becker Hoffmann Moreau Laurent Simon Michel "
    "Lefebvre Leroy Romano Colombo Ricci Marino Fernández González Pérez Sánchez Hansen Johansson Larsen "
    "Virtanen Korhonen Dvořák Svoboda Kovács Tóth Ionescu Popescu Yilmaz Kaya Cohen Levi Khan Patel Singh "
    "Tanaka Suzuki Kim Lee Chen Wang Nguyen Tran O'Brien MacLeod Fraser"
).split()
TITLES = (
    "CFO|Finance Director|Head of Accounts Payable|AP Clerk|Controller|Treasurer|Purchasing Manager|"
    "Procurement Lead|CEO|COO|Operations Manager|IT Manager|Plant Manager|Office Manager|Buyer|"
    "Credit Manager|Accountant|Logistics Coordinator|Managing Director|Assistant to the CFO"
).split("|")
CITIES = (
    "Leeds Lyon Rotterdam Hamburg Turin Porto Gdansk Malmo Tampere Graz Ghent Bilbao Cork Aarhus Brno "
    "Leipzig Nantes Sheffield Bristol Utrecht Antwerp Seville Krakow Dresden Bergen Lille Bremen Verona "
    "Boston Denver Austin Portland Pittsburgh Toronto Montreal Chicago Atlanta Phoenix Nashville Dayton "
    "Detroit Cleveland Tacoma Omaha Richmond Memphis Raleigh Tulsa Fresno Spokane Akron Albany Madison "
    "Pune Osaka Perth Adelaide Auckland"
).split()
PRODUCTS = (
    "pallets|conveyor belts|resin|steel coils|packaging film|labels|spare parts|hydraulic pumps|"
    "cleaning supplies|forklift rentals|safety gloves|printer toner|cardboard boxes|copper wire|"
    "industrial valves|LED panels|office chairs|lab reagents|shipping containers|solar modules|"
    "bearings|fasteners|paint|adhesives|filters|sensors|cables|motors|uniforms|coffee machines"
).split("|")
TOPICS = (
    "pricing|delivery schedule|quality complaint|contract renewal|credit limit|payment terms|"
    "volume forecast|new product line|service level|warehouse move|budget freeze|audit|"
    "tender|framework agreement|rebate|freight costs|returns|late deliveries|statement of account|"
    "remittance advice|purchase order numbers|direct debit mandate|VAT number|bank details"
).split("|")
MONTHS = "January February March April May June July August September October November December".split()
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
TAGS = (
    "escalation vip renewal credit-hold pricing logistics q4 strategic at-risk upsell legal "
    "month-end portal onboarding"
).split()
ACCOUNT_TAGS = "enterprise smb strategic retail manufacturing public-sector wholesale key-account new".split()
METHODS = ("bank transfer", "bank transfer", "direct debit", "card", "cheque", "SEPA credit transfer")
TIME_ZONES = {
    "EUR": (
        "Europe/Berlin",
        "Europe/Paris",
        "Europe/Madrid",
        "Europe/Amsterdam",
        "Europe/Rome",
        "Europe/Vienna",
        "Europe/Brussels",
        "Europe/Helsinki",
        "Europe/Dublin",
        "Europe/Lisbon",
    ),
    "USD": (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Phoenix",
        "America/Toronto",
        "America/Sao_Paulo",
        "Asia/Singapore",
    ),
    "GBP": ("Europe/London", "Europe/London", "Europe/London", "Europe/Dublin"),
}
# Zones a contact may be in, away from the account's: half-hour and 45-minute offsets included.
CONTACT_ZONES = (
    "Asia/Kolkata",
    "Australia/Adelaide",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/Warsaw",
    "Europe/Stockholm",
    "Europe/Zurich",
    "America/Mexico_City",
    "UTC",
)
LANGUAGES = ("en", "en", "en-GB", "de", "fr", "es", "it", "nl", "sv", "pl", "pt-BR", "fi")
ROLES = ("BILLING", "ACCOUNTS_PAYABLE", "DECISION_MAKER", "TECHNICAL", "OTHER")
CHANNELS = ("PHONE", "EMAIL", "EMAIL", "SMS", "LETTER", "MEETING", "PORTAL")

NEWS = {
    "DOWNSIZING": (
        "{account} is closing the {city} plant",
        "Layoffs announced: {n} jobs cut in {city}",
        "{account} sells its {product} division",
        "Hiring freeze and shift cuts at {account}",
    ),
    "FINANCIAL_DIFFICULTY": (
        "{account} delays supplier payments",
        "Credit rating downgraded to {rating}",
        "{account} files a profit warning for {quarter}",
        "Bank covenant breach reported at {account}",
        "Insurer cuts credit cover for {account}",
    ),
    "EXPANSION": (
        "New warehouse opening in {city}",
        "{account} wins a large {product} contract",
        "{account} adds a second line in {city}",
    ),
    "LEADERSHIP_CHANGE": (
        "New CFO: {first} {last}",
        "{first} {last} steps down as CEO",
        "New head of purchasing: {first} {last}",
    ),
    "MERGER_ACQUISITION": (
        "{account} to be acquired by {company}",
        "{account} merges with {company}",
    ),
    "RELOCATION": ("Head office moves to {city}", "Accounts payable team moves to {city}"),
    "OTHER": ("Stand at the {city} trade fair", "{account} in the news for {product}"),
}

NOTES = (
    "{first} says the {city} plant will {change} in {quarter}",
    "Budget review for {product} moved to {month}",
    "New purchasing process: invoices must quote the PO number",
    "Asked for the {product} price list in {currency}",
    "{first} prefers {channel} for payment reminders",
    "Discussed {topic} with {first}",
    "Customer unhappy about {topic}",
    "{first} will be on leave until {month}",
    "Reminder: {account} pays only on the {day}th",
    "Volume for {product} expected to rise in {quarter}",
    "Open question on {topic} from {first}",
    "Project {code} kicked off with {first} {last}",
    "Heard that {account} plans to {change} next year",
)
CHANGES = ("close", "expand", "move", "automate", "downsize", "restructure", "merge with a rival")
CALLS = (
    "Called {first} about invoice {invoice}",
    "Call with {first} on {topic}",
    "{first} called about {topic}",
    "Payment reminder call for invoice {invoice}",
    "Follow-up call on the {product} order",
    "Courtesy call before the {month} statement",
)
EMAILS = (
    "Sent statement of account to {first}",
    "Reminder for invoice {invoice} sent",
    "{first} replied: payment scheduled for {month}",
    "Email from {first} about {topic}",
    "Copy of invoice {invoice} requested",
    "Remittance advice received from {first}",
    "Quote for {product} sent to {first}",
)
MEETINGS = (
    "Quarterly review in {city} with {first} {last}",
    "Site visit at the {city} warehouse",
    "Contract renewal meeting about {product}",
    "Workshop on {topic} with the {account} team",
)
LETTERS = ("Formal reminder letter for invoice {invoice}", "Letter about {topic} sent to {first}")
SMS_TEXTS = ("Texted {first} a reminder for invoice {invoice}", "SMS from {first}: call back tomorrow")
FOLLOW_UPS = (
    "Call {first} back about invoice {invoice}",
    "Check that the {month} payment arrived",
    "Send the {product} contract draft",
    "Chase remittance advice from {first}",
    "Review credit limit for {account}",
)
SENTENCES = (
    "{first} confirmed that the {product} order goes ahead.",
    "They asked us to send invoices to the accounts payable mailbox.",
    "The {city} site is short of staff until {month}.",
    "Payment is usually released in the second week of the month.",
    "We agreed to review {topic} again in {quarter}.",
    "{first} mentioned a new approval step for anything above {amount} {currency}.",
    "No issues with the last delivery of {product}.",
    "The purchase order for invoice {invoice} was missing.",
    "They are comparing our prices for {product} with a competitor.",
    "{first} {last} from finance joins the next call.",
    "Project {code} is on hold until the budget is approved.",
    "Please mention the PO number on every invoice.",
    "The delivery to {city} arrived two days late.",
    "Management changes in {city} may delay approvals.",
    "They want to move to quarterly invoicing.",
    "Remittance advice will come from the {city} office.",
    "Expect a partial payment before {month}.",
    "{first} was friendly and asked about the {product} roadmap.",
)
DISPUTE_TEXTS = {
    "PRICING": "Price on invoice {invoice} differs from the quote",
    "QUANTITY": "Invoice {invoice} bills more {product} than delivered",
    "QUALITY": "Damaged {product} delivered, invoice {invoice} on hold",
    "NOT_RECEIVED": "Goods for invoice {invoice} never arrived",
    "DUPLICATE_BILLING": "Invoice {invoice} duplicates an earlier one",
    "BILLING_ERROR": "Wrong VAT on invoice {invoice}",
    "OTHER": "Customer questions invoice {invoice}",
}
RESOLUTIONS = (
    "Credit note issued for the difference.",
    "Customer accepted the invoice after reviewing the delivery notes.",
    "Replacement goods sent; invoice stands.",
    "Duplicate cancelled.",
    "Rejected: the quote had expired.",
)
RATINGS = ("BB+", "BB", "BB-", "B+", "B", "CCC")
DELETE_REASONS = ("logged on the wrong account", "duplicate", "contained personal data")

_SYLLABLES = (
    "ka ri to ven mor sa lin dra quo bel tem nix pra vo lu zen gar fi sol mer tha cor vik ael rin"
).split()


def code_names(rng, count: int) -> list[str]:
    """`count` distinct invented words ("Valtorin"): each appears in few documents, for rare searches."""
    names: set[str] = set()
    result = []
    while len(result) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((3, 3, 4)))).capitalize()
        if word not in names and len(word) >= 6:
            names.add(word)
            result.append(word)
    return result


COMMON_QUERIES = (
    "invoice",
    "payment reminder",
    "delivery",
    "pricing",
    "statement of account",
    "plant",
    "purchase order",
    "contract renewal",
    "remittance advice",
    "credit",
)
TYPO_QUERIES = (
    "invocie",
    "paymnet reminder",
    "delivry",
    "remitance",
    "statment",
    "purchse order",
    "warehuose",
    "contrcat renewal",
)
