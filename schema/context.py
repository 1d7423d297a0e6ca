"""What every resolver gets: the caller, the pool, and this request's loaders.

Over HTTP the caller is known before execution. Over a websocket the context
exists from the handshake and the caller arrives with connection_init; a
subscription then lives long, so it takes fresh loaders for every batch of
events rather than serving stale rows from a cache.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from domain.permissions import may_see_restricted
from schema.loaders import Loaders
from search.client import SearchClient
from store.users import User


@dataclass
class Context:
    pool: asyncpg.Pool
    request_id: str
    meili: SearchClient
    index_uid: str
    user: User | None = None
    read_pool: asyncpg.Pool | None = None  # where compiled reads run; the pool when unset
    hub: Any = None  # schema.live.Hub, where subscriptions are served
    websocket: Any = None  # the connection a subscription runs on
    # Over a websocket: checks the connection's token again (None once it is revoked or expired),
    # since a subscription outlives the moment it was checked.
    reauthenticate: Callable[[], Awaitable[User | None]] | None = None
    token_checked_at: float = 0.0  # time.monotonic() of the last check, shared by the subscriptions
    token_valid: bool = True
    connection_params: dict | None = None
    operation_name: str | None = None
    operation_type: str | None = None
    read_path: str | None = None  # "compiled" or "fallback" once the compiler has looked at a query
    read_mismatch: bool = False  # shadow mode: the compiled answer differed from the executor's
    public_url: str = (
        ""  # where statement links point: RAPPORT_PUBLIC_URL, else the URL the API was called on
    )
    # upsertInvoices' items by variable name, read before execution (schema/mutations/invoice_batches.py)
    invoice_batches: dict[str, list] = field(default_factory=dict)
    _loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.pool, self.sees_restricted)
        return self._loaders

    def fresh_loaders(self) -> None:
        self._loaders = None

    @property
    def sees_restricted(self) -> bool:
        return self.user is not None and may_see_restricted(self.user.team)
