"""Accounts and contacts have one write path: GraphQL and the CSV import leave the same trail.

The same change, made once through a mutation and once through the import,
must write the same audit rows (but for the action's name, which says who
asked), the same outbox rows and the same wake-ups; and the import redacts
free text exactly as the mutations do.
"""

import uuid
from pathlib import Path
from uuid import UUID

import asyncpg

from api import importing
from domain.actors import Actor
from domain.teams import Team
from schema import ids
from tests.test_import import ACCOUNT_COLUMNS, CONTACT_COLUMNS, write

CARD = "4111 1111 1111 1111"
MASKED = "**** **** **** 1111"
# The import names itself where a mutation names the mutation; everything else is the same.
IMPORT_ACTIONS = {
    "importAccounts": "upsertAccounts",
    "importContacts:create": "createContact",
    "importContacts:update": "updateContact",
}
UPSERT = """
mutation ($s: String!, $id: String!, $n: String!) {
  upsertAccounts(input: [{externalRef: {system: $s, id: $id}, name: $n, tags: ["x"]}]) {
    accounts { id } userErrors { message }
  }
}
"""
CREATE_CONTACT = """
mutation ($a: ID!, $n: String!, $t: String) {
  createContact(input: {accountId: $a, name: $n, title: $t, email: "pat@example.com",
                        roles: [BILLING], preferredChannel: EMAIL}) {
    contact { id name title version } userErrors { message }
  }
}
"""
UPDATE_CONTACT = """
mutation ($id: ID!, $t: String!) {
  updateContact(input: {id: $id, expectedVersion: 1, title: $t}) { contact { id } userErrors { message } }
}
"""
CONTACT_ROW = ["Pat Doe", "{title}", "billing", "pat@example.com", "", "email", "", "", ""]


async def trail(pool: asyncpg.Pool, account_id: UUID) -> list[tuple]:
    """The account's audit and outbox rows in order, ids named by role rather than value."""
    async with pool.acquire() as conn:
        audit = await conn.fetch(
            "SELECT action, entity_type, entity_id, before, after FROM audit_log"
            " WHERE account_id = $1 ORDER BY id",
            account_id,
        )
        outbox = await conn.fetch(
            "SELECT entity_type, entity_id, op FROM outbox WHERE account_id = $1 ORDER BY id", account_id
        )

    def role(entity_id: UUID | None) -> str | None:
        return None if entity_id is None else "account" if entity_id == account_id else "other"

    return [
        *[
            ("audit", row["action"], row["entity_type"], role(row["entity_id"]), row["before"], row["after"])
            for row in audit
        ],
        *[("outbox", row["entity_type"], role(row["entity_id"]), row["op"]) for row in outbox],
    ]


def as_mutation(rows: list[tuple], contact_actions: list[str]) -> list[tuple]:
    """The import's trail with its actions named as the mutations name them."""
    said = iter(contact_actions)
    renamed = []
    for row in rows:
        if row[0] == "audit" and row[1] == "importAccounts":
            row = (row[0], IMPORT_ACTIONS["importAccounts"], *row[2:])
        elif row[0] == "audit" and row[1] == "importContacts":
            row = (row[0], IMPORT_ACTIONS[f"importContacts:{next(said)}"], *row[2:])
        renamed.append(row)
    return renamed


async def run_import(pool: asyncpg.Pool, kind: str, path: Path) -> importing.Summary:
    async with pool.acquire() as conn:
        summary = await importing.import_file(
            conn, importing.KINDS[kind], path, actor=Actor(user_id=None, team=Team.INTEGRATION)
        )
    assert summary.rejected == 0, path.with_name(f"{path.stem}.rejected.csv").read_text()
    return summary


async def account_id_of(pool: asyncpg.Pool, system: str, ref: str) -> UUID:
    async with pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT account_id FROM account_refs WHERE system = $1 AND external_id = $2", system, ref
        )


async def test_an_account_and_its_contact_leave_the_same_trail_from_graphql_and_from_the_import(
    admin, pool, tmp_path
):
    system = f"erp-{uuid.uuid4().hex[:8]}"
    # through GraphQL: an account upserted, renamed, a contact created and edited
    await admin.gql(UPSERT, {"s": system, "id": "G", "n": "Globex"})
    account = (await admin.gql(UPSERT, {"s": system, "id": "G", "n": "Globex Ltd"}))["upsertAccounts"]
    account_gid = account["accounts"][0]["id"]
    contact = (await admin.gql(CREATE_CONTACT, {"a": account_gid, "n": "Pat Doe", "t": "AP"}))[
        "createContact"
    ]
    await admin.gql(UPDATE_CONTACT, {"id": contact["contact"]["id"], "t": "AP lead"})
    # through the import: the same changes
    accounts_csv, contacts_csv = tmp_path / "accounts.csv", tmp_path / "contacts.csv"
    await run_import(
        pool, "accounts", write(accounts_csv, ACCOUNT_COLUMNS, [[system, "I", "Globex", "x", "", ""]])
    )
    await run_import(
        pool, "accounts", write(accounts_csv, ACCOUNT_COLUMNS, [[system, "I", "Globex Ltd", "x", "", ""]])
    )
    for title in ("AP", "AP lead"):
        row = [system, "I", *CONTACT_ROW]
        row[CONTACT_COLUMNS.index("title")] = title
        await run_import(pool, "contacts", write(contacts_csv, CONTACT_COLUMNS, [row]))
    # then
    by_graphql = await trail(pool, ids.decode(account_gid)[1])
    by_import = await trail(pool, await account_id_of(pool, system, "I"))
    assert as_mutation(by_import, ["create", "update"]) == by_graphql
    assert [row[1] for row in by_graphql if row[0] == "outbox"] == [
        "account",
        "account",
        "account_name",
        "contact",
        "contact",
    ]


async def test_the_import_redacts_card_numbers_in_names_and_titles_as_the_mutations_do(admin, pool, tmp_path):
    system = f"erp-{uuid.uuid4().hex[:8]}"
    path = write(tmp_path / "accounts.csv", ACCOUNT_COLUMNS, [[system, "R", f"Paid by {CARD}", "", "", ""]])
    await run_import(pool, "accounts", path)
    row = [system, "R", *CONTACT_ROW]
    row[CONTACT_COLUMNS.index("name")] = f"Pat {CARD}"
    row[CONTACT_COLUMNS.index("title")] = f"card {CARD}"
    await run_import(pool, "contacts", write(tmp_path / "contacts.csv", CONTACT_COLUMNS, [row]))
    account_id = await account_id_of(pool, system, "R")
    async with pool.acquire() as conn:
        account_name = await conn.fetchval("SELECT name FROM accounts WHERE id = $1", account_id)
        imported = await conn.fetchrow("SELECT name, title FROM contacts WHERE account_id = $1", account_id)
    created = (
        await admin.gql(
            CREATE_CONTACT, {"a": ids.encode("Account", account_id), "n": f"Sam {CARD}", "t": f"card {CARD}"}
        )
    )["createContact"]["contact"]
    assert account_name == f"Paid by {MASKED}"
    assert dict(imported) == {"name": f"Pat {MASKED}", "title": f"card {MASKED}"}
    assert (created["name"], created["title"]) == (f"Sam {MASKED}", f"card {MASKED}")
    # a second run of the same file matches the stored, masked contact instead of adding another
    await run_import(pool, "contacts", write(tmp_path / "contacts.csv", CONTACT_COLUMNS, [row]))
    async with pool.acquire() as conn:
        count = await conn.fetchval("SELECT count(*) FROM contacts WHERE account_id = $1", account_id)
    assert count == 2
