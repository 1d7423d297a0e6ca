"""Hand-written differential cases: each read answered by the executor and by the compiled path, equal JSON.

Every case runs as each of SALES, SERVICE, AR and ADMIN unless it says otherwise,
and asserts the compiled app answered it in SQL (or, for what the compiler does
not cover, that it fell back).
"""

import pytest

from domain.teams import Team
from tests.compiled.fragments import ACCOUNT, CONTACT, ENTRY, INVOICE, PAGE_INFO, USER

TEAMS = [Team.SALES, Team.SERVICE, Team.AR, Team.ADMIN]
teams = pytest.mark.parametrize("team", TEAMS, ids=lambda team: team.value)

TIMELINE_PAGE = """
query TimelinePage($id: ID!) {
  account(id: $id) {
    timeline(first: 50) {
      edges { node { kind summary occurredAt author { name } contact { name } invoices { number } } }
    }
  }
}
"""
TIMELINE = f"""
query Timeline($id: ID!, $first: Int, $after: String, $filter: TimelineFilter) {{
  account(id: $id) {{
    timeline(first: $first, after: $after, filter: $filter) {{
      __typename edges {{ __typename cursor node {{ {ENTRY} }} }} {PAGE_INFO}
    }}
  }}
}}
"""
ACCOUNTS = f"""
query Accounts($first: Int, $after: String, $filter: AccountFilter) {{
  accounts(first: $first, after: $after, filter: $filter) {{
    __typename edges {{ cursor node {{ id name status tags owner {{ name }} externalRefs {{ system id }} }} }}
    {PAGE_INFO}
  }}
}}
"""
NODE = f"""
query Node($id: ID!) {{
  node(id: $id) {{
    __typename id
    ... on Account {{ {ACCOUNT} }}
    ... on Contact {{ {CONTACT} account {{ id name }} }}
    ... on Invoice {{
      {INVOICE} account {{ id }} timeline(first: 100) {{ edges {{ cursor node {{ id kind }} }} }}
    }}
    ... on User {{ userEmail: email name team }}
    ... on TimelineEntry {{ {ENTRY} }}
  }}
}}
"""


@teams
async def test_the_timeline_page_of_the_issue(world, team):
    diff, w = world
    data = await diff.check(TIMELINE_PAGE, {"id": w.main}, team)
    assert len(data["data"]["account"]["timeline"]["edges"]) == 50


@teams
@pytest.mark.parametrize("first", [7, 100])
async def test_timeline_pages_with_after_until_the_end(world, team, first):
    diff, w = world
    after, pages = None, 0
    while True:
        data = await diff.check(TIMELINE, {"id": w.main, "first": first, "after": after}, team)
        timeline = data["data"]["account"]["timeline"]
        pages += 1
        if not timeline["pageInfo"]["hasNextPage"]:
            break
        after = timeline["pageInfo"]["endCursor"]
    assert pages > 1 or first == 100


@teams
async def test_a_restricted_or_deleted_entrys_cursor_still_pages_on(world, team):
    diff, w = world
    for cursor in w.cursors["timeline"][::5]:
        await diff.check(TIMELINE, {"id": w.main, "first": 5, "after": cursor}, team)


FILTERS = {
    "kinds": {"kinds": ["NOTE"]},
    "several kinds": {
        "kinds": ["CALL", "PROMISE_TO_PAY", "DISPUTE", "INVOICE_STATUS", "PAYMENT", "FOLLOW_UP"]
    },
    "no kinds": {"kinds": []},
    "teams": {"teams": ["AR"]},
    "two teams": {"teams": ["SALES", "SERVICE"]},
    "tags": {"tags": ["vip"]},
    "odd tags": {"tags": ['q"x', "tie"]},
    "since": {"since": "2025-06-01T09:30:15.123456+00:00"},
    "until": {"until": "2025-06-04T12:30:15.123456Z"},
    "since and until, offset": {"since": "2025-05-20T00:00:00+02:00", "until": "2025-06-10T00:00:00-05:00"},
    "nulls": {"kinds": None, "teams": None, "contactId": None, "invoiceId": None, "tags": None},
    "everything": {
        "kinds": ["NOTE", "CALL"],
        "teams": ["SALES", "AR", "ADMIN"],
        "since": "2025-01-01T00:00:00Z",
    },
}


