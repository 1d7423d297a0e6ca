"""Mutations that write timeline entries, one class per group, in the order the schema lists them."""

import strawberry

from schema.mutations.disputes import DisputeMutations
from schema.mutations.entry_edits import EntryEditMutations
from schema.mutations.entry_logs import EntryLogMutations
from schema.mutations.follow_ups import FollowUpMutations
from schema.mutations.promises import PaymentPlanMutations, PromiseMutations


@strawberry.type
class EntryMutations(
    EntryLogMutations,
    PromiseMutations,
    DisputeMutations,
    PaymentPlanMutations,
    FollowUpMutations,
    EntryEditMutations,
):
    pass
