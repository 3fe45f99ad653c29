"""Time-limited TURN credentials (the coturn "REST API" scheme, use-auth-secret).

coturn and the SFU share one secret; each browser gets a username carrying its
own expiry, so a leaked credential stops working by itself and nothing has to
be stored per user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from media.config import MediaConfig


def turn_credentials(
    secret: str, user_id: str, ttl_seconds: int, now: float | None = None
) -> tuple[str, str]:
    """Return ``(username, credential)``: ``"<expiry-unix>:<user-id>"`` and
    ``base64(hmac-sha1(secret, username))``."""
    expiry = int(time.time() if now is None else now) + int(ttl_seconds)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config: MediaConfig, user_id: str, now: float | None = None) -> list[dict]:
    """The browser ``RTCConfiguration.iceServers`` list for one participant."""
    servers: list[dict] = []
    if config.stun_url:
        servers.append({"urls": [config.stun_url]})
    if config.turn_url and config.turn_secret:
        username, credential = turn_credentials(
            config.turn_secret, user_id, config.turn_ttl_seconds, now
        )
        servers.append({"urls": [config.turn_url], "username": username, "credential": credential})
    return servers
