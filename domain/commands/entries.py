"""The changes a timeline entry can undergo, as the services take them.

Ids are already decoded, enums are domain enums, amounts Decimals: a command
says what the caller wants, not how GraphQL or a CSV spelled it. Optional
fields stay None when the caller gave nothing, so a default (grace days,
visibility) is applied once, by the service.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from domain.entries import (
    Direction,
    DisputeReason,
    DisputeStatus,
    EntryKind,
    InteractionOutcome,
    NewsCategory,
    Visibility,
)


@dataclass(frozen=True, slots=True)
class NoteDetail:
    pass


@dataclass(frozen=True, slots=True)
class InteractionDetail:
    kind: EntryKind
    direction: Direction
    outcome: InteractionOutcome | None = None


@dataclass(frozen=True, slots=True)
class NewsDetail:
    category: NewsCategory


@dataclass(frozen=True, slots=True)
class PromiseDetail:
    amount: Decimal
    currency: str
    promised_for: date
    grace_days: int | None = None


@dataclass(frozen=True, slots=True)
class DisputeDetail:
    reason: DisputeReason
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Installment:
    due_on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PlanDetail:
    currency: str
    installments: tuple[Installment, ...]


@dataclass(frozen=True, slots=True)
class FollowUpDetail:
    due_at: datetime
    assignee_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class NextFollowUp:
    """What a call schedules next (e.g. call back tomorrow after NO_ANSWER); assignee None: the caller."""

    summary: str
    due_at: datetime
    assignee_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class CallFollowThrough:
    """What a logged interaction does to the follow-ups: completes one, schedules the next."""

    completes_follow_up_id: UUID | None = None
    next_follow_up: NextFollowUp | None = None


@dataclass(frozen=True, slots=True)
class FollowUpSnooze:
    entry_id: UUID
    due_at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry to write on an account's timeline.

    `detail` carries what its kind adds: one of the *Detail classes above, or a
    payments.PaymentRecord; its type says the kind (services.entries.new_entry).
    """

    account_id: UUID
    detail: object
    summary: str | None = None
    body: str | None = None
    contact_id: UUID | None = None
    invoice_ids: tuple[UUID, ...] = ()
    tags: tuple[str, ...] | None = None
    occurred_at: datetime | None = None
    visibility: Visibility | None = None
    idempotency_key: str | None = None
    mention_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class EntryEdit:
    """None leaves a part as it is; `mention_ids` replaces whom the entry names."""

    entry_id: UUID
    expected_revision: int
    summary: str | None = None
    body: str | None = None
    tags: tuple[str, ...] | None = None
    mention_ids: tuple[UUID, ...] | None = None


@dataclass(frozen=True, slots=True)
class DisputeResolution:
    entry_id: UUID
    status: DisputeStatus
    resolution: str
    resolved_at: datetime | None = None  # None: now; a history being loaded names its own time


@dataclass(frozen=True, slots=True)
class EntryPin:
    entry_id: UUID
    pinned: bool


@dataclass(frozen=True, slots=True)
class EntryDeletion:
    entry_id: UUID
    reason: str
