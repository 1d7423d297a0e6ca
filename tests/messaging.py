"""Helpers the customer-communication tests share: accounts with invoices and contacts, templates,
a policy of the account's own, and planner runs, all over GraphQL."""

import uuid

from schema import ids

ACCOUNT = """
mutation ($name: String!, $ref: String!, $tz: String) {
  createAccount(input: {name: $name, externalRefs: [{system: "erp", id: $ref}], timeZone: $tz}) {
    account { id } userErrors { message }
  }
}
"""
CONTACT = """
mutation ($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { message } }
}
"""
INVOICES = """
mutation ($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) { invoices { id number } userErrors { field message } }
}
"""
TEMPLATE = """
mutation ($input: SaveMessageTemplateInput!) {
  saveMessageTemplate(input: $input) {
    template { id name language channel subject body version }
    userErrors { code field message }
  }
}
"""
POLICY = """
mutation ($input: SaveDunningPolicyInput!) {
  saveDunningPolicy(input: $input) {
    policy { id name isDefault version steps { offsetDays templateName requiresApproval } }
    userErrors { code field message }
  }
}
"""
SET_DUNNING = """
mutation ($input: SetAccountDunningInput!) {
  setAccountDunning(input: $input) {
    account { id dunningPolicy { name } dunningPausedUntil dunningPauseReason }
    userErrors { code field message }
  }
}
"""
MESSAGE_FIELDS = """
id status subject body reason scheduledFor sentAt step templateName channel
contact { name } invoices { number } entry { id kind summary }
"""
PLAN = f"""
mutation ($at: DateTime, $account: ID) {{
  planDunning(at: $at, accountId: $account) {{ planned {{ {MESSAGE_FIELDS} }} userErrors {{ code message }} }}
}}
"""
MESSAGES = f"""
query ($id: ID!) {{
  account(id: $id) {{ messages(first: 50) {{ edges {{ node {{ {MESSAGE_FIELDS} }} }} }} }}
}}
"""
PROMISE = """
mutation ($input: RecordPromiseInput!) {
  recordPromise(input: $input) { entry { id } userErrors { message } }
}
"""
DISPUTE = """
mutation ($input: OpenDisputeInput!) { openDispute(input: $input) { entry { id } userErrors { message } } }
"""
NEWS = """
mutation ($input: LogNewsInput!) { logNews(input: $input) { entry { id } userErrors { message } } }
"""

SUMMARY_BODY = (
    "Dear {{ contact.name }},\n"
    "{% for i in invoices %}{{ i.number }} due {{ i.due_on }}: {{ i.amount }} {{ i.currency }}"
    " ({{ i.days_overdue }} days)\n{% endfor %}"
    "{% for t in totals %}Total {{ t.amount }} {{ t.currency }}\n{% endfor %}"
    "{{ sender.name }}"
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def account(caller, tz: str = "Europe/Berlin") -> tuple[str, str]:
    ref = uuid.uuid4().hex
    data = await caller.gql(ACCOUNT, {"name": f"Customer {ref[:8]}", "ref": ref, "tz": tz})
    return data["createAccount"]["account"]["id"], ref


async def contact(caller, account_id: str, **fields) -> str:
    person = {"name": "Paula Payable", "roles": ["ACCOUNTS_PAYABLE"], "email": "paula@example.com", **fields}
    data = await caller.gql(CONTACT, {"input": {"accountId": account_id, **person}})
    assert data["createContact"]["contact"], data
    return data["createContact"]["contact"]["id"]


async def invoices(caller, ref: str, items: list[tuple[str, str, str, str]]) -> dict[str, str]:
    """(number, dueOn, amount, currency), open for their whole amount; returns number -> id."""
    data = await caller.gql(
        INVOICES,
        {
            "input": [
                {
                    "externalRef": {"system": "erp", "id": f"{ref}-{number}"},
                    "accountRef": {"system": "erp", "id": ref},
                    "number": number,
                    "issuedOn": "2026-01-01",
                    "dueOn": due,
                    "currency": currency,
                    "total": amount,
                    "balance": amount,
                    "status": "OPEN",
                }
                for number, due, amount, currency in items
            ]
        },
    )
    assert data["upsertInvoices"]["userErrors"] == []
    return {i["number"]: i["id"] for i in data["upsertInvoices"]["invoices"]}


async def template(caller, name: str, body: str = SUMMARY_BODY, language: str = "en", **more) -> dict:
    data = await caller.gql(
        TEMPLATE,
        {
            "input": {
                "name": name,
                "language": language,
                "channel": "EMAIL",
                "subject": "Invoices due",
                "body": body,
                **more,
            }
        },
    )
    return data["saveMessageTemplate"]


async def own_policy(caller, account_id: str, steps: list[dict]) -> str:
    """A policy for this account alone, so that other tests' accounts are never planned by it."""
    data = await caller.gql(POLICY, {"input": {"name": unique("policy"), "steps": steps}})
    assert data["saveDunningPolicy"]["userErrors"] == [], data
    policy_id = data["saveDunningPolicy"]["policy"]["id"]
    result = await caller.gql(SET_DUNNING, {"input": {"accountId": account_id, "policyId": policy_id}})
    assert result["setAccountDunning"]["userErrors"] == []
    return policy_id


async def plan(caller, account_id: str, at: str) -> list[dict]:
    data = await caller.gql(PLAN, {"at": at, "account": account_id})
    assert data["planDunning"]["userErrors"] == []
    return data["planDunning"]["planned"]


async def messages_of(caller, account_id: str) -> list[dict]:
    data = await caller.gql(MESSAGES, {"id": account_id})
    return [e["node"] for e in data["account"]["messages"]["edges"]]


def uuid_of(global_id: str):
    return ids.decode(global_id)[1]
