"""The root Query."""

import strawberry

from schema.types.user import User


@strawberry.type
class Query:
    @strawberry.field(description="The caller.")
    def me(self, info: strawberry.Info) -> User:
        return User.from_row(info.context.user)
