"""What each compilable field is in SQL: the schema's types mapped onto the tables.

Values are written as the executor writes them (compiler/formats.py). A field
missing here (the call brief, receivables, reachability: rules computed in
Python over several rows) sends its operation to the executor.
"""

from graphql import GraphQLObjectType

from compiler import connections, derived, formats
from compiler.builder import NotCompilable
from compiler.root import QUERY
from compiler.rules import ENTRY_INTERFACE, Rule, column, constant, many, money, one, user

ACCOUNT = {
    "id": column(formats.global_id("Account", "{t}.id")),
    "name": column("{t}.name"),
    "status": column("{t}.status"),
    "tags": column("to_json({t}.tags)"),
    "timeZone": column("{t}.time_zone"),
    "createdAt": column(formats.instant("{t}.created_at")),
    "updatedAt": column(formats.instant("{t}.updated_at")),
    "version": column("{t}.version"),
    "externalRefs": many(
        "(SELECT r.system, r.external_id FROM account_refs r WHERE r.account_id = {t}.id) {c}",
        "{c}.system, {c}.external_id",
    ),
    "owner": user("owner_id"),
    "contacts": many("contacts {c} WHERE {c}.account_id = {t}.id", "lower({c}.name), {c}.id"),
    "preferences": many("preferences {c} WHERE {c}.account_id = {t}.id", "{c}.key"),
}

USER = {
    "id": column(formats.global_id("User", "{t}.id")),
    "email": column("{t}.email"),
    "name": column("{t}.name"),
    "team": column("{t}.team"),
}

CONTACT = {
    "id": column(formats.global_id("Contact", "{t}.id")),
    "name": column("{t}.name"),
    "title": column("{t}.title"),
    "roles": column("to_json({t}.roles)"),
    "email": column("{t}.email"),
    "phone": column("{t}.phone"),
    "preferredChannel": column("{t}.preferred_channel"),
    # The account's zone is read only for a contact without one of its own (coalesce stops early).
    "timeZone": column(
        "coalesce({t}.time_zone, (SELECT a.time_zone FROM accounts a WHERE a.id = {t}.account_id))"
    ),
    "language": column("{t}.language"),
    "doNotContact": column("{t}.do_not_contact"),
    "version": column("{t}.version"),
    "account": one("accounts {c} WHERE {c}.id = {t}.account_id"),
    "windows": many("contact_windows {c} WHERE {c}.contact_id = {t}.id", "{c}.position"),
}

CONTACT_WINDOW = {
    "kind": column("{t}.kind"),
    "daysOfWeek": column(formats.array_or_null("{t}.days_of_week")),
    "weeksOfMonth": column(formats.array_or_null("{t}.weeks_of_month")),
    "startTime": column(formats.clock("{t}.start_time")),
    "endTime": column(formats.clock("{t}.end_time")),
    "fromDate": column(formats.day("{t}.from_date")),
    "untilDate": column(formats.day("{t}.until_date")),
    "note": column("{t}.note"),
}

PREFERENCE = {
    "key": column("{t}.key"),
    "value": column("{t}.value"),
    "note": column("{t}.note"),
    "setAt": column(formats.instant("{t}.set_at")),
    "setBy": user("set_by"),
}

INVOICE = {
    "id": column(formats.global_id("Invoice", "{t}.id")),
    "number": column("{t}.number"),
    "externalRef": one(
        "(SELECT {t}.ext_system AS system, {t}.ext_id AS external_id) {c} WHERE {c}.system IS NOT NULL"
    ),
    "issuedOn": column(formats.day("{t}.issued_on")),
    "dueOn": column(formats.day("{t}.due_on")),
    "total": money("{t}.total"),
    "balance": money("{t}.balance"),
    "status": column("{t}.status"),
    "account": one("accounts {c} WHERE {c}.id = {t}.account_id"),
}

EXTERNAL_REF = {"system": column("{t}.system"), "id": column("{t}.external_id")}

MONEY = {"amount": column(formats.decimal("{t}.amount")), "currency": column("{t}.currency")}

