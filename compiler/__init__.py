"""Compiled reads: a GraphQL query becomes one SQL statement that builds its `data` as JSON.

The executor resolves a timeline page field by field in Python; Postgres can
build the same JSON in the time it takes to read the rows. A query whose every
selected field is in the catalog (compiler/catalog.py) is planned once per
document, operation, visibility and @skip/@include values (compiler/plans.py),
and each request only binds its arguments and runs the statement. Anything
else is answered by the executor, the whole operation, so an answer is never
half one path and half the other.
"""
