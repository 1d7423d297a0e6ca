"""Per-request DataLoaders: related objects in one batched query per kind, never N+1.

Each loader lives for one request, so nothing is cached across callers and a
caller's visibility (RESTRICTED entries) is fixed for all of its loaders.
"""

from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any
from uuid import UUID

import asyncpg
from strawberry.dataloader import DataLoader

from store import accounts, briefs, contacts, entries, invoices, mentions, owners, preferences, users


def _loader(
    pool: asyncpg.Pool,
    fetch: Callable[[asyncpg.Connection, list[UUID]], Awaitable[dict]],
    empty: Any,
) -> DataLoader:
    async def load(keys: list[UUID]) -> list:
        async with pool.acquire() as conn:
            found = await fetch(conn, list(keys))
        return [found.get(key, empty() if callable(empty) else empty) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, pool: asyncpg.Pool, restricted: bool) -> None:
        self.pool = pool
        self.restricted = restricted

    @cached_property
    def user(self) -> DataLoader:
        return _loader(self.pool, users.users_by_ids, None)

    @cached_property
    def mentions(self) -> DataLoader:
        return _loader(self.pool, mentions.mentions_of_entries, list)

    @cached_property
    def owners(self) -> DataLoader:
        return _loader(self.pool, owners.owners_of_accounts, list)

    @cached_property
    def followed(self) -> DataLoader:
        """Whether a user follows an account, keyed by (user id, account id)."""

        async def load(keys: list[tuple[UUID, UUID]]) -> list[bool]:
            async with self.pool.acquire() as conn:
                found = {
                    (user_id, account_id)
                    for user_id in {user for user, _ in keys}
                    for account_id in await owners.followed_by(
                        conn, user_id, [a for u, a in keys if u == user_id]
                    )
                }
            return [key in found for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def account(self) -> DataLoader:
        return _loader(self.pool, accounts.accounts_by_ids, None)

    @cached_property
    def account_refs(self) -> DataLoader:
        return _loader(self.pool, accounts.refs_by_account, list)

    @cached_property
    def contact(self) -> DataLoader:
        return _loader(self.pool, contacts.contacts_by_ids, None)

    @cached_property
    def contacts_of_account(self) -> DataLoader:
        return _loader(self.pool, contacts.contacts_of_accounts, list)

    @cached_property
    def windows(self) -> DataLoader:
        return _loader(self.pool, contacts.windows_of_contacts, list)

    @cached_property
    def preferences(self) -> DataLoader:
        return _loader(self.pool, preferences.preferences_of_accounts, list)

    @cached_property
    def invoice(self) -> DataLoader:
        return _loader(self.pool, invoices.invoices_by_ids, None)

    @cached_property
    def entry(self) -> DataLoader:
        async def fetch(conn: asyncpg.Connection, ids: list[UUID]) -> dict:
            return await entries.entries_by_ids(conn, ids, restricted=self.restricted)

        return _loader(self.pool, fetch, None)

    @cached_property
    def pinned(self) -> DataLoader:
        async def fetch(conn: asyncpg.Connection, ids: list[UUID]) -> dict:
            return await entries.pinned(conn, ids, restricted=self.restricted)

        return _loader(self.pool, fetch, list)

    @cached_property
    def entry_invoices(self) -> DataLoader:
        return _loader(self.pool, entries.invoices_of_entries, list)

    @cached_property
    def revisions(self) -> DataLoader:
        return _loader(self.pool, entries.revisions_of_entries, list)

    @cached_property
    def payments(self) -> DataLoader:
        return _loader(self.pool, briefs.payments, list)

    @cached_property
    def open_invoices(self) -> DataLoader:
        async def fetch(conn: asyncpg.Connection, ids: list[UUID]) -> dict:
            return await briefs.open_invoices(conn, ids, restricted=self.restricted)

        return _loader(self.pool, fetch, list)

    @cached_property
    def invoice_commitments(self) -> DataLoader:
        """Promises and disputes naming an invoice."""

        async def fetch(conn: asyncpg.Connection, ids: list[UUID]) -> dict:
            return await briefs.invoice_promises_and_disputes(conn, ids, restricted=self.restricted)

        return _loader(self.pool, fetch, list)