ENTRY = {
    "id": column(formats.global_id("Entry", "{t}.id")),
    "account": one("accounts {c} WHERE {c}.id = {t}.account_id"),
    "kind": column("{t}.kind"),
    "occurredAt": column(formats.instant("{t}.occurred_at")),
    "recordedAt": column(formats.instant("{t}.recorded_at")),
    "author": user("author_id"),
    "team": column("{t}.team"),
    "summary": column("{t}.summary"),
    "body": column("{t}.body"),
    "contact": one("contacts {c} WHERE {c}.account_id = {t}.account_id AND {c}.id = {t}.contact_id"),
    "invoices": many(
        "invoices {c} WHERE ({c}.account_id, {c}.id) IN"
        " (SELECT ei.account_id, ei.invoice_id FROM entry_invoices ei WHERE ei.entry_id = {t}.id)",
        "{c}.number, {c}.id",
    ),
    "tags": column("to_json({t}.tags)"),
    "pinned": column("{t}.pinned"),
    "visibility": column("{t}.visibility"),
    "revision": column("{t}.revision"),
    "eventCursor": constant("null::json"),
    "revisions": many("entry_revisions {c} WHERE {c}.entry_id = {t}.id", "{c}.revision DESC"),
}

ENTRY_REVISION = {
    "revision": column("{t}.revision"),
    "summary": column("{t}.summary"),
    "body": column("{t}.body"),
    "tags": column("to_json({t}.tags)"),
    "editedBy": user("edited_by"),
    "editedAt": column(formats.instant("{t}.edited_at")),
}

# The fields an entry type adds to the common ones.
ENTRY_DETAILS = {
    "Interaction": {"direction": column("{t}.direction"), "outcome": column("{t}.outcome")},
    "CustomerNews": {"category": column("{t}.category")},
    "PromiseToPay": {
        "amount": money("{t}.amount"),
        "promisedFor": column(formats.day("{t}.promised_for")),
        "graceDays": column("{t}.grace_days"),
    },
    "Dispute": {
        "reason": column("{t}.dispute_reason"),
        "amount": money("{t}.amount"),
        "status": column("{t}.dispute_status"),
        "resolvedAt": column(formats.instant("{t}.resolved_at")),
        "resolution": column("{t}.resolution"),
    },
    "PaymentPlan": {
        "installments": many(
            "(SELECT i.item, i.ord, {t}.currency FROM jsonb_array_elements({t}.installments)"
            " WITH ORDINALITY AS i(item, ord)) {c}",
            "{c}.ord",
        )
    },
    "InvoiceStatusChange": {"fromStatus": column("{t}.from_status"), "toStatus": column("{t}.to_status")},
    "PaymentReceived": {
        "amount": money("{t}.amount"),
        "receivedOn": column(formats.day("{t}.received_on")),
        "method": column("{t}.method"),
        "reference": column("{t}.reference"),
    },
    "FollowUp": {
        "dueAt": column(formats.instant("{t}.due_at")),
        "done": column("{t}.done"),
        "assignee": user("assignee_id"),
    },
}


INSTALLMENT = {
    "dueOn": column(formats.day("({t}.item->>'dueOn')::date")),
    "amount": money("({t}.item->>'amount')::numeric"),
}


ACCOUNT |= connections.ACCOUNT_FIELDS
INVOICE |= connections.INVOICE_FIELDS | derived.INVOICE_FIELDS
ENTRY_DETAILS["PromiseToPay"] |= derived.PROMISE_FIELDS

RULES: dict[str, dict[str, Rule]] = {
    "Query": QUERY,
    "Account": ACCOUNT,
    "User": USER,
    "Contact": CONTACT,
    "ContactWindow": CONTACT_WINDOW,
    "Preference": PREFERENCE,
    "Invoice": INVOICE,
    "ExternalRef": EXTERNAL_REF,
    "Money": MONEY,
    "EntryRevision": ENTRY_REVISION,
    "Installment": INSTALLMENT,
}


def rule_for(type_: GraphQLObjectType, name: str) -> Rule:
    fields = RULES.get(type_.name)
    if fields is None and any(interface.name == ENTRY_INTERFACE for interface in type_.interfaces):
        fields = ENTRY_DETAILS.get(type_.name, {}) | ENTRY
    if fields is None or name not in fields:
        raise NotCompilable(f"{type_.name}.{name}")
    return fields[name]
