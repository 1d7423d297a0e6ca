"""One function per change, whoever asks for it: GraphQL mutations, the CSV import, the demo.

Each service validates (domain rules, `Checker` wording), redacts free text,
writes the rows with their audit row, outbox row and timeline event, and
notifies, all on the caller's connection inside the caller's transaction. It
raises domain errors (`domain.validation.Rejected`); only schema/ turns them
into userErrors. `services.transaction.retrying` is the one retry-on-race policy.
"""
