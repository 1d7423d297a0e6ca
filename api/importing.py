"""`rapport import`: the spreadsheets AR teams already keep, brought in by external ref.

This is an edge like /graphql: it turns CSV cells into the commands the
mutations build (api/import_rows.py, with the same rules, domain/records.py)
and writes them through the same services as the mutations, which also write
the audit and outbox rows. A file is read twice: once to check its header and count its rows (so the
progress bar knows the end and a wrong file fails before anything is written),
then to import it in batches of at most 1,000 rows, each in ONE transaction.

A batch with any bad row writes none of its rows, so nothing is ever half
imported; every bad row goes to FILE.rejected.csv with its line and reason, and
the other batches go on. Every row is an upsert keyed by external refs, so the
fix is to correct the file and run it again: what is already in stays as it is.
A key that appears twice in a file is rejected the second time, because two
versions of one record would otherwise flip on every run.
"""

import csv
from collections.abc import Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from api.import_rows import OWNER_COLUMNS, Cells, Row, parse_account, parse_contact, parse_invoice
from domain.actors import Actor
from domain.commands.contacts import CONTACT_FIELDS, NewContact
from domain.commands.invoices import InvoiceUpsert
from domain.commands.people import AccountOwnerChange
from domain.permissions import Write
from domain.records import plausible_ref
from domain.validation import BATCH_MAX, Checker, Problem, Rejected
from services import accounts as account_changes
from services import contacts as contact_changes
from services import invoices, people
from services.accounts import Upserted
from services.transaction import retrying
from store import accounts, users


class BadFile(Exception):
    """The file cannot be imported at all (missing, not UTF-8 CSV, a wrong header); one sentence."""


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class Summary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # good rows not imported because their batch had a bad one
    next_line: int = 2  # where the import stands: every row before it is done
    report: Path | None = None


async def resolve_accounts(conn: asyncpg.Connection, rows: list[Row]) -> list[tuple[Row, Problem]]:
    """Find the account each row names; a ref no account has is that row's problem."""
    refs = [row.value.account_ref for row in rows if plausible_ref(*row.value.account_ref)]
    found = await accounts.account_ids_by_refs(conn, refs)
    problems = []
    for row in rows:
        row.value.account_id = found.get(row.value.account_ref)
        if row.value.account_id is None and plausible_ref(*row.value.account_ref):
            system, external_id = row.value.account_ref
            problems.append(
                (row, Problem(("account_id",), f"no account has the external ref {system}:{external_id}."))
            )
    return problems


def _counts(outcomes: list[Upserted]) -> Counts:
    return Counts(
        outcomes.count(Upserted.CREATED), outcomes.count(Upserted.UPDATED), outcomes.count(Upserted.UNCHANGED)
    )


async def resolve_owners(conn: asyncpg.Connection, rows: list[Row]) -> list[tuple[Row, Problem]]:
    """Find the user each owner column names: enabled, and in the column's team."""
    emails = {email for row in rows for email in row.value.owner_emails.values()}
    found = {email: await users.user_by_email(conn, email) for email in sorted(emails)}
    enabled = await users.enabled_teams(conn, [user.id for user in found.values() if user])
    problems = []
    for row in rows:
        for column, email in row.value.owner_emails.items():
            user, team = found[email], OWNER_COLUMNS[column]
            if user is None or user.id not in enabled:
                problems.append((row, Problem((column,), f"no enabled user has the email {email}.")))
            elif user.team != team:
                problems.append(
                    (row, Problem((column,), f"{email} is in {user.team.value}, not {team.value}."))
                )
            else:
                row.value.owner_ids[team] = user.id
    return problems


async def write_accounts(conn: asyncpg.Connection, rows: list[Row], actor: Actor, action: str) -> Counts:
    """Each row's account, then its owners; a row whose only change is an owner counts as updated."""
    items = [row.value.item for row in rows]
    results = await account_changes.upsert_accounts(conn, actor, items, action=action)
    outcomes = []
    for row, (account, outcome) in zip(rows, results, strict=True):
        changed = [
            await people.apply_owner(conn, actor, AccountOwnerChange(account["id"], team, user_id))
            for team, user_id in row.value.owner_ids.items()
        ]
        outcomes.append(Upserted.UPDATED if outcome == Upserted.UNCHANGED and any(changed) else outcome)
    return _counts(outcomes)


async def write_contacts(conn: asyncpg.Connection, rows: list[Row], actor: Actor, action: str) -> Counts:
    """Each row creates a contact, or updates the one with the same account, name and email."""
    items = [NewContact(account_id=row.value.account_id, details=row.value.details) for row in rows]
    results = await contact_changes.merge_contacts(conn, actor, items, action=action)
    return _counts([outcome for _, outcome in results])


