"""How late this node's event loop runs: the first sign that a node is saturated.

Every socket, HTTP request and database round trip of a node shares one asyncio loop. When it
has more ready work than it can run, each ``await`` resumes late, a transaction stays open for
longer, and acknowledgements slow down everywhere at once, often while the process shows well
under a core of CPU (it waits for the database connections its own slow transactions hold).
Operators need that figure from the node itself, on any deployment: ``/healthz`` reports it
and the live load test reads it from every node.

A ticker sleeps ``interval`` and records how much later than asked it woke up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

INTERVAL_SECONDS = 0.1
WINDOW_SECONDS = 10.0


@dataclass
class LoopLagMonitor:
    """The loop's lateness over the last ``window`` seconds, and the worst since start."""

    interval: float = INTERVAL_SECONDS
    window: float = WINDOW_SECONDS
    samples: deque[tuple[float, float]] = field(default_factory=deque)
    worst_ms: float = 0.0
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._tick(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def record(self, at: float, lag_ms: float) -> None:
        self.samples.append((at, lag_ms))
        self.worst_ms = max(self.worst_ms, lag_ms)
        while self.samples and self.samples[0][0] < at - self.window:
            self.samples.popleft()

    async def _tick(self) -> None:
        while True:
            asked = time.monotonic()
            await asyncio.sleep(self.interval)
            woke = time.monotonic()
            self.record(woke, max(0.0, (woke - asked - self.interval) * 1000))

    def status(self) -> dict[str, Any]:
        """``recent_max_ms`` and ``recent_mean_ms`` over the window, ``worst_ms`` since start."""
        recent = [lag for _, lag in self.samples]
        return {
            "recent_max_ms": round(max(recent, default=0.0), 1),
            "recent_mean_ms": round(sum(recent) / len(recent), 1) if recent else 0.0,
            "worst_ms": round(self.worst_ms, 1),
            "window_seconds": self.window,
        }
