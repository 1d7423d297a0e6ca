"""The worklist: a person's follow-ups due today, with whom to contact and whether now is the time."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.types.common import PageInfo
from schema.types.contact import Contact
from schema.types.entries.follow_up import FollowUp

if TYPE_CHECKING:
    from schema.types.account import Account


@strawberry.type(description="A follow-up due for someone, with what they need to act on it now.")
class WorklistItem:
    follow_up: FollowUp = strawberry.field(description="The follow-up to act on.")
    account: Annotated["Account", strawberry.lazy("schema.types.account")] = strawberry.field(
        description="The follow-up's account."
    )
    contact: Contact | None = strawberry.field(
        description="The follow-up's contact, else the contact the call brief would suggest."
    )
    overdue: bool = strawberry.field(description="Its due time has passed.")
    reachable_now: bool = strawberry.field(
        description="The contact may be contacted now (windows, time zone)."
    )
    next_reachable_at: datetime | None = strawberry.field(
        description="When the contact is next reachable, within 60 days; null if never or unknown."
    )
    reasons: list[str] = strawberry.field(description="Why it is where it is in the list, in sentences.")


@strawberry.type(description="A worklist item in a page.")
class WorklistEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the items after this one.")
    node: WorklistItem = strawberry.field(description="The item.")


@strawberry.type(description="A page of a worklist: overdue first, then reachable now, then by due time.")
class WorklistConnection:
    edges: list[WorklistEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
