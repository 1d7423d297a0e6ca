"""The entry enums of the API, built from domain/'s so both speak the same values."""

import strawberry

from domain import entries as rules
from domain import promises

EntryKind = strawberry.enum(rules.EntryKind, name="EntryKind")
PromiseStatus = strawberry.enum(
    promises.PromiseStatus,
    name="PromiseStatus",
    description="CANCELLED if cancelled; KEPT if payments from recordedAt up to promisedFor + graceDays "
    "cover the amount; BROKEN once past that date unpaid; else OPEN.",
)
Visibility = strawberry.enum(
    rules.Visibility, name="Visibility", description="RESTRICTED: AR and ADMIN only, everywhere."
)
Direction = strawberry.enum(rules.Direction, name="Direction")
InteractionOutcome = strawberry.enum(rules.InteractionOutcome, name="InteractionOutcome")
NewsCategory = strawberry.enum(rules.NewsCategory, name="NewsCategory")
DisputeReason = strawberry.enum(rules.DisputeReason, name="DisputeReason")
DisputeStatus = strawberry.enum(rules.DisputeStatus, name="DisputeStatus")
