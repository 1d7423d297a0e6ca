"""Search documents, built from the rows store/documents.py returns.

A document id is "<type>-<uuid>", so every entity has exactly one document
and an upsert or delete by id is idempotent.
"""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.invoices import CLOSED_STATUSES

TYPES = {"entry": "ENTRY", "account": "ACCOUNT", "contact": "CONTACT", "invoice": "INVOICE"}


def document_id(entity_type: str, entity_id: UUID | str) -> str:
    return f"{entity_type}-{entity_id}"


def parse_document_id(doc_id: str) -> tuple[str, UUID]:
    entity_type, _, raw = doc_id.partition("-")
    return entity_type, UUID(raw)


def _base(entity_type: str, row: Mapping[str, Any]) -> dict:
    return {
        "id": document_id(entity_type, row["id"]),
        "type": TYPES[entity_type],
        "accountId": str(row["account_id"]),
        "accountName": row["account_name"],
    }


def entry_document(row: Mapping[str, Any]) -> dict:
    return {
        **_base("entry", row),
        "kind": row["kind"],
        "team": row["team"],
        "tags": list(row["tags"]),
        "visibility": row["visibility"],
        "occurredAt": int(row["occurred_at"].timestamp()),
        "summary": row["summary"],
        "body": row["body"] or "",
        "contactNames": [row["contact_name"]] if row["contact_name"] else [],
        "invoiceNumbers": list(row["invoice_numbers"]),
    }


def account_document(row: Mapping[str, Any]) -> dict:
    return {
        **_base("account", row),
        "summary": row["account_name"],
        "tags": list(row["tags"]),
        "visibility": "ALL_TEAMS",
        "occurredAt": int(row["updated_at"].timestamp()),
    }


def contact_document(row: Mapping[str, Any]) -> dict:
    details = [row[k] for k in ("title", "email", "phone") if row[k]]
    return {
        **_base("contact", row),
        "summary": row["name"],
        "contactNames": [row["name"]],
        "body": " · ".join(details),
        "visibility": "ALL_TEAMS",
        "occurredAt": int(row["updated_at"].timestamp()),
    }


def invoice_document(row: Mapping[str, Any]) -> dict:
    state = "closed" if row["status"] in CLOSED_STATUSES else f"due {row['due_on']}"
    return {
        **_base("invoice", row),
        "summary": f"Invoice {row['number']}: {row['status']}, {row['balance']:.2f} of "
        f"{row['total']:.2f} {row['currency']} {state}",
        "invoiceNumbers": [row["number"]],
        "visibility": "ALL_TEAMS",
        "occurredAt": int(row["updated_at"].timestamp()),
    }


BUILDERS = {
    "entry": entry_document,
    "account": account_document,
    "contact": contact_document,
    "invoice": invoice_document,
}
