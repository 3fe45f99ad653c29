"""The one place where errors become HTTP responses.

Services raise typed ``lms.errors.DomainError``s, pydantic raises ``ValidationError`` and aiohttp
raises ``HTTPException`` for unknown routes, wrong methods and oversize bodies. Every one of them
leaves the server as the same JSON body, ``{"error": {"code", "message", "details"?}}``, so the
browser client and scripts never have to parse an HTML error page.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from lms.errors import DomainError

log = logging.getLogger(__name__)

# Codes for the HTTP errors aiohttp raises by itself; anything else falls back to "http_<status>".
HTTP_CODES: dict[int, str] = {
    400: "invalid_input",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}

# Headers of an aiohttp HTTPException worth keeping on the JSON replacement (e.g. ``Allow``).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.json_response(error_body(code, message, details), status=status, headers=headers)


def validation_details(error: ValidationError) -> dict[str, Any]:
    """Field-level problems in a form the client can show next to each input."""
    fields = [
        {
            "loc": [str(part) for part in item["loc"]],
            "type": item["type"],
            "message": item["msg"],
        }
        for item in error.errors(include_url=False, include_input=False)
    ]
    return {"fields": fields}


def from_validation_error(error: ValidationError) -> web.Response:
    if any(item["type"] == "json_invalid" for item in error.errors(include_url=False)):
        return error_response(400, "invalid_input", "request body is not valid JSON")
    return error_response(
        400, "invalid_input", "request failed validation", validation_details(error)
    )


def from_http_exception(exc: web.HTTPException) -> web.Response:
    headers = {name: exc.headers[name] for name in _KEPT_HEADERS if name in exc.headers}
    code = HTTP_CODES.get(exc.status, f"http_{exc.status}")
    message = exc.reason
    if exc.status == 413:
        message = "request body is too large"
    return error_response(exc.status, code, message, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure of a handler into the protocol's JSON error body."""
    try:
        return await handler(request)
    except DomainError as exc:
        return web.json_response({"error": exc.to_dict()}, status=exc.http_status)
    except ValidationError as exc:
        return from_validation_error(exc)
    except web.HTTPException as exc:
        if exc.status < 400:  # redirects and "not modified" are not errors
            raise
        return from_http_exception(exc)
    except (asyncio.CancelledError, ConnectionResetError):
        raise  # the client went away; there is nobody to answer
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal server error")
