"""`rapport import`: spreadsheets in, keyed by external refs, all or nothing per batch, repeatable.

Each test runs the CLI in a subprocess against the test database and uses refs
of its own, so tests never see each other's rows.
"""

import asyncio
import csv
import uuid
from pathlib import Path

import pytest

from domain.teams import Team
from tests.test_cli import rapport

ACCOUNT_COLUMNS = ["external_system", "external_id", "name", "tags", "time_zone", "status"]
CONTACT_COLUMNS = [
    "account_system",
    "account_id",
    "name",
    "title",
    "roles",
    "email",
    "phone",
    "preferred_channel",
    "time_zone",
    "language",
    "do_not_contact",
]
INVOICE_COLUMNS = [
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
]


@pytest.fixture
def system() -> str:
    """An external system of this test's own."""
    return f"erp-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def cli(settings):
    async def run(*args: str):
        return await asyncio.to_thread(rapport, *args, DATABASE_URL=settings.database_url)

    return run


def write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(header)
        out.writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


async def trail(pool) -> tuple[int, int]:
    """How many audit and outbox rows exist: an import that changes nothing adds none."""
    async with pool.acquire() as conn:
        return (
            await conn.fetchval("SELECT count(*) FROM audit_log"),
            await conn.fetchval("SELECT count(*) FROM outbox"),
        )


async def account_rows(pool, system: str) -> dict[str, dict]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT r.external_id, a.* FROM account_refs r JOIN accounts a ON a.id = r.account_id"
            " WHERE r.system = $1",
            system,
        )
    return {row["external_id"]: dict(row) for row in rows}


async def import_accounts(cli, tmp_path: Path, system: str, count: int = 2) -> None:
    rows = [[system, f"C-{n}", f"Customer {n}", "", "", ""] for n in range(1, count + 1)]
    result = await cli("import", "accounts", str(write(tmp_path / "base.csv", ACCOUNT_COLUMNS, rows)))
    assert result.returncode == 0, result.stderr


def invoice(system: str, n: int, account: str = "C-1", **changes: str) -> list[str]:
    row = {
        "external_system": system,
        "external_id": f"INV-{n}",
        "account_system": system,
        "account_id": account,
        "number": f"INV-{n}",
        "issued_on": "2026-01-05",
        "due_on": "2026-02-04",
        "currency": "EUR",
        "total": "1200.00",
        "balance": "1200.00",
        "status": "OPEN",
        **changes,
    }
    return [row[column] for column in INVOICE_COLUMNS]


async def test_accounts_are_upserted_and_a_second_run_changes_nothing(cli, pool, tmp_path, system):
    path = write(
        tmp_path / "accounts.csv",
        ACCOUNT_COLUMNS,
        [
            [system, "C-1", "Northwind Traders", "key; uk", "Europe/London", "ACTIVE"],
            [system, "C-2", "Contoso", "", "Europe/Berlin", "on_hold"],
            [system, "C-3", "Fabrikam", "", "", ""],
        ],
    )
    first = await cli("import", "accounts", str(path))
    assert first.returncode == 0, first.stderr
    assert "3 created, 0 updated, 0 unchanged, 0 rejected" in first.stdout
    stored = await account_rows(pool, system)
    assert stored["C-1"]["tags"] == ["key", "uk"]
    assert stored["C-1"]["time_zone"] == "Europe/London"
    assert stored["C-2"]["status"] == "ON_HOLD"
    assert (stored["C-3"]["status"], stored["C-3"]["time_zone"]) == ("ACTIVE", "UTC")
    async with pool.acquire() as conn:
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'importAccounts' AND actor_id IS NULL"
            " AND entity_id = ANY($1::uuid[])",
            [row["id"] for row in stored.values()],
        )
        queued = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE entity_type = 'account' AND entity_id = ANY($1::uuid[])",
            [row["id"] for row in stored.values()],
        )
    assert (audited, queued) == (3, 3)

    before = await trail(pool)
    again = await cli("import", "accounts", str(path))
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 3 unchanged, 0 rejected" in again.stdout
    assert await trail(pool) == before
    assert await account_rows(pool, system) == stored

    # An edited sheet changes exactly what changed; empty cells leave the stored values alone.
    write(
        path,
        ACCOUNT_COLUMNS,
        [
            [system, "C-1", "Northwind Traders Ltd", "", "", ""],
            [system, "C-2", "Contoso", "", "Europe/Berlin", "ON_HOLD"],
            [system, "C-3", "Fabrikam", "", "", ""],
        ],
    )
    edited = await cli("import", "accounts", str(path))
    assert "0 created, 1 updated, 2 unchanged" in edited.stdout
    renamed = (await account_rows(pool, system))["C-1"]
    assert (renamed["name"], renamed["tags"], renamed["version"]) == (
        "Northwind Traders Ltd",
        ["key", "uk"],
        2,
    )
    async with pool.acquire() as conn:
        reindexed = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE entity_type = 'account_name' AND entity_id = $1", renamed["id"]
        )
    assert reindexed == 1


