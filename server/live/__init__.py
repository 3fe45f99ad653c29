"""The live-class layer: socket.io namespace ``/class`` on the node's aiohttp app.

``setup_live(app)`` builds the socket.io server with the client manager ``fanout`` chose (in
process, or Redis across nodes), registers ``ClassNamespace``, and puts a ``LiveRooms`` object
under ``keys.LIVE`` for the REST layer (ending a session, revoked logins, ``/healthz``).
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from aiohttp import web

from server import keys
from server.live.fanout import Fanout, build_fanout
from server.live.media_signaling import setup_media
from server.live.namespace import ClassNamespace
from server.live.revocation import Revocations
from server.live.rooms import NAMESPACE

__all__ = ["NAMESPACE", "ClassNamespace", "LiveClassRooms", "setup_live"]

log = logging.getLogger(__name__)

SIO = web.AppKey("socketio", socketio.AsyncServer)


class LiveClassRooms:
    """``keys.LiveRooms`` for this node: what the REST layer may ask of live rooms."""

    def __init__(self, namespace: ClassNamespace, fanout: Fanout) -> None:
        self.namespace = namespace
        self.fanout = fanout
        self.revocations = Revocations(namespace, fanout)

    async def session_ended(self, session_id: int) -> None:
        await self.namespace.end_room(session_id)

    async def account_deactivated(self, user_id: int) -> None:
        await self.revocations.account_deactivated(user_id)

    async def login_revoked(self, token_id: int) -> None:
        await self.revocations.login_revoked(token_id)

    async def fanout_status(self) -> dict[str, Any]:
        return await self.fanout.status()


def close_transports(sio: socketio.AsyncServer) -> None:
    """Close the TCP connections of this node's sockets once they were told to go.

    By the time ``on_shutdown`` runs aiohttp has stopped reading from open connections, so a
    websocket's closing handshake can never complete and shutdown would wait for the client
    to give up. The disconnect packets already written are flushed before the close.
    """
    for environ in list(sio.environ.values()):
        request = environ.get("aiohttp.request")
        transport = getattr(request, "transport", None)
        if transport is not None:
            transport.close()


def setup_live(app: web.Application) -> None:
    settings = app[keys.SETTINGS]
    fanout = build_fanout(settings, app[keys.NODE_ID])
    # The default origin check (same origin as the page) stays on: the cookie authenticates
    # the socket, so another site must not be able to open one with it.
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=fanout.manager)
    sio.attach(app)
    namespace = ClassNamespace(
        db=None, settings=settings, presence=fanout.presence, node_id=app[keys.NODE_ID]
    )
    sio.register_namespace(namespace)
    app[SIO] = sio
    app[keys.LIVE] = LiveClassRooms(namespace, fanout)

    async def on_startup(app: web.Application) -> None:
        # The engine is opened by a cleanup context, which runs before startup signals.
        namespace.db_factory = app[keys.DB]
        await fanout.start()

    async def on_shutdown(app: web.Application) -> None:
        """Drain while the database is still open: intervals end as ``node_shutdown``."""
        try:
            await namespace.drain()
            await sio.shutdown()
            close_transports(sio)
        finally:
            await fanout.close()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    # After the drain hook above: peers leave first, then the node's routers close.
    namespace.media = setup_media(app, namespace)
