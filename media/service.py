"""MediaService: the facade the signaling layer (socket.io namespace) calls."""

from __future__ import annotations

from media.config import MediaConfig
from media.router import Router
from media.tap import check_aiortc_version
from media.turn import ice_servers


class MediaService:
    """One per media node: a Router per live session hosted here.

    Signaling never touches aiortc objects; it passes SDP dicts and ids in and
    out of the router methods.
    """

    def __init__(self, config: MediaConfig | None = None) -> None:
        check_aiortc_version()  # fail at start-up, not when the first class begins
        self.config = config or MediaConfig()
        self._routers: dict[str, Router] = {}

    def router_for(self, session_id: str) -> Router:
        """The session's router, created on first use."""
        router = self._routers.get(session_id)
        if router is None or router.closed:
            router = self._routers[session_id] = Router(session_id, self.config)
        return router

    def get_router(self, session_id: str) -> Router | None:
        return self._routers.get(session_id)

    async def close_router(self, session_id: str) -> None:
        router = self._routers.pop(session_id, None)
        if router is not None:
            await router.close()

    def ice_servers(self, user_id: str) -> list[dict]:
        """Browser ``iceServers`` (STUN/TURN with fresh credentials) for a user."""
        return ice_servers(self.config, user_id)

    async def close(self) -> None:
        for session_id in list(self._routers):
            await self.close_router(session_id)
