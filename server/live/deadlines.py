"""``Deadlines``: run an action at a moment, once per key, on this node.

Live-class tools end things on time: a quiz run at its time limit, a breakout round when its
timer runs out. Each keeps one asyncio task per key; scheduling the same key again keeps the
running timer when its tag (what it is for) is unchanged and replaces it otherwise; a timer
that fires forgets itself; a failing action is logged, never raised into the loop. The
database stays the authority: whichever node looks first after a deadline (a join, a late
answer) closes what is overdue, so a timer lost with its node is only a delay.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class Deadlines(Generic[K]):
    def __init__(self, what: str) -> None:
        self.what = what  # for the log: "quiz run", "breakout round"
        self._timers: dict[K, tuple[Hashable, asyncio.Task[None]]] = {}

    def schedule(
        self,
        key: K,
        at: datetime,
        action: Callable[[], Awaitable[object]],
        *,
        tag: Hashable = None,
    ) -> None:
        """Run ``action`` at ``at`` (now if past); keep a running timer with the same tag."""
        running = self._timers.get(key)
        if running is not None and running[0] == tag and not running[1].done():
            return
        self.cancel(key)
        delay = max(0.0, (at - datetime.now(UTC)).total_seconds())
        self._timers[key] = (tag, asyncio.create_task(self._run(key, delay, action)))

    def tag(self, key: K) -> Hashable | None:
        """What the key's running timer is for, or None when none runs."""
        running = self._timers.get(key)
        return running[0] if running is not None else None

    def pending(self) -> list[K]:
        return list(self._timers)

    def cancel(self, key: K) -> None:
        running = self._timers.pop(key, None)
        if running is not None and running[1] is not asyncio.current_task():
            running[1].cancel()

    async def _run(self, key: K, delay: float, action: Callable[[], Awaitable[object]]) -> None:
        try:
            await asyncio.sleep(delay)
            await action()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not end %s %s on time", self.what, key)
        finally:
            running = self._timers.get(key)
            if running is not None and running[1] is asyncio.current_task():
                del self._timers[key]
