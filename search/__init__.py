"""Meilisearch: the client, index settings, documents, the outbox worker and queries."""
