"""No leaked asyncio tasks, UDP sockets, file descriptors or threads after teardown."""

from __future__ import annotations

import asyncio
import gc
import threading

import psutil

from media import MediaConfig, MediaService
from media.clip import EncodedVideoTrack
from tests.media.peers import Publisher, Subscriber, wait_for


def _snapshot() -> tuple[int, int, int, int]:
    process = psutil.Process()
    udp = len(process.net_connections(kind="udp"))
    return len(asyncio.all_tasks()), udp, process.num_fds(), threading.active_count()


async def _settle(before: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    for _ in range(50):
        gc.collect()
        now = _snapshot()
        if all(a <= b for a, b in zip(now, before, strict=True)):
            return now
        await asyncio.sleep(0.1)
    return _snapshot()


async def _session(service: MediaService, vp8_frames: list[bytes], close_router: bool) -> None:
    router = service.router_for("leak-check")
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscribers = [Subscriber(router, f"s{i}", tap=True) for i in range(3)]
    for subscriber in subscribers:
        await subscriber.negotiate()
    await wait_for(lambda: all(sum(s.encoded_frames.values()) >= 5 for s in subscribers))
    if close_router:
        await service.close_router("leak-check")
    else:
        for peer in ["teacher", "s0", "s1", "s2"]:
            await router.close_peer(peer)
        await service.close_router("leak-check")
    for peer in [publisher, *subscribers]:
        await peer.close()


async def test_peers_leaving_leak_nothing(vp8_frames):
    before = _snapshot()
    service = MediaService(MediaConfig())
    await _session(service, vp8_frames, close_router=False)
    await service.close()
    after = await _settle(before)
    assert after[0] <= before[0], f"tasks {before[0]} -> {after[0]}"
    assert after[1] <= before[1], f"udp sockets {before[1]} -> {after[1]}"
    assert after[2] <= before[2], f"fds {before[2]} -> {after[2]}"
    assert after[3] <= before[3], f"threads {before[3]} -> {after[3]}"


async def test_router_close_leaks_nothing(vp8_frames):
    before = _snapshot()
    service = MediaService(MediaConfig())
    await _session(service, vp8_frames, close_router=True)
    after = await _settle(before)
    assert all(a <= b for a, b in zip(after, before, strict=True)), (before, after)
