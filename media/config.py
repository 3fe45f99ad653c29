"""Typed media configuration, filled from the platform settings object."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaConfig:
    """How the SFU is reached from browsers.

    ``announced_ip`` is the address written into ICE candidates (mediasoup's
    ``announcedIp``): behind 1:1 NAT it is the public address while sockets bind
    to ``listen_ip``. ``port_range`` limits the UDP ports so a firewall can be
    opened for exactly those. TURN settings are handed to browsers only; the
    SFU itself never needs a relay.
    """

    announced_ip: str = "127.0.0.1"
    listen_ip: str | None = None
    port_range: tuple[int, int] | None = None
    turn_url: str | None = None
    turn_secret: str | None = None
    turn_ttl_seconds: int = 6 * 3600
    stun_url: str | None = None
    consumer_queue_frames: int = 32
    keyframe_request_interval: float = 0.5

    @property
    def bind_ip(self) -> str:
        """Address the UDP sockets bind to (defaults to the announced one)."""
        return self.listen_ip or self.announced_ip
