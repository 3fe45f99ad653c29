"""The browser client's files: ``/`` is its page, ``/static/`` its assets, nothing listed."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from server.app import CLIENT_WEB_DIR, setup_static
from server.errors import error_middleware
from tests.api.helpers import assert_error


def test_client_dir_is_the_repository_client_web() -> None:
    assert Path(__file__).resolve().parents[2] / "client-web" == CLIENT_WEB_DIR


async def test_index_and_static_files_without_listing(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>새쌤</title>", "utf-8")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("console.log(1)", "utf-8")
    (tmp_path.parent / "secret.txt").write_text("no", "utf-8")
    app = web.Application(middlewares=[error_middleware])
    setup_static(app, tmp_path)
    async with TestClient(TestServer(app)) as client:
        index = await client.get("/")
        assert index.status == 200
        assert "새쌤" in await index.text()
        asset = await client.get("/static/js/app.js")
        assert asset.status == 200 and await asset.text() == "console.log(1)"
        for path in ("/static/", "/static/js/", "/static/missing.js"):
            response = await client.get(path)
            assert response.status == 404, path
            assert response.content_type == "application/json"
        for sneaky in ("/static/%2E%2E/secret.txt", "/static/js/%2e%2e/%2e%2e/secret.txt"):
            escape = await client.get(URL(sneaky, encoded=True))
            assert escape.status == 404, sneaky
            assert_error(await escape.json(), "not_found")


async def test_missing_client_gives_json_404(tmp_path: Path) -> None:
    app = web.Application(middlewares=[error_middleware])
    setup_static(app, tmp_path / "absent")
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/")
        assert response.status == 404
        assert_error(await response.json(), "not_found")