async def test_contacts_are_keyed_by_account_name_and_email_and_updated_in_place(cli, pool, tmp_path, system):
    await import_accounts(cli, tmp_path, system)
    rows = [
        [
            system,
            "C-1",
            "Margaret Pike",
            "AP Manager",
            "billing;accounts_payable",
            "mp@example.com",
            "+44 113 496 0101",
            "email",
            "Europe/London",
            "en",
            "false",
        ],
        [system, "C-2", "Klaus Becker", "", "ACCOUNTS_PAYABLE", "kb@example.com", "", "", "", "de", ""],
    ]
    path = write(tmp_path / "contacts.csv", CONTACT_COLUMNS, rows)
    first = await cli("import", "contacts", str(path))
    assert first.returncode == 0, first.stderr
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in first.stdout

    async def people() -> dict[str, dict]:
        async with pool.acquire() as conn:
            found = await conn.fetch(
                "SELECT c.* FROM contacts c JOIN account_refs r ON r.account_id = c.account_id"
                " WHERE r.system = $1",
                system,
            )
        return {row["name"]: dict(row) for row in found}

    stored = await people()
    margaret = stored["Margaret Pike"]
    assert margaret["roles"] == ["BILLING", "ACCOUNTS_PAYABLE"]
    assert (margaret["preferred_channel"], margaret["do_not_contact"]) == ("EMAIL", False)

    before = await trail(pool)
    again = await cli("import", "contacts", str(path))
    assert "0 created, 0 updated, 2 unchanged" in again.stdout
    assert await trail(pool) == before
    assert await people() == stored

    # Same name and email (in any case): the same person, updated in place; an empty phone erases nothing.
    # Another email is another person.
    rows[0] = [system, "C-1", "margaret pike", "AP Director", "", "MP@example.com", "", "", "", "", "true"]
    rows.append([system, "C-1", "Margaret Pike", "", "", "margaret@home.example", "", "", "", "", ""])
    edited = await cli("import", "contacts", str(write(path, CONTACT_COLUMNS, rows)))
    assert edited.returncode == 0, edited.stderr
    assert "1 created, 1 updated, 1 unchanged" in edited.stdout
    after = await people()
    updated = after["margaret pike"]
    assert updated["id"] == margaret["id"]
    assert (updated["title"], updated["do_not_contact"], updated["version"]) == ("AP Director", True, 2)
    assert updated["phone"] == "+44 113 496 0101"
    assert after["Margaret Pike"]["email"] == "margaret@home.example"
    async with pool.acquire() as conn:
        audit = await conn.fetchrow(
            "SELECT before, after FROM audit_log WHERE action = 'importContacts' AND entity_id = $1"
            " ORDER BY id DESC LIMIT 1",
            margaret["id"],
        )
    assert (audit["before"], audit["after"]) == ({"version": 1}, {"version": 2})


