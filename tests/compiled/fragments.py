"""Selections shared by the hand-written differential cases: every field the compiler is meant to cover."""

USER = "__typename id email name team"
MONEY = "__typename amount currency"
INVOICE = f"""
__typename id number externalRef {{ system id }} issuedOn dueOn status
total {{ {MONEY} }} balance {{ {MONEY} }}
"""
CONTACT = """
__typename id name title roles email phone preferredChannel timeZone language doNotContact version
windows { __typename kind daysOfWeek weeksOfMonth startTime endTime fromDate untilDate note }
"""
REVISION = f"__typename revision summary body tags editedBy {{ {USER} }} editedAt"
# Every field every entry type has, and each kind's own; PromiseToPay.status has its own cases.
ENTRY = f"""
__typename id kind occurredAt recordedAt team summary body tags pinned visibility revision eventCursor
author {{ {USER} }}
contact {{ {CONTACT} }}
invoices {{ {INVOICE} }}
revisions {{ {REVISION} }}
account {{ id name }}
... on Interaction {{ direction outcome }}
... on CustomerNews {{ category }}
... on PromiseToPay {{ amount {{ {MONEY} }} promisedFor graceDays }}
... on Dispute {{ reason disputed: amount {{ {MONEY} }} disputeStatus: status resolvedAt resolution }}
... on PaymentPlan {{ installments {{ dueOn amount {{ {MONEY} }} }} }}
... on InvoiceStatusChange {{ fromStatus toStatus }}
... on PaymentReceived {{ amount {{ {MONEY} }} receivedOn method reference }}
... on FollowUp {{ dueAt done assignee {{ {USER} }} }}
"""
PAGE_INFO = "pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }"
ACCOUNT = f"""
__typename id name accountStatus: status tags timeZone createdAt updatedAt version
externalRefs {{ __typename system id }}
owner {{ {USER} }}
contacts {{ {CONTACT} account {{ id }} }}
preferences {{ __typename key value note setAt setBy {{ {USER} }} }}
pinnedEntries: pinned {{ {ENTRY} }}
"""