@teams
@pytest.mark.parametrize("name", list(FILTERS))
async def test_timeline_filters(world, team, name):
    diff, w = world
    await diff.check(TIMELINE, {"id": w.main, "first": 100, "filter": FILTERS[name]}, team)


@teams
async def test_timeline_filters_by_contact_and_invoice(world, team):
    diff, w = world
    for contact in w.contacts:
        await diff.check(TIMELINE, {"id": w.main, "first": 100, "filter": {"contactId": contact}}, team)
    for invoice in w.invoices:
        await diff.check(TIMELINE, {"id": w.main, "first": 100, "filter": {"invoiceId": invoice}}, team)
    both = {"contactId": w.contacts[0], "invoiceId": w.invoices[0]}
    await diff.check(TIMELINE, {"id": w.main, "first": 2, "filter": both}, team)


@teams
async def test_a_filtered_timeline_pages_on(world, team):
    diff, w = world
    after, flt = None, {"kinds": ["NOTE"], "teams": ["SALES", "AR", "ADMIN"]}
    for _ in range(10):
        data = await diff.check(TIMELINE, {"id": w.main, "first": 4, "after": after, "filter": flt}, team)
        page = data["data"]["account"]["timeline"]["pageInfo"]
        if not page["hasNextPage"]:
            break
        after = page["endCursor"]


@teams
async def test_default_page_sizes(world, team):
    diff, w = world
    document = """
    query($id: ID!) { account(id: $id) {
      timeline { edges { cursor } pageInfo { hasNextPage endCursor } }
      invoices { edges { cursor node { number } } pageInfo { hasNextPage } }
    } accounts { edges { node { name } } pageInfo { hasNextPage } } }
    """
    await diff.check(document, {"id": w.main}, team)


ACCOUNT_FILTERS = [
    None,
    {},
    {"status": ["ACTIVE"]},
    {"status": ["ON_HOLD", "CLOSED"]},
    {"status": []},
    {"tags": ["vip"]},
    {"tags": ["vip", 'q"x']},
    {"nameContains": "plain"},
    {"nameContains": "SAME name"},
    {"nameContains": "%"},
    {"nameContains": "_"},
    {"nameContains": '"quoted" \\ back'},
    {"nameContains": "漢字 🚀"},
    {"nameContains": ""},
    {"status": ["ACTIVE"], "tags": ["vip"], "nameContains": "0"},
]


@teams
@pytest.mark.parametrize("flt", ACCOUNT_FILTERS, ids=str)
async def test_accounts_with_filters_and_pages(world, team, flt):
    diff, _ = world
    after = None
    for _ in range(10):
        data = await diff.check(ACCOUNTS, {"first": 6, "after": after, "filter": flt}, team)
        page = data["data"]["accounts"]["pageInfo"]
        if not page["hasNextPage"]:
            break
        after = page["endCursor"]
    await diff.check(ACCOUNTS, {"filter": flt}, team)


@teams
async def test_accounts_by_owner(world, team):
    diff, w = world
    for user in w.users.values():
        await diff.check(ACCOUNTS, {"filter": {"ownerId": user}}, team)


@teams
async def test_node_of_every_type(world, team):
    diff, w = world
    for node_id in [*w.nodes(), *w.deleted, *w.plain[:2]]:
        await diff.check(NODE, {"id": node_id}, team)


@teams
async def test_account_and_by_external_ref(world, team):
    diff, w = world
    document = f"""
    query($id: ID!, $ref: ExternalRefInput!) {{
      account(id: $id) {{ {ACCOUNT} }}
      accountByExternalRef(ref: $ref) {{ id name owner {{ name }} }}
      me {{ {USER} }}
    }}
    """
    for account in (w.main, w.second, w.bare, w.plain[0]):
        ref = w.refs.get(account, {"system": "erp", "id": "nobody"})
        await diff.check(document, {"id": account, "ref": ref}, team)
    missing = {"system": "nowhere", "id": "1"}
    await diff.check(document, {"id": w.main, "ref": missing}, team)