async def test_invoices_are_upserted_with_their_status_entries_and_a_rerun_changes_nothing(
    cli, pool, tmp_path, system
):
    await import_accounts(cli, tmp_path, system)
    rows = [invoice(system, 1), invoice(system, 2, "C-2", currency="usd", status="paid", balance="0")]
    path = write(tmp_path / "invoices.csv", INVOICE_COLUMNS, rows)
    first = await cli("import", "invoices", str(path))
    assert first.returncode == 0, first.stderr
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in first.stdout

    async def stored() -> dict[str, dict]:
        async with pool.acquire() as conn:
            found = await conn.fetch("SELECT * FROM invoices WHERE ext_system = $1", system)
        return {row["ext_id"]: dict(row) for row in found}

    async def status_entries() -> list[str]:
        async with pool.acquire() as conn:
            return await conn.fetchval(
                "SELECT array_agg(e.summary || ' by ' || e.team ORDER BY e.summary) FROM entries e"
                " JOIN entry_invoices ei ON ei.account_id = e.account_id AND ei.entry_id = e.id"
                " JOIN invoices i ON i.account_id = ei.account_id AND i.id = ei.invoice_id"
                " WHERE i.ext_system = $1 AND e.kind = 'INVOICE_STATUS'",
                system,
            )

    invoices = await stored()
    assert (invoices["INV-2"]["currency"], invoices["INV-2"]["status"]) == ("USD", "PAID")
    assert await status_entries() == [
        "Invoice INV-1 recorded as OPEN by INTEGRATION",
        "Invoice INV-2 recorded as PAID by INTEGRATION",
    ]

    before = await trail(pool)
    again = await cli("import", "invoices", str(path))
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in again.stdout
    assert await trail(pool) == before
    assert await stored() == invoices

    rows[0] = invoice(system, 1, balance="0", status="PAID")
    paid = await cli("import", "invoices", str(write(path, INVOICE_COLUMNS, rows)))
    assert "0 created, 1 updated, 1 unchanged" in paid.stdout
    assert "Invoice INV-1: OPEN → PAID by INTEGRATION" in await status_entries()


async def test_a_bad_row_rejects_its_whole_batch_and_is_reported_while_other_batches_import(
    cli, pool, tmp_path, system
):
    await import_accounts(cli, tmp_path, system)
    rows = [invoice(system, n) for n in range(1, 1501)]
    rows[498] = invoice(system, 499, total="100.00", balance="250.00")  # line 500, in the first batch
    path = write(tmp_path / "invoices.csv", INVOICE_COLUMNS, rows)
    result = await cli("import", "invoices", str(path))
    assert result.returncode == 1
    assert "500 created, 0 updated, 0 unchanged, 1 rejected, 999 not imported" in result.stdout
    report = tmp_path / "invoices.rejected.csv"
    assert str(report) in result.stderr
    rejected = read(report)
    assert list(rejected[0]) == [*INVOICE_COLUMNS, "line", "reason"]
    assert [(r["line"], r["external_id"], r["reason"]) for r in rejected] == [
        ("500", "INV-499", "balance must not exceed total.")
    ]
    async with pool.acquire() as conn:
        numbers = {
            row["ext_id"]
            for row in await conn.fetch("SELECT ext_id FROM invoices WHERE ext_system = $1", system)
        }
    assert numbers == {f"INV-{n}" for n in range(1001, 1501)}

    # Fixed, the same file goes in whole: what is in stays unchanged, and the stale report goes.
    rows[498] = invoice(system, 499)
    fixed = await cli("import", "invoices", str(write(path, INVOICE_COLUMNS, rows)))
    assert fixed.returncode == 0, fixed.stderr
    assert "1,000 created, 0 updated, 500 unchanged, 0 rejected" in fixed.stdout
    assert not report.exists()


async def test_every_bad_row_of_a_batch_is_reported_with_its_line_and_reason(cli, pool, tmp_path, system):
    await import_accounts(cli, tmp_path, system)
    path = write(
        tmp_path / "mixed.csv",
        INVOICE_COLUMNS,
        [
            invoice(system, 1),
            invoice(system, 2, account="C-404"),
            invoice(system, 3, due_on="2025-12-31", currency="EURO"),
            invoice(system, 4, issued_on="05/01/2026", total="12,00"),
            invoice(system, 1),
            invoice(system, 6),
            invoice(system, 7),
        ],
    )
    result = await cli("import", "invoices", str(path), "--batch-size", "5")
    assert result.returncode == 1
    assert "2 created, 0 updated, 0 unchanged, 4 rejected, 1 not imported" in result.stdout
    reasons = {row["line"]: row["reason"] for row in read(tmp_path / "mixed.rejected.csv")}
    assert reasons == {
        "3": f"account_id: no account has the external ref {system}:C-404.",
        "4": "currency: 'EURO' is not an ISO 4217 currency code. due_on must not be before issued_on.",
        "5": "issued_on must be a date as YYYY-MM-DD (got '05/01/2026'). "
        "total must be a number such as 1234.50 (got '12,00').",
        "6": "this invoice (same external_system and external_id) already appears on line 2.",
    }


