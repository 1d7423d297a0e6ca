"""Small value types shared by many others: money, external refs, pages, user errors."""

from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

from domain.money import display_amount
from domain.validation import Problem

Item = TypeVar("Item")


@strawberry.type(description="An exact amount in an ISO 4217 currency.")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | None, currency: str | None) -> "Money | None":
        if amount is None or currency is None:
            return None
        return cls(amount=display_amount(amount), currency=currency)


@strawberry.type(description='An id in another system, e.g. {system: "quickbooks", id: "1042"}.')
class ExternalRef:
    system: str
    id: str


@strawberry.input
class ExternalRefInput:
    system: str
    id: str


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(edges: list, *, has_next: bool) -> PageInfo:
    """Forward-only keyset pages: there is never a previous page to go back to."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=False,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


@strawberry.type
class Edge(Generic[Item]):
    """Strawberry names `Edge[Account]` AccountEdge: one class for every edge named after its node."""

    cursor: str
    node: Item


@strawberry.type
class Connection(Generic[Item]):
    """A list subclasses `Connection[Node]`, not an alias of it, which strawberry.lazy cannot resolve."""

    edges: list[Edge[Item]]
    page_info: PageInfo

    @classmethod
    def of(
        cls,
        rows: Sequence[Any],
        size: int,
        *,
        cursor: Callable[[Any], str],
        node: Callable[[Any], Item],
    ) -> "Connection[Item]":
        """A page of `size` rows from a query that asked for one more, which only says there is a next."""
        edges = [Edge(cursor=cursor(row), node=node(row)) for row in rows[:size]]
        return cls(edges=edges, page_info=page_info(edges, has_next=len(rows) > size))


@strawberry.enum
class UserErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


@strawberry.type(description="Why a well-formed request could not be carried out; nothing changed.")
class UserError:
    code: UserErrorCode
    message: str
    field: list[str] | None

    @classmethod
    def from_problem(cls, problem: Problem) -> "UserError":
        return cls(code=UserErrorCode(problem.code), message=problem.message, field=list(problem.field))
