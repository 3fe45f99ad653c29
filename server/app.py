"""The application factory: one aiohttp app per node, as in aiohttp-demos' polls.

``init_app`` wires settings, the database engine (opened and closed by ``cleanup_ctx``), the
start-up sweep of the file store, the REST routes, the live-class socket.io layer and the
browser client's static files.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from lms.db import create_engine, session_factory
from lms.services import file_sweep
from server import keys
from server.auth import LOGIN_LIMITER, LoginRateLimiter
from server.errors import error_middleware
from server.live import setup_live
from server.loop_lag import LoopLagMonitor
from server.routes import setup_routes
from server.settings import Settings

log = logging.getLogger(__name__)

# REST bodies are small JSON documents; anything bigger is a mistake or an attack.
MAX_BODY_BYTES = 1024 * 1024

# ``server/`` sits next to ``client-web/`` in the repository; an editable install keeps it so.
CLIENT_WEB_DIR = Path(__file__).resolve().parent.parent / "client-web"
# Revalidate on every load (ETag / Last-Modified make that cheap) so a deploy shows at once.
NO_CACHE = {"Cache-Control": "no-cache"}


def make_node_id() -> str:
    """Unique per process, readable in logs and ``/healthz``: host, pid and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def database_ctx(settings: Settings) -> Any:
    async def database(app: web.Application) -> AsyncIterator[None]:
        """Open the engine with the app and dispose of its pool when the app stops."""
        engine = create_engine(settings.effective_database_url)
        app[keys.ENGINE] = engine
        app[keys.DB] = session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    return database


async def loop_lag_ctx(app: web.Application) -> AsyncIterator[None]:
    """Watch how late the node's event loop runs, for ``/healthz`` (``server.loop_lag``)."""
    app[keys.LOOP_LAG].start()
    try:
        yield
    finally:
        await app[keys.LOOP_LAG].stop()


def file_store_ctx(settings: Settings) -> Any:
    async def file_store(app: web.Application) -> AsyncIterator[None]:
        """Before serving, clear what uploads cut short by a crash left (``docs/files.md``)."""
        await file_sweep.sweep(app[keys.DB], settings.files_dir)
        yield

    return file_store


def static_file(root: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``root``, refusing anything that escapes it."""
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise web.HTTPNotFound()
    return target


def setup_static(app: web.Application, client_dir: Path = CLIENT_WEB_DIR) -> None:
    """``/`` is the client's page and ``/static/`` its files; directories are never listed.

    A small handler instead of ``add_static`` so that a missing file goes through the error
    middleware like every other 404 (aiohttp's static route answers with an empty body).
    """
    if not client_dir.is_dir():
        log.warning("no browser client at %s; only the API is served", client_dir)

    async def index_page(request: web.Request) -> web.StreamResponse:
        try:
            index = static_file(client_dir, "index.html")
        except web.HTTPNotFound:
            raise web.HTTPNotFound(reason="the browser client is not installed") from None
        return web.FileResponse(index, headers=NO_CACHE)

    async def asset(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(static_file(client_dir, request.match_info["path"]),
                                headers=NO_CACHE)

    app.router.add_get("/", index_page)
    app.router.add_get("/static/{path:.*}", asset)


def init_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    app[keys.SETTINGS] = settings
    app[keys.NODE_ID] = make_node_id()
    app[LOGIN_LIMITER] = LoginRateLimiter()
    app[keys.LOOP_LAG] = LoopLagMonitor()
    app.cleanup_ctx.append(database_ctx(settings))
    app.cleanup_ctx.append(file_store_ctx(settings))
    app.cleanup_ctx.append(loop_lag_ctx)
    setup_routes(app)
    setup_live(app)
    setup_static(app)
    return app