async def test_an_invoice_dated_outside_the_calendar_range_is_rejected(cli, pool, tmp_path, system):
    await import_accounts(cli, tmp_path, system)
    rows = [
        invoice(system, 1, issued_on="0001-01-01", due_on="0001-01-01"),
        invoice(system, 2, due_on="9999-12-31"),
        invoice(system, 3, issued_on="1900-01-01", due_on="2199-12-31"),
    ]
    result = await cli("import", "invoices", str(write(tmp_path / "ancient.csv", INVOICE_COLUMNS, rows)))
    assert result.returncode == 1
    assert [(row["line"], row["reason"]) for row in read(tmp_path / "ancient.rejected.csv")] == [
        (
            "2",
            "issued_on is out of range: 1900-01-01 to 2199-12-31 (UTC). "
            "due_on is out of range: 1900-01-01 to 2199-12-31 (UTC).",
        ),
        ("3", "due_on is out of range: 1900-01-01 to 2199-12-31 (UTC)."),
    ]
    rest = await cli("import", "invoices", str(write(tmp_path / "ends.csv", INVOICE_COLUMNS, rows[2:])))
    assert rest.returncode == 0, rest.stderr
    assert await pool.fetchval("SELECT count(*) FROM invoices WHERE ext_system = $1", system) == 1


async def test_a_paid_invoice_with_a_balance_left_is_rejected(cli, pool, tmp_path, system):
    await import_accounts(cli, tmp_path, system)
    path = write(
        tmp_path / "paid.csv", INVOICE_COLUMNS, [invoice(system, 1, status="PAID", balance="200.00")]
    )
    result = await cli("import", "invoices", str(path))
    assert result.returncode == 1
    assert [(row["line"], row["reason"]) for row in read(tmp_path / "paid.rejected.csv")] == [
        ("2", "balance: a PAID invoice has no balance left: send 0, or the status PARTIALLY_PAID.")
    ]
    assert await pool.fetchval("SELECT count(*) FROM invoices WHERE ext_system = $1", system) == 0


