"""ICE on the configured address: announced host candidate, UDP port range."""

from __future__ import annotations

import psutil
import pytest

from media import MediaConfig, MediaService
from media.clip import EncodedVideoTrack
from media.errors import UnsupportedAiortcVersion
from media.ice import check_aioice
from tests.media.peers import Publisher, wait_for

PORTS = (41200, 41219)


def _candidates(sdp: str) -> list[tuple[str, int]]:
    found = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            fields = line.split()
            found.append((fields[4], int(fields[5])))
    return found


async def test_candidates_on_loopback_within_port_range(vp8_frames):
    service = MediaService(MediaConfig(announced_ip="127.0.0.1", port_range=PORTS))
    router = service.router_for("ice")
    publisher = Publisher(router, "teacher")
    (producer,) = await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    answer = publisher.pc.remoteDescription.sdp
    candidates = _candidates(answer)
    assert candidates and all(host == "127.0.0.1" for host, _ in candidates)
    assert all(PORTS[0] <= port <= PORTS[1] for _, port in candidates)
    await wait_for(lambda: producer.frames >= 3)  # and media flows over it
    ours = {c.laddr.port for c in psutil.Process().net_connections(kind="udp")}
    assert any(PORTS[0] <= port <= PORTS[1] for port in ours)
    await publisher.close()
    await service.close()


async def test_announced_address_differs_from_listen_address(vp8_frames):
    """Behind 1:1 NAT: bind on one address, write another into the candidates."""
    config = MediaConfig(announced_ip="127.0.0.9", listen_ip="127.0.0.1")
    service = MediaService(config)
    publisher = Publisher(service.router_for("nat"), "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    assert {host for host, _ in _candidates(publisher.pc.remoteDescription.sdp)} == {"127.0.0.9"}
    await publisher.close()
    await service.close()


async def test_exhausted_port_range_fails_loudly(vp8_frames):
    service = MediaService(MediaConfig(port_range=(PORTS[0], PORTS[0])))
    first = Publisher(service.router_for("a"), "t1")
    await first.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    second = Publisher(service.router_for("b"), "t2")
    with pytest.raises(OSError, match="no free UDP port"):
        await second.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    for peer in (first, second):
        await peer.close()
    await service.close()


def test_aioice_version_checked(monkeypatch):
    check_aioice()
    monkeypatch.setattr("aioice.__version__", "0.99.0")
    with pytest.raises(UnsupportedAiortcVersion):
        check_aioice()
