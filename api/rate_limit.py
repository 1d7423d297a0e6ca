"""Token buckets per caller, kept in this process.

Each identity (a user, or for requests without a valid token the client IP)
has a bucket of `burst` tokens that refills at `per_second`; a request takes
one or is refused with the time until one is back. Nothing is shared between
processes: behind a round-robin balancer, N replicas let a caller through at
up to N times the configured rate. Buckets that have refilled completely are
forgotten, so memory follows the callers active in the last burst/per_second
seconds.
"""

import math
import time
from collections.abc import Callable

from starlette.requests import HTTPConnection

from store.users import User

SWEEP_SECONDS = 10.0


class RateLimiter:
    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._swept = clock()

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def take(self, key: str) -> float:
        """Take one token for `key`: 0 if the request may go ahead, else the seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        if now - self._swept > SWEEP_SECONDS:
            self._sweep(now)
        tokens, counted = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - counted) * self.per_second)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_second
        self._buckets[key] = (tokens - 1, now)
        return 0.0

    def _sweep(self, now: float) -> None:
        refilled = [
            key
            for key, (tokens, counted) in self._buckets.items()
            if tokens + (now - counted) * self.per_second >= self.burst
        ]
        for key in refilled:
            del self._buckets[key]
        self._swept = now


def bucket_key(connection: HTTPConnection, user: User | None) -> str:
    """Whose bucket a request takes from: its user's, or without a valid token its client IP's."""
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{connection.client.host if connection.client else 'unknown'}"


def retry_after(wait: float) -> str:
    """Retry-After takes whole seconds; round up so a client that obeys it is let through."""
    return str(max(1, math.ceil(wait)))
