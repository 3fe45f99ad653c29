"""Fixtures for SFU tests: a router on loopback and pre-encoded VP8."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from media import MediaConfig, MediaService
from media.clip import encode_vp8_clip
from media.router import Router


@pytest.fixture(scope="session")
def vp8_frames() -> list[bytes]:
    """Two seconds of small VP8 (keyframe every 15 frames), encoded once."""
    return encode_vp8_clip(160, 120, fps=30, seconds=2, bitrate=300_000, gop=15)


@pytest.fixture
def config() -> MediaConfig:
    return MediaConfig(announced_ip="127.0.0.1", keyframe_request_interval=0.5)


@pytest.fixture
async def service(config: MediaConfig) -> AsyncIterator[MediaService]:
    service = MediaService(config)
    yield service
    await service.close()


@pytest.fixture
async def router(service: MediaService) -> Router:
    return service.router_for("session-1")