async def write_invoices(conn: asyncpg.Connection, rows: list[Row], actor: Actor, action: str) -> Counts:
    """The rows are checked (import_rows.py), their accounts found and their keys unique in the file."""
    placed = [
        (
            row.value.account_id,
            InvoiceUpsert(
                account_system=row.value.account_ref[0],
                account_external_id=row.value.account_ref[1],
                **row.value.values,
            ),
        )
        for row in rows
    ]
    outcome = await invoices.write_invoices(conn, actor, placed, action=action)
    return Counts(outcome.created, outcome.updated, outcome.unchanged)


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    write: Write  # what a user must be allowed to write to be named as its importer
    action: str  # the audit log's action
    parse: Callable[[Checker, Cells], tuple[Any, Hashable]]
    resolve: Callable[[asyncpg.Connection, list[Row]], Awaitable[list[tuple[Row, Problem]]]] | None
    store: Callable[[asyncpg.Connection, list[Row], Actor, str], Awaitable[Counts]]
    what: str  # how a duplicate is named

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS = {
    "accounts": Kind(
        name="accounts",
        required=("external_system", "external_id", "name"),
        optional=("tags", "time_zone", "status", *OWNER_COLUMNS),
        write=Write.UPSERT_ACCOUNTS,
        action="importAccounts",
        parse=parse_account,
        resolve=resolve_owners,
        store=write_accounts,
        what="this account (same external_system and external_id)",
    ),
    "contacts": Kind(
        name="contacts",
        required=("account_system", "account_id", "name"),
        optional=tuple(name for name in CONTACT_FIELDS if name != "name"),
        write=Write.ACCOUNTS,
        action="importContacts",
        parse=parse_contact,
        resolve=resolve_accounts,
        store=write_contacts,
        what="this contact (same account, name and email)",
    ),
    "invoices": Kind(
        name="invoices",
        required=(
            "external_system",
            "external_id",
            "account_system",
            "account_id",
            "number",
            "issued_on",
            "due_on",
            "currency",
            "total",
            "balance",
            "status",
        ),
        optional=(),
        write=Write.INVOICES,
        action="importInvoices",
        parse=parse_invoice,
        resolve=resolve_accounts,
        store=write_invoices,
        what="this invoice (same external_system and external_id)",
    ),
}


