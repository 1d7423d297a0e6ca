"""Who looks after an account: a team's owner, and the caller following it."""

from typing import Annotated

import asyncpg
import strawberry

from domain.commands.people import AccountOwnerChange, Following
from schema.mutations.base import change, parse_id
from schema.mutations.payloads import AccountPayload
from schema.types.account import Account
from schema.types.user import Team
from services import people


@strawberry.input(description="Who owns an account for one team.")
class SetAccountOwnerInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    team: Team = strawberry.field(description="The team whose owner this sets; the user must be in it.")
    user_id: strawberry.ID | None = strawberry.field(description="Null removes the team's owner.")


def _payload(row: asyncpg.Record) -> AccountPayload:
    return AccountPayload(account=Account.from_row(row))


@strawberry.type
class PeopleMutations:
    @strawberry.mutation(
        description="Follow (or stop following) an account: its news, promises and disputes "
        "reach the caller's inbox."
    )
    async def follow_account(
        self,
        info: strawberry.Info,
        account_id: Annotated[strawberry.ID, strawberry.argument(description="The account.")],
        follow: Annotated[bool, strawberry.argument(description="False stops following.")],
    ) -> AccountPayload:
        return await change(
            info,
            AccountPayload,
            people.follow_account,
            lambda: Following(parse_id(account_id, "Account", ("accountId",), "account"), follow),
            _payload,
        )

    @strawberry.mutation(
        description="Make a user the account's owner for their team, or remove a team's owner."
    )
    async def set_account_owner(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetAccountOwnerInput, strawberry.argument(description="The account, team and owner.")
        ],
    ) -> AccountPayload:
        return await change(
            info,
            AccountPayload,
            people.set_account_owner,
            lambda: AccountOwnerChange(
                parse_id(input.account_id, "Account", ("input", "accountId"), "account"),
                input.team,
                parse_id(input.user_id, "User", ("input", "userId"), "user") if input.user_id else None,
            ),
            _payload,
        )
