"""The audit log as ADMIN reads it: every change to an account, with who made it."""

from datetime import datetime

import asyncpg
import strawberry
from strawberry.scalars import JSON

from schema import ids
from schema.types.common import Connection
from schema.types.user import User

_NODE_TYPES = {"account": "Account", "contact": "Contact", "entry": "Entry", "invoice": "Invoice"}


@strawberry.type(
    description="One change: who (null for the service itself), what, when, and to which object."
)
class AuditEntry:
    at: datetime = strawberry.field(description="When the change was committed.")
    actor: User | None = strawberry.field(
        description="Who made it; null for the service itself or an import without --as."
    )
    action: str = strawberry.field(description="The mutation or command, e.g. logNote, deleteEntry.")
    entity_type: str = strawberry.field(
        description="What kind of object changed: account, contact, entry or invoice."
    )
    entity_id: strawberry.ID | None = strawberry.field(description="A global id where the object has one.")
    before: JSON | None = strawberry.field(
        description="Small facts before the change (ids, versions, visibility, delete "
        "reasons), never free text; null on creation."
    )
    after: JSON | None = strawberry.field(
        description="Small facts after the change, never free text; null when there are none."
    )

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "AuditEntry":
        node_type = _NODE_TYPES.get(row["entity_type"])
        entity = row["entity_id"]
        return cls(
            at=row["at"],
            actor=User.from_row(row, "actor_") if row["actor_id"] else None,
            action=row["action"],
            entity_type=row["entity_type"],
            entity_id=strawberry.ID(ids.encode(node_type, entity)) if node_type and entity else None,
            before=row["before"],
            after=row["after"],
        )


@strawberry.type(description="A page of the audit log, newest first.")
class AuditEntryConnection(Connection[AuditEntry]):
    pass