@teams
async def test_invoices_with_filters_and_their_timelines(world, team):
    diff, w = world
    document = f"""
    query($id: ID!, $first: Int, $after: String, $filter: InvoiceFilter) {{
      account(id: $id) {{
        invoices(first: $first, after: $after, filter: $filter) {{
          edges {{ cursor node {{
            {INVOICE} timeline(first: 3) {{ edges {{ cursor node {{ {ENTRY} }} }} {PAGE_INFO} }}
          }} }}
          {PAGE_INFO}
        }}
      }}
    }}
    """
    for flt in (None, {"status": ["OPEN"]}, {"status": ["PAID", "DRAFT"]}, {"status": []}):
        after = None
        for _ in range(5):
            data = await diff.check(document, {"id": w.main, "first": 2, "after": after, "filter": flt}, team)
            page = data["data"]["account"]["invoices"]["pageInfo"]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]


@teams
async def test_an_invoice_timeline_pages_on(world, team):
    diff, w = world
    document = f"""
    query($id: ID!, $after: String) {{
      node(id: $id) {{ ... on Invoice {{ number timeline(first: 2, after: $after) {{
        edges {{ cursor node {{ id kind summary visibility }} }} {PAGE_INFO} }} }} }}
    }}
    """
    for invoice in w.invoices:
        after = None
        for _ in range(10):
            data = await diff.check(document, {"id": invoice, "after": after}, team)
            page = data["data"]["node"]["timeline"]["pageInfo"]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]


@teams
async def test_aliases_fragments_typename_and_directives(world, team):
    diff, w = world
    document = """
    query Shapes(
      $id: ID!, $withBody: Boolean!, $skipAuthors: Boolean = true, $n: Int = 5, $kinds: [EntryKind!] = [NOTE]
    ) {
      a: account(id: $id) { ...Head t: timeline(first: $n) { ...Page } }
      b: account(id: $id) { __typename name @include(if: $withBody) again: name
        timeline(first: 3, filter: {kinds: $kinds}) { ...Page } }
      __typename
    }
    fragment Head on Account { __typename id n1: name n2: name owner @skip(if: $skipAuthors) { name } }
    fragment Page on TimelineEntryConnection {
      edges { c: cursor node { ...Entry ... on Node { nid: id } } }
      pageInfo { more: hasNextPage end: endCursor }
    }
    fragment Entry on TimelineEntry {
      __typename k: kind s: summary
      body @include(if: $withBody)
      author @skip(if: $skipAuthors) { n: name }
      ... on PromiseToPay { amount { amount currency } promisedFor }
      ... on Dispute { disputed: amount { amount } reason }
      ... on PaymentReceived { amount { currency } }
      ... @include(if: $withBody) { tags pinned }
      ... on Node { __typename }
    }
    """
    for with_body in (True, False):
        for skip in (True, False, None):
            variables = {
                "id": w.main,
                "withBody": with_body,
                "kinds": ["PROMISE_TO_PAY", "DISPUTE", "PAYMENT"],
            }
            if skip is not None:
                variables["skipAuthors"] = skip
            await diff.check(document, variables, team, "Shapes")
    await diff.check(document, {"id": w.main, "withBody": False, "n": 0, "kinds": None}, team)


@teams
async def test_several_operations_in_one_document(world, team):
    diff, w = world
    document = """
    query One($id: ID!) { node(id: $id) { id } }
    query Two($id: ID!) { account(id: $id) { name pinned { id kind } } }
    """
    await diff.check(document, {"id": w.main}, team, "One")
    await diff.check(document, {"id": w.main}, team, "Two")


@teams
async def test_nulls_everywhere(world, team):
    diff, w = world
    document = f"""
    query($bare: ID!, $minimal: ID!, $missing: ID!) {{
      bare: account(id: $bare) {{
        owner {{ name }} externalRefs {{ id }} contacts {{ id }} preferences {{ key }} pinned {{ id }}
        timeline {{ edges {{ cursor }} {PAGE_INFO} }} invoices {{ edges {{ cursor }} {PAGE_INFO} }}
      }}
      minimal: node(id: $minimal) {{ ... on Contact {{ {CONTACT} }} }}
      missing: account(id: $missing) {{ id }}
      nothing: node(id: $missing) {{ id }}
    }}
    """
    missing = "QWNjb3VudDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"  # Account:0000...
    await diff.check(document, {"bare": w.bare, "minimal": w.contacts[1], "missing": missing}, team)


