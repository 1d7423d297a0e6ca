"""The GraphQL documents and SQL the benchmark sends, in one place."""

TIMELINE = """
query Timeline($id: ID!) {
  account(id: $id) {
    timeline(first: 50) {
      edges { node { kind summary occurredAt author { name } contact { name } invoices { number } } }
    }
  }
}
"""

# The same page through PostGraphile v4's generated schema (accounts by uuid, relations by FK names).
POSTGRAPHILE_TIMELINE = """
query Timeline($id: UUID!) {
  accountById(id: $id) {
    entriesByAccountId(first: 50, orderBy: [OCCURRED_AT_DESC, ID_DESC], condition: {deletedAt: null}) {
      edges {
        node {
          kind summary occurredAt
          userByAuthorId { name }
          contactByAccountIdAndContactId { name }
          entryInvoicesByAccountIdAndEntryId { nodes { invoiceByAccountIdAndInvoiceId { number } } }
        }
      }
    }
  }
}
"""

# The same page as one SQL statement: the floor, with no HTTP and no GraphQL.
RAW_TIMELINE = """
SELECT e.kind, e.summary, e.occurred_at, u.name AS author_name, c.name AS contact_name,
       ARRAY(SELECT i.number FROM entry_invoices ei
               JOIN invoices i ON i.account_id = ei.account_id AND i.id = ei.invoice_id
              WHERE ei.account_id = e.account_id AND ei.entry_id = e.id
              ORDER BY i.number) AS invoice_numbers
  FROM entries e
  LEFT JOIN users u ON u.id = e.author_id
  LEFT JOIN contacts c ON c.account_id = e.account_id AND c.id = e.contact_id
 WHERE e.account_id = $1 AND e.deleted_at IS NULL
 ORDER BY e.occurred_at DESC, e.id DESC
 LIMIT 50
"""

# A list page of accounts: the first 50 by name, with what a list row shows.
ACCOUNTS = """
query Accounts {
  accounts(first: 50) {
    edges {
      cursor
      node { id name status tags timeZone updatedAt owner { name } externalRefs { system id } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The same page through PostGraphile (ordered by name then id, like Rapport's lower(name), id).
POSTGRAPHILE_ACCOUNTS = """
query Accounts {
  allAccounts(first: 50, orderBy: [NAME_ASC, ID_ASC]) {
    edges {
      cursor
      node {
        nodeId name status tags timeZone updatedAt
        userByOwnerId { name }
        accountRefsByAccountId(orderBy: [SYSTEM_ASC, EXTERNAL_ID_ASC]) { nodes { system externalId } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# One object by its global id: an account, or a timeline entry of any kind, through fragments.
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Account { name status tags timeZone owner { name } }
    ... on TimelineEntry { kind summary occurredAt author { name } contact { name } }
    ... on Interaction { direction outcome }
    ... on PromiseToPay { amount { amount currency } promisedFor graceDays }
    ... on Dispute { reason disputed: amount { amount currency } }
  }
}
"""

# PostGraphile's node(nodeId): one Entry type for every kind, so the kinds' fields are plain columns.
POSTGRAPHILE_NODE = """
query Node($id: ID!) {
  node(nodeId: $id) {
    __typename
    nodeId
    ... on Account { name status tags timeZone userByOwnerId { name } }
    ... on Entry {
      kind summary occurredAt
      userByAuthorId { name }
      contactByAccountIdAndContactId { name }
      direction outcome amount currency promisedFor graceDays disputeReason
    }
  }
}
"""

_MONEY = "amount currency"
CALL_BRIEF = f"""
query CallBrief($id: ID!, $at: DateTime) {{
  account(id: $id) {{
    callBrief(at: $at) {{
      at
      flags
      account {{ id name }}
      whoToContact {{
        contact {{ id name roles }}
        channel
        reachability {{ reachable reason nextReachableAt }}
        reason
      }}
      receivables {{
        currency open {{ {_MONEY} }} overdue {{ {_MONEY} }} disputed {{ {_MONEY} }}
        buckets {{ bucket amount {{ {_MONEY} }} }}
        openInvoiceCount oldestDaysOverdue
      }}
      overdueInvoices {{
        id number dueOn status balance {{ {_MONEY} }} daysOverdue agingBucket
        activePromise {{ id }} openDispute {{ id }}
      }}
      openPromises {{ id summary amount {{ {_MONEY} }} promisedFor graceDays status }}
      brokenPromises {{ id summary amount {{ {_MONEY} }} promisedFor graceDays status }}
      openDisputes {{ id summary reason status amount {{ {_MONEY} }} }}
      recentNews {{ id summary category occurredAt }}
      recentInteractions {{ id kind summary occurredAt author {{ name }} }}
      pinned {{ id kind summary }}
      preferences {{ key value note }}
      openFollowUps {{ id summary dueAt done assignee {{ name }} }}
    }}
  }}
}}
"""

# A collector's day, as the caller: open follow-ups due by the end of the day, in calling order.
WORKLIST = """
query Worklist($at: DateTime, $dueBy: DateTime) {
  worklist(at: $at, dueBy: $dueBy, first: 50) {
    edges {
      node {
        followUp { id summary dueAt }
        account { id name }
        contact { id name phone email }
        overdue reachableNow nextReachableAt reasons
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The caller's inbox, newest first, with what a row shows.
INBOX = """
query Inbox {
  inbox(first: 20) {
    unreadCount
    edges {
      cursor
      node {
        id reason createdAt readAt account { id name }
        entry { kind summary occurredAt author { name } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

COLLECTIONS_QUEUE = """
query Queue($asOf: Date) {
  collectionsQueue(asOf: $asOf, first: 50) {
    edges {
      cursor
      node {
        account { id name }
        priority
        overdue { amount currency }
        oldestDaysOverdue
        reachableNow
        flags
        reasons
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SEARCH = """
query Search($q: String!, $filter: SearchFilter) {
  search(query: $q, filter: $filter, first: 20) {
    estimatedTotal
    tookMs
    hits { type highlight account { name } entry { kind summary occurredAt } }
    facets { field values { value count } }
  }
}
"""

LOG_NOTE = """
mutation LogNote($input: LogNoteInput!) {
  logNote(input: $input) {
    entry { id summary }
    userErrors { code field message }
  }
}
"""

UPSERT_INVOICES = """
mutation Upsert($input: [InvoiceUpsertInput!]!) {
  upsertInvoices(input: $input) {
    created updated unchanged
    userErrors { code field message }
  }
}
"""

# What a timeline screen renders for an entry that arrives live.
LIVE_TIMELINE = """
subscription Live($account: ID!) {
  timeline(accountId: $account) { id kind summary occurredAt recordedAt author { name } }
}
"""
