"""An OpenAPI 3.1 document built from the route table and the pydantic models.

Built once per app from ``server.routes.ROUTES``: the same objects that validate requests
describe them, so the document cannot say something the server does not do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from server import schemas

if TYPE_CHECKING:
    from server.routes import Route

DOCUMENT = web.AppKey("openapi_document", dict)

REF_TEMPLATE = "#/components/schemas/{model}"
_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")

ERROR_DESCRIPTIONS = {
    400: "invalid input",
    401: "not authenticated",
    403: "forbidden (or CSRF token missing)",
    404: "not found",
    409: "conflict with the current state",
    413: "request body too large",
    429: "rate limited",
    503: "unavailable",
}


def openapi_path(path: str) -> str:
    """aiohttp's ``{id:\\d+}`` becomes OpenAPI's ``{id}``."""
    return _PARAM.sub(r"{\1}", path)


def _schemas_for(
    routes: tuple[Route, ...],
) -> tuple[dict[tuple[type[BaseModel], JsonSchemaMode], Any], dict[str, Any]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (schemas.ErrorResponse, "serialization"): None
    }
    for route in routes:
        if route.body is not None:
            wanted[(route.body, "validation")] = None
        if route.response is not None:
            wanted[(route.response, "serialization")] = None
    refs, top = models_json_schema(list(wanted), ref_template=REF_TEMPLATE)
    return refs, top.get("$defs", {})


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(route: Route, refs: dict[Any, Any]) -> dict[str, Any]:
    error_ref = refs[(schemas.ErrorResponse, "serialization")]
    json_error = {"content": {"application/json": {"schema": error_ref}}}
    ok: dict[str, Any] = {"description": "success"}
    if route.response is not None:
        schema = refs[(route.response, "serialization")]
        ok["content"] = {"application/json": {"schema": schema}}
    else:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses: dict[str, Any] = {str(route.status): ok}
    codes = set(route.errors)
    if route.body is not None or route.query is not None:
        codes |= {400}
    if route.body is not None:
        codes |= {413}
    if route.auth:
        codes |= {401, 403}
    for code in sorted(codes):
        responses[str(code)] = {"description": ERROR_DESCRIPTIONS.get(code, "error"), **json_error}
    operation: dict[str, Any] = {
        "operationId": route.handler.__name__,
        "summary": route.summary,
        "tags": [route.tag],
        "responses": responses,
    }
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
        for name in _PARAM.findall(route.path)
    ]
    if route.query is not None:
        params += _query_parameters(route.query)
    if params:
        operation["parameters"] = params
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(route.body, "validation")]}},
        }
    if route.auth:
        operation["security"] = [{"cookie": [], "csrf": []}, {"bearer": []}]
    else:
        operation["security"] = []
    return operation


def build_document(routes: tuple[Route, ...]) -> dict[str, Any]:
    refs, components = _schemas_for(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(openapi_path(route.path), {})[route.method.lower()] = _operation(
            route, refs
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newSSEM API",
            "version": "0.1.0",
            "description": "REST API of the newSSEM classroom platform (docs/protocol.md).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "cookie": {"type": "apiKey", "in": "cookie", "name": "newssem_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


async def serve(request: web.Request) -> web.Response:
    return web.json_response(request.app[DOCUMENT])
