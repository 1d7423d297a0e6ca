"""Changes to an entry already on a timeline: cancel, resolve, complete, edit, pin, delete.

Each locks the live entry the actor may see, checks, changes it and records
the change (audit, outbox, timeline event) in the caller's transaction.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from domain.actors import Actor
from domain.commands.entries import DisputeResolution, EntryDeletion, EntryEdit, EntryPin, FollowUpSnooze
from domain.entries import DELETE_REASON_MAX, RESOLUTION_MAX, DisputeStatus, EntryKind, Visibility
from domain.permissions import Write, may_change_entry
from domain.redaction import redact
from domain.validation import SUMMARY_MAX, Checker, Problem, Rejected, conflict, forbidden, not_found
from services import notifications
from services.entries import check_text, record
from store import entries, receivables_summary

# Where the entry's id sits in the request: a bare argument, or a field of `input`.
ID_ARGUMENT = ("id",)
ID_FIELD = ("input", "id")

# Changes the row and says what to audit: {"before": ..., "after": ..., "op": ...}.
Change = Callable[[asyncpg.Record], Awaitable[dict]]


async def _change(
    conn: asyncpg.Connection,
    actor: Actor,
    entry_id: UUID,
    action: str,
    change: Change,
    *,
    path: tuple[str, ...],
    write: Write | None = None,
    kind: EntryKind | None = None,
) -> UUID:
    """Lock the visible entry (of `kind`, if given), let `change` act on it, record it.

    `write` is the permission the change needs; without one, `change` decides
    (editing and deleting depend on who wrote the entry).
    """
    if write is not None:
        actor.require(write)
    row = await entries.lock_entry(conn, entry_id, restricted=actor.sees_restricted)
    if row is None:
        raise not_found(path, "entry")
    if kind is not None and row["kind"] != kind.value:
        raise Rejected(Problem(path, f"this entry is a {row['kind']}, not a {kind.value}."))
    audited = await change(row)
    await record(conn, actor, action, row["account_id"], row["id"], **audited)
    if EntryKind(row["kind"]) in receivables_summary.KINDS:
        await receivables_summary.refresh(conn, [row["account_id"]])
    return row["id"]


@dataclass(frozen=True, slots=True)
class _Once:
    """A change an entry undergoes once in its life; a second try is a CONFLICT."""

    action: str
    kind: EntryKind
    write: Write
    column: str  # set when it happens
    refusal: str
    fact: str  # what the audit row says became true


_CANCEL = _Once(
    "cancelPromise",
    EntryKind.PROMISE_TO_PAY,
    Write.PROMISES,
    "cancelled_at",
    "this promise is already cancelled.",
    "cancelled",
)
_COMPLETE = _Once(
    "completeFollowUp", EntryKind.FOLLOW_UP, Write.NOTES, "done", "this follow-up is already done.", "done"
)


async def _once(
    conn: asyncpg.Connection,
    actor: Actor,
    entry_id: UUID,
    once: _Once,
    value: object,
    path: tuple[str, ...] = ID_ARGUMENT,
    account_id: UUID | None = None,
) -> UUID:
    """`account_id`: the entry must be on this account (a call completing a follow-up of its own account)."""

    async def change(row: asyncpg.Record) -> dict:
        if account_id is not None and row["account_id"] != account_id:
            raise Rejected(Problem(path, f"this {once.kind.value} is on another account."))
        if row[once.column]:
            raise conflict(once.refusal, path)
        await entries.update_entry(conn, row, {once.column: value})
        return {"after": {once.fact: True}}

    return await _change(
        conn, actor, entry_id, once.action, change, path=path, write=once.write, kind=once.kind
    )


async def cancel_promise(conn: asyncpg.Connection, actor: Actor, entry_id: UUID) -> UUID:
    return await _once(conn, actor, entry_id, _CANCEL, datetime.now(UTC))


async def complete_follow_up(
    conn: asyncpg.Connection,
    actor: Actor,
    entry_id: UUID,
    path: tuple[str, ...] = ID_ARGUMENT,
    account_id: UUID | None = None,
) -> UUID:
    return await _once(conn, actor, entry_id, _COMPLETE, True, path, account_id)


async def snooze_follow_up(conn: asyncpg.Connection, actor: Actor, snooze: FollowUpSnooze) -> UUID:
    """A later due time; the audit row and the timeline event keep the history (from, to, why)."""

    async def change(row: asyncpg.Record) -> dict:
        check = Checker()
        check.instant("dueAt", snooze.due_at)
        check.text("reason", snooze.reason, max_len=SUMMARY_MAX)
        if snooze.due_at <= datetime.now(UTC):
            check.add("dueAt", "dueAt must be in the future: a follow-up is snoozed to a later time.")
        check.settle()
        if row["done"]:
            raise conflict(_COMPLETE.refusal, ID_FIELD)
        await entries.update_entry(conn, row, {"due_at": snooze.due_at})
        before, after = {"dueAt": row["due_at"].isoformat()}, {"dueAt": snooze.due_at.isoformat()}
        return {"before": before, "after": {**after, "reason": redact(snooze.reason)}}

    return await _change(
        conn,
        actor,
        snooze.entry_id,
        "snoozeFollowUp",
        change,
        path=ID_FIELD,
        write=Write.NOTES,
        kind=EntryKind.FOLLOW_UP,
    )


async def reassign_follow_up(
    conn: asyncpg.Connection, actor: Actor, entry_id: UUID, assignee_id: UUID
) -> UUID:
    """Someone else's to do now; they hear of it (ASSIGNED) unless they gave it to themselves."""

    async def change(row: asyncpg.Record) -> dict:
        visibility = Visibility(row["visibility"])
        await notifications.check_people(conn, [assignee_id], visibility, ("assigneeId",), listed=False)
        if row["done"]:
            raise conflict(_COMPLETE.refusal, ID_ARGUMENT)
        await entries.update_entry(conn, row, {"assignee_id": assignee_id})
        await notifications.notify(
            conn,
            actor,
            row["account_id"],
            row["id"],
            kind=EntryKind.FOLLOW_UP,
            visibility=visibility,
            assignee_id=assignee_id,
            watched=False,
        )
        previous = str(row["assignee_id"]) if row["assignee_id"] else None
        return {"before": {"assigneeId": previous}, "after": {"assigneeId": str(assignee_id)}}

    return await _change(
        conn,
        actor,
        entry_id,
        "reassignFollowUp",
        change,
        path=ID_ARGUMENT,
        write=Write.NOTES,
        kind=EntryKind.FOLLOW_UP,
    )


