"""What every resolver gets: the caller, the pool, and this request's loaders."""

from dataclasses import dataclass, field

import asyncpg
from meilisearch_python_sdk import AsyncClient

from domain.permissions import may_see_restricted
from schema.loaders import Loaders
from store.users import User


@dataclass
class Context:
    user: User
    pool: asyncpg.Pool
    request_id: str
    meili: AsyncClient
    index_uid: str
    loaders: Loaders = field(init=False)
    operation_name: str | None = None
    operation_type: str | None = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.pool, self.sees_restricted)

    @property
    def sees_restricted(self) -> bool:
        return may_see_restricted(self.user.team)
