"""``/healthz`` and the OpenAPI document."""

from __future__ import annotations

import asyncio
import re
import time

from aiohttp import web
from aiohttp.test_utils import TestClient

from server import keys
from server.openapi import openapi_path


async def test_healthz_shape(app_client: TestClient, settings) -> None:
    response = await app_client.get("/healthz")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["status"] == "ok"
    database = body["database"]
    assert database["ok"] is True
    assert database["backend"] == (
        "sqlite" if settings.effective_database_url.startswith("sqlite") else "postgresql"
    )
    assert set(database["pool"]) == {"size", "checked_out", "idle", "overflow"}
    assert database["pool"]["checked_out"] >= 0 and database["pool"]["size"] > 0
    assert set(body["event_loop"]) == {
        "recent_max_ms", "recent_mean_ms", "worst_ms", "window_seconds"
    }
    assert body["fanout"]["ok"] is True
    assert body["fanout"]["mode"] in {"local", "redis"}
    assert body["node"] == app_client.app[keys.NODE_ID]
    assert re.fullmatch(r".+-\d+-[0-9a-f]{6}", body["node"])


async def test_healthz_shows_a_blocked_event_loop(app_client: TestClient) -> None:
    await asyncio.sleep(0.15)  # the ticker is asleep now
    time.sleep(0.4)  # noqa: ASYNC251  (a handler hogging the loop, as the test means)
    await asyncio.sleep(0.15)
    body = await (await app_client.get("/healthz")).json()
    # The ticker woke at least 0.4 - 0.1 s late, whatever else the machine was doing.
    assert body["event_loop"]["recent_max_ms"] >= 250
    assert body["event_loop"]["worst_ms"] >= body["event_loop"]["recent_max_ms"]


async def test_healthz_degraded_is_503(app_client: TestClient, monkeypatch) -> None:
    async def down() -> dict:
        return {"ok": False, "mode": "redis"}

    monkeypatch.setattr(app_client.app[keys.LIVE], "fanout_status", down)
    response = await app_client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "degraded" and body["database"]["ok"] is True


def api_routes(app: web.Application) -> set[tuple[str, str]]:
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and (path.startswith("/api/") or path == "/healthz") and route.method != "HEAD":
            found.add((route.method.lower(), openapi_path(path)))
    return found


async def test_openapi_documents_every_api_route(app_client: TestClient) -> None:
    response = await app_client.get("/api/openapi.json")
    assert response.status == 200
    doc = await response.json()
    assert doc["openapi"].startswith("3.1")
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    routes = api_routes(app_client.app)
    assert routes, "no routes found"
    assert routes <= documented, routes - documented

    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and op["responses"], (method, path)
            for param in re.findall(r"\{(\w+)\}", path):
                assert any(p["name"] == param for p in op["parameters"]), (method, path)
    login = doc["paths"]["/api/auth/login"]["post"]
    ref = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[-1] in schemas
    assert schemas["LoginRequest"]["additionalProperties"] is False
    assert "ErrorResponse" in schemas
