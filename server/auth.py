"""Who is calling: the session cookie (browsers) or a bearer token (scripts, tests).

Both carry the same opaque token, stored hashed in ``auth_token`` so any node can check it and
logout revokes it everywhere. Cookies are sent by the browser on their own, so a state-changing
request authenticated by cookie must also prove it came from our page by echoing the token's CSRF
value in ``X-CSRF-Token``; a bearer token is never sent implicitly and needs no such proof.
"""

from __future__ import annotations

import hmac
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, NotAuthenticated, RateLimited
from lms.models import AuthToken, User
from lms.services import accounts
from server import keys

COOKIE_NAME = "newssem_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Identity:
    """The authenticated caller of one request."""

    user: User
    token: AuthToken
    via: Literal["cookie", "bearer"]


def credentials(request: web.Request) -> tuple[str, Literal["cookie", "bearer"]] | None:
    """The raw token and how it came; a bearer header wins over a cookie."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), "bearer"
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        return cookie, "cookie"
    return None


def check_csrf(request: web.Request, identity: Identity) -> None:
    """Refuse a cookie-authenticated unsafe request without the matching CSRF header."""
    if identity.via != "cookie" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent, identity.token.csrf_token):
        raise Forbidden("missing or wrong CSRF token", reason="csrf")


async def require_user(request: web.Request, db: AsyncSession) -> Identity:
    """The caller, or 401; also enforces CSRF for cookie-authenticated unsafe methods."""
    found = credentials(request)
    if found is None:
        raise NotAuthenticated("log in first")
    raw, via = found
    user, token = await accounts.user_for_token(db, raw)
    identity = Identity(user=user, token=token, via=via)
    check_csrf(request, identity)
    return identity


def session_ttl(request: web.Request) -> timedelta:
    return timedelta(hours=request.app[keys.SETTINGS].session_ttl_hours)


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    """HTTP-only so page scripts cannot read it; Lax so other sites cannot POST with it."""
    settings = request.app[keys.SETTINGS]
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(session_ttl(request).total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE_NAME, path="/")


class LoginRateLimiter:
    """Failed logins per (login, client address) in a sliding window, kept in memory.

    Only failures count, so a teacher who logs in many times a day is never locked out, while
    guessing a student's password from one address stops after ``limit`` tries a minute.
    Each node keeps its own window; behind several nodes the effective limit is per node.
    """

    def __init__(self, limit: int = 10, window_seconds: float = 60.0, max_keys: int = 100_000):
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def check(self, login: str, address: str, now: float | None = None) -> None:
        """Raise ``RateLimited`` when this login from this address failed too often lately."""
        now = time.monotonic() if now is None else now
        stamps = self._recent((login.casefold(), address), now)
        if len(stamps) >= self.limit:
            retry = max(1, int(self.window - (now - stamps[0])) + 1)
            raise RateLimited("too many failed logins; try again later", retry_after=retry)

    def failed(self, login: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if len(self._failures) >= self.max_keys:
            self._prune(now)
        key = (login.casefold(), address)
        self._recent(key, now)
        self._failures.setdefault(key, deque()).append(now)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        if len(self._failures) >= self.max_keys:  # still full: forget the oldest half
            for key in list(self._failures)[: self.max_keys // 2]:
                del self._failures[key]


LOGIN_LIMITER = web.AppKey("login_limiter", LoginRateLimiter)


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"