@teams
async def test_promise_status_as_of(world, team):
    diff, w = world
    document = """
    query($id: ID!, $asOf: Date) { node(id: $id) { ... on PromiseToPay { status(asOf: $asOf) s: status } } }
    """
    for label in ("promise kept", "promise broken", "promise partial", "promise cancelled"):
        for as_of in (None, "2020-01-01", "2026-01-01", "2030-12-31", "2099-12-31"):
            variables = {"id": w.entries[label], "asOf": as_of}
            beyond = as_of == "2099-12-31"  # more than ten years away: an INVALID field error
            await diff.check(document, variables, team, compiled=None if beyond else True, errors=beyond)


@teams
async def test_invoice_computed_fields(world, team):
    diff, w = world
    document = """
    query($id: ID!) { node(id: $id) { ... on Invoice {
      daysOverdue agingBucket d: daysOverdue(asOf: "2030-01-01")
      activePromise { id amount { amount } } openDispute { id reason } } } }
    """
    for invoice in w.invoices:
        await diff.check(document, {"id": invoice}, team)


FALLBACKS = {
    "search": 'query { search(query: "filler") { estimatedTotal } }',
    "collectionsQueue": 'query { collectionsQueue(asOf: "2026-01-01") { edges { node { priority } } } }',
    "receivables": "query($id: ID!) { account(id: $id) { name receivables { currency open { amount } } } }",
    "callBrief": "query($id: ID!) { account(id: $id) { callBrief { flags } } }",
    "reachability": "query($id: ID!) { account(id: $id) { contacts { reachability { reachable } } } }",
    "introspection": "query { __schema { queryType { name } } }",
}


@teams
@pytest.mark.parametrize("name", list(FALLBACKS))
async def test_what_the_compiler_does_not_cover_falls_back_whole(world, team, name):
    diff, w = world
    document = FALLBACKS[name]
    variables = {"id": w.main} if "$id" in document else {}
    await diff.check(document, variables, team, compiled=False, errors=True)


async def test_mutations_never_take_the_compiled_path(world):
    diff, w = world
    document = "mutation($id: ID!) { pinEntry(id: $id, pinned: true) { entry { id pinned } } }"
    executor, compiled = await diff.answers(document, {"id": w.entries["tie 0"]}, Team.ADMIN)
    assert executor.body == compiled.body
    assert compiled.read_path is None


ERRORS = {
    "bad cursor": (TIMELINE, {"first": 5, "after": "not-a-cursor"}),
    "accounts cursor as timeline cursor": (TIMELINE, {"first": 5, "after": "cursor:accounts"}),
    "negative first": (TIMELINE, {"first": -1}),
    "huge first": (TIMELINE, {"first": 100000}),
    "bad id": (NODE, {"id": "nonsense"}),
    "contact id as account id": (TIMELINE, {"id": "contact"}),
}


@teams
@pytest.mark.parametrize("name", list(ERRORS))
async def test_errors_are_the_executors(world, team, name):
    diff, w = world
    document, variables = ERRORS[name]
    variables = {"id": w.main, **variables}
    if variables.get("after") == "cursor:accounts":
        variables["after"] = w.cursors["accounts"][0]
    if variables["id"] == "contact":
        variables["id"] = w.contacts[0]
    await diff.check(document, variables, team, compiled=None, errors=True)


CONNECTIONS_WITHOUT_ROWS_SELECTED = [
    "{ accounts { __typename } }",
    '{ accounts(filter: {nameContains: "zzz"}) { __typename } }',
    "query($a: String) { accounts(after: $a) { pageInfo { hasPreviousPage } } }",
    "query($id: ID!) { account(id: $id) { timeline { __typename } } }",
    'query($id: ID!) { account(id: $id) { timeline(filter: {tags: ["nope"]}) { pageInfo { __typename } } } }',
    "query($id: ID!) { account(id: $id) { invoices(filter: {status: [VOID]}) { __typename } } }",
    "query($id: ID!) { account(id: $id) { invoices { pageInfo { __typename } } } }",
]


@pytest.mark.parametrize("document", CONNECTIONS_WITHOUT_ROWS_SELECTED)
async def test_a_connection_that_selects_nothing_of_its_rows(world, document):
    diff, w = world
    variables = {"id": w.main} if "$id" in document else {}
    if "$a" in document:
        variables["a"] = w.cursors["accounts"][0]
    await diff.check(document, variables, Team.SALES)
