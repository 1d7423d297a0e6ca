"""What every resolver gets: the caller, the pool, and this request's loaders."""

from dataclasses import dataclass, field

import asyncpg

from store.users import User


@dataclass
class Context:
    user: User
    pool: asyncpg.Pool
    request_id: str
    loaders: dict = field(default_factory=dict)
