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
    amount: Decimal = strawberry.field(
        description='Exact decimal as a string, e.g. "1250.00"; never rounded, never '
        "converted between currencies."
    )
    currency: str = strawberry.field(description='ISO 4217 code of the amount, e.g. "EUR".')

    @classmethod
    def of(cls, amount: Decimal | None, currency: str | None) -> "Money | None":
        if amount is None or currency is None:
            return None
        return cls(amount=display_amount(amount), currency=currency)


@strawberry.type(description='An id in another system, e.g. {system: "quickbooks", id: "1042"}.')
class ExternalRef:
    system: str = strawberry.field(
        description='The other system\'s name, as the integration writes it, e.g. "erp" or "quickbooks".'
    )
    id: str = strawberry.field(description='The id in that system, e.g. "C-1042".')


@strawberry.input(
    description='An id in another system, e.g. {system: "erp", id: "C-1042"}; both parts 1-200 characters.'
)
class ExternalRefInput:
    system: str = strawberry.field(description='The other system\'s name, e.g. "erp".')
    id: str = strawberry.field(description='The id in that system, e.g. "C-1042".')


@strawberry.type(
    description="Where a page stands in its list (Relay cursor connections). Lists are read forward only."
)
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when items follow this page: pass endCursor as `after` to read them."
    )
    has_previous_page: bool = strawberry.field(
        description="Always false: pages are read forward only, from the start or from a cursor."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, to pass as `after` for the next "
        "page; null when the page is empty."
    )


def page_info(edges: list, *, has_next: bool) -> PageInfo:
    """Forward-only keyset pages: there is never a previous page to go back to."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=False,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


@strawberry.type(description="One item of a page, with the cursor that points at it.")
class Edge(Generic[Item]):
    """Strawberry names `Edge[Account]` AccountEdge: one class for every edge named after its node."""

    cursor: str = strawberry.field(
        description="Opaque; pass it as `after` to the same list to continue after this "
        "item. Keeps working as the list grows."
    )
    node: Item = strawberry.field(description="The item.")


@strawberry.type
class Connection(Generic[Item]):
    """A list subclasses `Connection[Node]`, not an alias of it, which strawberry.lazy cannot resolve."""

    edges: list[Edge[Item]] = strawberry.field(
        description="The page's items in the list's order; empty when there are none."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more items follow, and the cursor to read them."
    )

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


@strawberry.enum(description="Why a mutation changed nothing; codes are stable, new ones may be added.")
class UserErrorCode(Enum):
    INVALID = strawberry.enum_value(
        "INVALID", description="A value the rules refuse: missing, too long, malformed or out of range."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="An id names nothing the caller may see, or an object of another type."
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT",
        description="The object changed since expectedVersion or expectedRevision (read it again), a "
        "once-only change was already made, or an idempotencyKey was used for another request.",
    )
    FORBIDDEN = strawberry.enum_value("FORBIDDEN", description="The caller's team may not make this change.")
    LIMIT_EXCEEDED = strawberry.enum_value(
        "LIMIT_EXCEEDED", description="Too many items in one call (1,000) or on one object (20 windows)."
    )


@strawberry.type(description="Why a well-formed request could not be carried out; nothing changed.")
class UserError:
    code: UserErrorCode = strawberry.field(description="What went wrong, as a stable code for programs.")
    message: str = strawberry.field(
        description="What went wrong, as an English sentence for people; its wording may change."
    )
    field: list[str] | None = strawberry.field(
        description='The path to the input value at fault, e.g. ["input", "installments", '
        '"2", "amount"]; null when the problem is the request as a whole.'
    )

    @classmethod
    def from_problem(cls, problem: Problem) -> "UserError":
        return cls(code=UserErrorCode(problem.code), message=problem.message, field=list(problem.field))
