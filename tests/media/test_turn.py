"""TURN REST credentials as coturn's use-auth-secret expects them."""

from __future__ import annotations

import base64
import hashlib
import hmac

from media import MediaConfig, MediaService, ice_servers, turn_credentials


def test_turn_credential_format():
    username, credential = turn_credentials("s3cret", "user-42", 3600, now=1_700_000_000)
    assert username == "1700003600:user-42"
    expected = hmac.new(b"s3cret", username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(credential) == expected


def test_ice_servers_for_browser():
    config = MediaConfig(
        turn_url="turn:turn.school.example:3478?transport=udp",
        turn_secret="s3cret",
        turn_ttl_seconds=600,
        stun_url="stun:turn.school.example:3478",
    )
    servers = ice_servers(config, "user-1", now=1000)
    assert servers[0] == {"urls": ["stun:turn.school.example:3478"]}
    assert servers[1]["urls"] == ["turn:turn.school.example:3478?transport=udp"]
    assert servers[1]["username"] == "1600:user-1"
    assert MediaService(MediaConfig()).ice_servers("u") == []
