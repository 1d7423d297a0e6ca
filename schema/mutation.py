"""The root Mutation, composed from one class per domain."""

import strawberry

from schema.mutations.accounts import AccountMutations
from schema.mutations.contacts import ContactMutations
from schema.mutations.entries import EntryMutations
from schema.mutations.invoices import InvoiceMutations
from schema.mutations.messages import MessageMutations


@strawberry.type
class Mutation(AccountMutations, ContactMutations, EntryMutations, InvoiceMutations, MessageMutations):
    pass
