"""python examples/python/timeline.py URL TOKEN ACCOUNT_ID: a page of an account's timeline, then a note.

gql checks every document against schema.graphql before it sends it (a typo in a field fails
here, not on the server), and the results are typed with TypedDicts that mirror the selections.
"""

import asyncio
import sys
import uuid
from pathlib import Path
from typing import TypedDict

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"

TIMELINE = """
query Timeline($id: ID!, $first: Int, $after: String) {
  account(id: $id) {
    name
    timeline(first: $first, after: $after) {
      edges { node { id kind occurredAt summary author { name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

LOG_NOTE = """
mutation LogNote($input: LogNoteInput!) {
  logNote(input: $input) {
    entry { id summary }
    userErrors { code message field }
  }
}
"""


class Author(TypedDict):
    name: str


class Entry(TypedDict):
    id: str
    kind: str
    occurredAt: str  # an ISO 8601 instant in UTC
    summary: str
    author: Author | None  # null: written by Rapport itself


class UserError(TypedDict):
    code: str
    message: str
    field: list[str] | None


async def main(url: str, token: str, account_id: str) -> int:
    transport = HTTPXAsyncTransport(url=url, headers={"Authorization": f"Bearer {token}"})
    async with Client(transport=transport, schema=SCHEMA.read_text()) as session:
        try:
            page = await session.execute(
                GraphQLRequest(TIMELINE, variable_values={"id": account_id, "first": 5})
            )
        except TransportQueryError as error:  # `errors` without data: extensions.code says what to fix
            codes = [e.get("extensions", {}).get("code") for e in error.errors or []]
            print(f"refused: {codes}", file=sys.stderr)
            return 1
        account = page["account"]
        if account is None:
            print(f"no account {account_id}", file=sys.stderr)
            return 1
        print(f"timeline of {account['name']}")
        entries: list[Entry] = [edge["node"] for edge in account["timeline"]["edges"]]
        for entry in entries:
            author = entry["author"]["name"] if entry["author"] else "Rapport"
            print(f"{entry['occurredAt']} {entry['kind']} {entry['summary']} by {author}")

        # One idempotency key per note: a retry after a lost answer cannot write it twice.
        note = {
            "accountId": account_id,
            "summary": "Called from the Python example",
            "idempotencyKey": str(uuid.uuid4()),
        }
        result = await session.execute(GraphQLRequest(LOG_NOTE, variable_values={"input": note}))
        problems: list[UserError] = result["logNote"]["userErrors"]
        for problem in problems:
            print(
                f"{problem['code']} at {'.'.join(problem['field'] or [])}: {problem['message']}",
                file=sys.stderr,
            )
        if problems:
            return 1
        print(f"logged note {result['logNote']['entry']['id']}: {result['logNote']['entry']['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:4])))
