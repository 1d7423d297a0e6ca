"""One GraphQL type per module, each built from a store row."""
