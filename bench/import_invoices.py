"""Benchmark, not a test: how fast `rapport import invoices` takes 100,000 invoices.

The target is 100,000 invoices in under a minute. The script makes a scratch
database on the server DATABASE_URL points at, migrates it, imports 1,000
accounts, then times the invoice import end to end (a `rapport` subprocess,
start-up included), first into the empty database and then again with the
same file (every row unchanged), and drops the database.

    .venv/bin/rapport stack -- .venv/bin/python bench/import_invoices.py [--rows 100000]
"""

import argparse
import asyncio
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import importing, migrate  # noqa: E402

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK")
STATUSES = ("OPEN", "OPEN", "OPEN", "PARTIALLY_PAID", "PAID", "DISPUTED", "DRAFT")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def write_files(folder: Path, rows: int, accounts: int) -> tuple[Path, Path]:
    rng = random.Random(42)  # noqa: S311 - sample data
    accounts_csv, invoices_csv = folder / "accounts.csv", folder / "invoices.csv"
    with accounts_csv.open("w", newline="") as file:
        out = csv.writer(file)
        out.writerow(importing.KINDS["accounts"].required + importing.KINDS["accounts"].optional)
        for n in range(accounts):
            out.writerow(["erp", f"C-{n:05d}", f"Customer {n:05d}", "bench", "Europe/Berlin", "ACTIVE"])
    today = date.today()
    with invoices_csv.open("w", newline="") as file:
        out = csv.writer(file)
        out.writerow(importing.KINDS["invoices"].required)
        for n in range(rows):
            issued = today - timedelta(days=rng.randrange(0, 400))
            total = rng.randrange(1_000, 5_000_000) / 100
            status = rng.choice(STATUSES)
            balance = 0 if status == "PAID" else (total / 2 if status == "PARTIALLY_PAID" else total)
            out.writerow(
                [
                    "erp",
                    f"INV-{n:07d}",
                    "erp",
                    f"C-{rng.randrange(accounts):05d}",
                    f"INV-{n:07d}",
                    issued.isoformat(),
                    (issued + timedelta(days=30)).isoformat(),
                    rng.choice(CURRENCIES),
                    f"{total:.2f}",
                    f"{balance:.2f}",
                    status,
                ]
            )
    return accounts_csv, invoices_csv


def rapport(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "api", *args], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"rapport {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return seconds, result


async def admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        sys.exit("DATABASE_URL is not set: run this under `.venv/bin/rapport stack -- ...`")
    name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
    url = with_database(server_url, name)
    env = {**os.environ, "DATABASE_URL": url}
    asyncio.run(admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(url)
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            accounts_csv, invoices_csv = write_files(Path(folder), args.rows, args.accounts)
            print(f"wrote {args.rows:,} invoices in {time.perf_counter() - started:.1f} s")
            rapport(env, "import", "accounts", str(accounts_csv))
            for run in ("first import (all created)", "same file again (all unchanged)"):
                seconds, result = rapport(env, "import", "invoices", str(invoices_csv))
                print(f"{run}: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s")
                print(f"  {result.stdout.strip()}")
    finally:
        asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
