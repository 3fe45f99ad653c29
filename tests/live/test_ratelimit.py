"""The per-user event budget."""

from __future__ import annotations

from server.live.ratelimit import EventRateLimiter


def test_budget_bursts_then_refills() -> None:
    now = [0.0]
    limiter = EventRateLimiter(5, clock=lambda: now[0])
    assert [limiter.allow(1) for _ in range(6)] == [True] * 5 + [False]
    assert limiter.allow(2)  # budgets are per user
    assert limiter.retry_after(1) > 0
    now[0] += 2.0  # 5 per 10 s refills one token every 2 s
    assert limiter.allow(1) and not limiter.allow(1)
    now[0] += 100.0
    assert [limiter.allow(1) for _ in range(6)] == [True] * 5 + [False]
