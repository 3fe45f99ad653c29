"""Per-user token bucket for socket events.

The budget is ``settings.events_per_10s`` events per ten seconds, with bursts up to the same
number. Buckets live in this node's memory only: a user whose sockets sit on several nodes gets
that budget on each node. That is deliberate; a shared Redis counter would add a round trip to
every event, and the limit exists to stop one flooding client, which one node sees whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Buckets idle this long are full again anyway; forgetting them bounds memory.
IDLE_FORGET_SECONDS = 60.0


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


class EventRateLimiter:
    """``allow(user_id)`` spends one token, refilled at ``events_per_10s / 10`` per second."""

    def __init__(
        self, events_per_10s: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(events_per_10s)
        self.rate = events_per_10s / 10.0
        self.clock = clock
        self.buckets: dict[int, Bucket] = {}
        self._last_sweep = clock()

    def allow(self, user_id: int) -> bool:
        now = self.clock()
        self._sweep(now)
        bucket = self.buckets.get(user_id)
        if bucket is None:
            bucket = self.buckets[user_id] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def retry_after(self, user_id: int) -> float:
        """Seconds until the next event would be allowed (0 when it would be now)."""
        bucket = self.buckets.get(user_id)
        if bucket is None or bucket.tokens >= 1.0:
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < IDLE_FORGET_SECONDS:
            return
        self._last_sweep = now
        idle = [u for u, b in self.buckets.items() if now - b.updated > IDLE_FORGET_SECONDS]
        for user_id in idle:
            del self.buckets[user_id]