async def test_an_unknown_account_ref_rejects_a_contact_row(cli, tmp_path, system):
    await import_accounts(cli, tmp_path, system)
    path = write(
        tmp_path / "contacts.csv",
        ["account_system", "account_id", "name"],
        [[system, "C-1", "Ann"], [system, "C-9", "Bob"]],
    )
    result = await cli("import", "contacts", str(path))
    assert result.returncode == 1
    assert "0 created, 0 updated, 0 unchanged, 1 rejected, 1 not imported" in result.stdout
    rejected = read(tmp_path / "contacts.rejected.csv")
    assert [(r["line"], r["name"], r["reason"]) for r in rejected] == [
        ("3", "Bob", f"account_id: no account has the external ref {system}:C-9.")
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            ["external_system", "external_id", "account_system", "account_id", "number", "total"],
            "the header of invoices.csv lacks columns issued_on, due_on, currency, balance, status;",
        ),
        (
            [*INVOICE_COLUMNS, "notes"],
            "the header of invoices.csv has unknown column notes;",
        ),
        (
            [c for c in INVOICE_COLUMNS if c != "due_on"] + ["duedate"],
            "the header of invoices.csv lacks column due_on and has unknown column duedate;",
        ),
    ],
)
async def test_a_wrong_header_is_one_sentence_and_exit_2(cli, pool, tmp_path, header, message):
    path = write(tmp_path / "invoices.csv", header, [["x"] * len(header)])
    before = await trail(pool)
    result = await cli("import", "invoices", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "invoices files have the columns external_system, external_id," in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert await trail(pool) == before


async def test_an_empty_or_missing_file_is_one_sentence_and_exit_2(cli, tmp_path):
    (tmp_path / "empty.csv").write_text("")
    for path, message in (
        (tmp_path / "empty.csv", "empty.csv is empty; the first line must name the columns"),
        (tmp_path / "nowhere.csv", "nowhere.csv does not exist."),
    ):
        result = await cli("import", "accounts", str(path))
        assert result.returncode == 2
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


async def test_the_importer_named_with_as_is_audited_and_must_be_allowed(
    cli, pool, make_caller, tmp_path, system
):
    ar, sales = await make_caller(Team.AR), await make_caller(Team.SALES)
    await import_accounts(cli, tmp_path, system)
    path = write(tmp_path / "invoices.csv", INVOICE_COLUMNS, [invoice(system, 1)])

    refused = await cli("import", "invoices", str(path), "--as", sales.user.email)
    assert refused.returncode == 2
    assert "in the SALES team, which may not write invoices and payments" in refused.stderr

    result = await cli("import", "invoices", str(path), "--as", ar.user.email)
    assert result.returncode == 0, result.stderr
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT a.actor_id, e.team FROM audit_log a JOIN invoices i ON i.id = a.entity_id"
            " JOIN entry_invoices ei ON ei.invoice_id = i.id AND ei.account_id = i.account_id"
            " JOIN entries e ON e.id = ei.entry_id AND e.account_id = ei.account_id"
            " WHERE i.ext_system = $1 AND a.action = 'importInvoices'",
            system,
        )
    assert (row["actor_id"], row["team"]) == (ar.user.id, "AR")


def test_the_import_commands_list_their_columns_in_their_help():
    for kind, column in (("accounts", "external_id"), ("contacts", "do_not_contact"), ("invoices", "due_on")):
        result = rapport("import", kind, "--help")
        assert result.returncode == 0
        assert column in result.stdout
    assert rapport("demo", "--help").returncode == 0


async def test_an_owner_column_per_team_names_the_owner_by_email(cli, pool, make_caller, tmp_path, system):
    ada = await make_caller(Team.AR)
    sam = await make_caller(Team.SALES)
    header = [*ACCOUNT_COLUMNS, "ar_owner", "sales_owner"]
    path = write(
        tmp_path / "owners.csv",
        header,
        [
            [system, "C-1", "Northwind", "", "", "", ada.user.email.upper(), sam.user.email],
            [system, "C-2", "Contoso", "", "", "", "", ""],
        ],
    )
    first = await cli("import", "accounts", str(path))
    assert first.returncode == 0, first.stderr
    stored = await account_rows(pool, system)
    async with pool.acquire() as conn:
        owners = await conn.fetch(
            "SELECT team, user_id FROM account_owners WHERE account_id = $1 ORDER BY team",
            stored["C-1"]["id"],
        )
        none = await conn.fetchval(
            "SELECT count(*) FROM account_owners WHERE account_id = $1", stored["C-2"]["id"]
        )
    assert [(o["team"], o["user_id"]) for o in owners] == [("AR", ada.user.id), ("SALES", sam.user.id)]
    assert none == 0
    # a second run changes nothing
    before = await trail(pool)
    again = await cli("import", "accounts", str(path))
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in again.stdout
    assert await trail(pool) == before
    # an owner of the wrong team, or an unknown email, rejects the row and writes nothing
    bad = write(
        tmp_path / "bad.csv",
        header,
        [
            [system, "C-1", "Northwind", "", "", "", sam.user.email, ""],
            [system, "C-2", "Contoso", "", "", "", "", "nobody@example.test"],
        ],
    )
    refused = await cli("import", "accounts", str(bad))
    assert refused.returncode == 1
    rejected = read(tmp_path / "bad.rejected.csv")
    assert [(r["line"], r["reason"]) for r in rejected] == [
        ("2", f"ar_owner: {sam.user.email} is in SALES, not AR."),
        ("3", "sales_owner: no enabled user has the email nobody@example.test."),
    ]
    assert await trail(pool) == before
