"""Typed domain errors. The server maps each to one HTTP status / socket.io error code."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; ``code`` is stable and machine-readable."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 400


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The request is well-formed but the state does not allow it (e.g. session ended)."""

    code = "conflict"
    http_status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429
