"""Small value types shared by many others: money, external refs, pages, user errors."""

from decimal import Decimal
from enum import Enum

import strawberry

from domain.money import display_amount
from domain.validation import Problem


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
