"""What people heard and said: notes, interactions and customer news."""

import asyncpg
import strawberry

from schema.types.entries.common import TimelineEntry
from schema.types.entries.enums import Direction, InteractionOutcome, NewsCategory


@strawberry.type(description="A note someone wrote about the customer.")
class Note(TimelineEntry):
    pass


@strawberry.type(description="A call, email, meeting, letter or text message.")
class Interaction(TimelineEntry):
    direction: Direction = strawberry.field(description="Who reached out.")
    outcome: InteractionOutcome | None = strawberry.field(description="How it went; null when not said.")

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        outcome = row["outcome"]
        return {
            "direction": Direction(row["direction"]),
            "outcome": InteractionOutcome(outcome) if outcome else None,
        }


@strawberry.type(description="Customer news: downsizing, a new CFO, a merger...")
class CustomerNews(TimelineEntry):
    category: NewsCategory = strawberry.field(description="What kind of news.")

    @classmethod
    def details(cls, row: asyncpg.Record) -> dict:
        return {"category": NewsCategory(row["category"])}
