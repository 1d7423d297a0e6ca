"""The root Mutation, composed from one class per domain."""

import strawberry

from schema.mutations.accounts import AccountMutations
from schema.mutations.contacts import ContactMutations
from schema.mutations.entries import EntryMutations
from schema.mutations.invoices import InvoiceMutations
from schema.mutations.messages import MessageMutations
from schema.mutations.people import PeopleMutations
from schema.work import InboxMutations


@strawberry.type(
    description="Changes. Each runs in one transaction: it succeeds whole, or returns "
    "userErrors and changes nothing."
)
class Mutation(
    AccountMutations,
    ContactMutations,
    EntryMutations,
    InvoiceMutations,
    PeopleMutations,
    InboxMutations,
    MessageMutations,
):
    pass