def report_path(path: Path) -> Path:
    """invoices.csv -> invoices.rejected.csv, next to the input."""
    stem = path.stem if path.suffix.lower() == ".csv" else path.name
    return path.with_name(f"{stem}.rejected.csv")


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells); blank lines and rows of empty cells are skipped."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            line = 1
            try:
                for cells in reader:
                    if any(cell.strip() for cell in cells):
                        yield line, cells
                    line = reader.line_num + 1
            except UnicodeDecodeError:
                raise BadFile(
                    f"{path.name} is not UTF-8 text (near line {line}); save it as 'CSV UTF-8'."
                ) from None
            except csv.Error as error:
                raise BadFile(f"{path.name} is not readable CSV at line {line}: {error}.") from None
    except FileNotFoundError:
        raise BadFile(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise BadFile(f"{path} is a directory, not a CSV file.") from None
    except PermissionError:
        raise BadFile(f"{path} cannot be read (permission denied).") from None


def _columns_text(kind: Kind) -> str:
    text = ", ".join(kind.required)
    return f"{text} and optionally {', '.join(kind.optional)}" if kind.optional else text


def _header(path: Path, kind: Kind, cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if len(names) == 1 and ";" in names[0]:
        raise BadFile(
            f"{path.name} separates its columns with ';'; Rapport reads comma-separated files, "
            "so save it as 'CSV UTF-8 (comma delimited)'."
        )
    missing = [name for name in kind.required if name not in names]
    unknown = [name or "(empty)" for name in names if name not in kind.columns]
    twice = sorted({name for name in names if name and names.count(name) > 1})
    faults = []
    if missing:
        faults.append(f"lacks {_plural('column', missing)}")
    if unknown:
        faults.append(f"has unknown {_plural('column', unknown)}")
    if twice:
        faults.append(f"repeats {_plural('column', twice)}")
    if faults:
        raise BadFile(
            f"the header of {path.name} {' and '.join(faults)}; {kind.name} files have the columns "
            f"{_columns_text(kind)}."
        )
    return names


def _plural(word: str, names: list[str]) -> str:
    return f"{word}{'s' if len(names) > 1 else ''} {', '.join(names)}"


def check_file(path: Path, kind: Kind) -> int:
    """Check the header and every record's CSV syntax; returns the number of rows to import."""
    records = _records(path)
    first = next(records, None)
    if first is None:
        raise BadFile(f"{path.name} is empty; the first line must name the columns {_columns_text(kind)}.")
    _header(path, kind, first[1])
    return sum(1 for _ in records)


def _reason(problems: list[Problem]) -> str:
    said = []
    for problem in problems:
        column = problem.field[0] if problem.field else None
        message = problem.message
        if column and not message.startswith(column):
            message = f"{column}: {message}"
        said.append(message)
    return " ".join(said)


def _parse(kind: Kind, names: list[str], line: int, raw: list[str]) -> Row:
    row = Row(line=line, raw=raw)
    check = Checker(prefix=())
    if len(raw) > len(names) and any(cell.strip() for cell in raw[len(names) :]):
        check.add(None, f"the row has {len(raw)} cells but the header names {len(names)} columns.")
    row.value, row.key = kind.parse(check, Cells(dict(zip(names, raw, strict=False))))
    row.problems = check.problems
    return row


class Report:
    """FILE.rejected.csv, written as rows are rejected: the original columns, then line and reason."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self._header = header
        self._file = None
        self._writer = None

    def add(self, row: Row, reason: str) -> None:
        if self._writer is None:
            self._file = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._file)
            self._writer.writerow([*self._header, "line", "reason"])
        cells = (row.raw + [""] * len(self._header))[: len(self._header)]
        self._writer.writerow([*cells, row.line, reason])

    def close(self) -> Path | None:
        """The report's path if any row was rejected; a stale report of an earlier run is removed."""
        if self._file is None:
            self.path.unlink(missing_ok=True)
            return None
        self._file.close()
        return self.path


async def _write_batch(
    conn: asyncpg.Connection, kind: Kind, rows: list[Row], actor: Actor
) -> tuple[Counts | None, dict[int, list[Problem]]]:
    """Counts if the batch went in; else every bad row's problems by line, and nothing written."""

    async def work(conn: asyncpg.Connection) -> tuple[Counts | None, dict[int, list[Problem]]]:
        bad = {row.line: list(row.problems) for row in rows if row.problems}
        for row, problem in await kind.resolve(conn, rows) if kind.resolve else []:
            bad.setdefault(row.line, []).append(problem)
        if bad:
            return None, bad
        return await kind.store(conn, rows, actor, kind.action), {}

    try:
        return await retrying(conn, work)
    except Rejected as rejected:
        # A record changed under the import (a contact edited meanwhile): nothing of the batch is
        # written; running the file again applies it on top of the change.
        message = f"not imported, the batch changed meanwhile ({rejected}); run the import again."
        return None, {row.line: [Problem((), message)] for row in rows}


async def import_file(
    conn: asyncpg.Connection,
    kind: Kind,
    path: Path,
    *,
    actor: Actor,
    batch_size: int = BATCH_MAX,
    progress: Callable[[int], None] = lambda done: None,
    summary: Summary | None = None,
) -> Summary:
    """Import `path` (already checked by check_file); `summary` shows how far it got if it stops."""
    summary = summary or Summary()
    records = _records(path)
    _, header = next(records)
    names = _header(path, kind, header)
    report = Report(report_path(path), header)
    first_seen: dict[Hashable, int] = {}
    try:
        batch: list[Row] = []
        for line, raw in records:
            row = _parse(kind, names, line, raw)
            # A bad row's key may be nonsense (blank refs); it is rejected anyway.
            if not row.problems:
                if row.key in first_seen:
                    row.problems.append(
                        Problem((), f"{kind.what} already appears on line {first_seen[row.key]}.")
                    )
                else:
                    first_seen[row.key] = line
            batch.append(row)
            if len(batch) == batch_size:
                await _run_batch(conn, kind, batch, actor, summary, report, progress)
                batch = []
        if batch:
            await _run_batch(conn, kind, batch, actor, summary, report, progress)
    finally:
        summary.report = report.close()
    return summary


async def _run_batch(
    conn: asyncpg.Connection,
    kind: Kind,
    rows: list[Row],
    actor: Actor,
    summary: Summary,
    report: Report,
    progress: Callable[[int], None],
) -> None:
    counts, bad = await _write_batch(conn, kind, rows, actor)
    summary.rows += len(rows)
    if counts is not None:
        summary.created += counts.created
        summary.updated += counts.updated
        summary.unchanged += counts.unchanged
    else:
        for row in rows:
            if row.line in bad:
                report.add(row, _reason(bad[row.line]))
        summary.rejected += len(bad)
        summary.skipped += len(rows) - len(bad)
    summary.next_line = rows[-1].line + 1
    progress(len(rows))