async def resolve_dispute(conn: asyncpg.Connection, actor: Actor, resolution: DisputeResolution) -> UUID:
    async def change(row: asyncpg.Record) -> dict:
        check = Checker()
        check.text("resolution", resolution.resolution, max_len=RESOLUTION_MAX, required=True)
        if resolution.status == DisputeStatus.OPEN:
            check.add("status", "a dispute is resolved as RESOLVED or REJECTED.")
        check.settle()
        if row["dispute_status"] != DisputeStatus.OPEN.value:
            raise conflict(f"this dispute is already {row['dispute_status']}.", ID_FIELD)
        resolved = {
            "dispute_status": resolution.status.value,
            "resolution": redact(resolution.resolution),
            "resolved_at": resolution.resolved_at or datetime.now(UTC),
        }
        await entries.update_entry(conn, row, resolved)
        return {"before": {"status": DisputeStatus.OPEN.value}, "after": {"status": resolution.status.value}}

    return await _change(
        conn,
        actor,
        resolution.entry_id,
        "resolveDispute",
        change,
        path=ID_FIELD,
        write=Write.DISPUTES,
        kind=EntryKind.DISPUTE,
    )


async def edit_entry(conn: asyncpg.Connection, actor: Actor, edit: EntryEdit) -> UUID:
    async def change(row: asyncpg.Record) -> dict:
        if not may_change_entry(actor.team, actor.user_id, row["author_id"]):
            raise forbidden("you may edit only your own entries (ADMIN may edit any).", ID_FIELD)
        check = Checker()
        check_text(check, edit.summary, edit.body, edit.tags)
        if edit.summary is None and edit.body is None and edit.tags is None and edit.mention_ids is None:
            check.add(None, "give a summary, body or tags to change.")
        check.settle()
        if row["revision"] != edit.expected_revision:
            raise conflict(
                f"the entry is at revision {row['revision']}, not {edit.expected_revision}: "
                "someone else edited it; reload and apply your change again.",
                ("input", "expectedRevision"),
            )
        edits = {
            name: value
            for name, value in (
                ("summary", redact(edit.summary)),
                ("body", redact(edit.body)),
                ("tags", list(edit.tags) if edit.tags is not None else None),
            )
            if value is not None
        }
        if edit.mention_ids is not None:
            kind, visibility = EntryKind(row["kind"]), Visibility(row["visibility"])
            named = await notifications.check_people(
                conn, edit.mention_ids, visibility, ("input", "mentionIds")
            )
            await notifications.mention(
                conn, actor, row["account_id"], row["id"], named, kind=kind, visibility=visibility
            )
        await entries.edit_entry(conn, row, actor.user_id, edits)
        return {"before": {"revision": row["revision"]}, "after": {"revision": row["revision"] + 1}}

    return await _change(conn, actor, edit.entry_id, "editEntry", change, path=ID_FIELD)


async def pin_entry(conn: asyncpg.Connection, actor: Actor, pin: EntryPin) -> UUID:
    async def change(row: asyncpg.Record) -> dict:
        await entries.update_entry(conn, row, {"pinned": pin.pinned})
        return {"before": {"pinned": row["pinned"]}, "after": {"pinned": pin.pinned}}

    return await _change(conn, actor, pin.entry_id, "pinEntry", change, path=ID_ARGUMENT, write=Write.PIN)


async def delete_entry(conn: asyncpg.Connection, actor: Actor, deletion: EntryDeletion) -> UUID:
    async def change(row: asyncpg.Record) -> dict:
        if not may_change_entry(actor.team, actor.user_id, row["author_id"]):
            raise forbidden("you may delete only your own entries (ADMIN may delete any).", ID_ARGUMENT)
        check = Checker(prefix=())
        check.text("reason", deletion.reason, max_len=DELETE_REASON_MAX, required=True)
        check.settle()
        reason = redact(deletion.reason)
        await entries.soft_delete(conn, row, actor.user_id, reason)
        return {"before": {"kind": row["kind"]}, "after": {"deleted": True, "reason": reason}, "op": "delete"}

    return await _change(conn, actor, deletion.entry_id, "deleteEntry", change, path=ID_ARGUMENT)
