"""Real aiortc client peers over loopback, speaking to a Router like a browser would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack

from media.ice import bind_host_candidates
from media.router import Router
from media.tap import ReceiverTap, hook_keyframe_requests

LOOPBACK = "127.0.0.1"


def client_pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


def as_dict(desc: RTCSessionDescription) -> dict:
    return {"type": desc.type, "sdp": desc.sdp}


class Publisher:
    """A client that publishes tracks on its send transport."""

    def __init__(self, router: Router, peer_id: str) -> None:
        self.router = router
        self.peer_id = peer_id
        self.pc = client_pc()
        self.senders: dict[str, RTCRtpSender] = {}
        self.producers: list = []

    async def publish(self, tracks: list[tuple[MediaStreamTrack, str]]) -> list:
        added = []
        for track, source in tracks:
            transceiver = self.pc.addTransceiver(track, direction="sendonly")
            added.append((transceiver, source))
        bind_host_candidates(self.pc, LOOPBACK)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sources = {t.mid: source for t, source in added}
        for t, _ in added:
            self.senders[t.mid] = t.sender
            if hasattr(t.sender.track, "request_keyframe"):
                # a pre-encoded track answers PLI by jumping to its next keyframe
                hook_keyframe_requests(t.sender, t.sender.track.request_keyframe)
        answer, producers = await self.router.publish(
            self.peer_id, as_dict(self.pc.localDescription), sources
        )
        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
        self.producers += producers
        return producers

    async def reoffer(self) -> list:
        """Offer again after a local change (e.g. a transceiver's direction)."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer, producers = await self.router.publish(
            self.peer_id, as_dict(self.pc.localDescription), {}
        )
        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
        self.producers += producers
        return producers

    def count_keyframe_requests(self, mid: str, on_request: Callable[[], None]) -> None:
        """Observe PLI/FIR reaching this publisher's real RTCRtpSender."""
        sender = self.senders[mid]
        original = sender._send_keyframe

        def spy() -> None:
            on_request()
            original()

        sender._send_keyframe = spy  # type: ignore[method-assign]

    async def close(self) -> None:
        await self.pc.close()


class Subscriber:
    """A client that receives on its recv transport.

    With ``tap=True`` frames are counted encoded (no decoder threads), which
    keeps leak checks and load tests free of decoding; otherwise tracks decode
    as in a browser and :meth:`read` pulls decoded frames.
    """

    def __init__(self, router: Router, peer_id: str, tap: bool = False) -> None:
        self.router = router
        self.peer_id = peer_id
        self.pc = client_pc()
        self.use_tap = tap
        self.tracks: list[MediaStreamTrack] = []
        self.taps: dict[str, ReceiverTap] = {}
        self.encoded_frames: dict[str, int] = {}
        self.first_frame = asyncio.Event()

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.tracks.append(track)

    async def negotiate(self) -> bool:
        """One offer/answer round on the recv transport; False if nothing to receive."""
        offer = await self.router.subscribe(self.peer_id)
        if offer is None:
            return False
        await self.pc.setRemoteDescription(RTCSessionDescription(**offer))
        if self.use_tap:
            for transceiver in self.pc.getTransceivers():
                if transceiver.mid not in self.taps and transceiver.receiver.track:
                    self.taps[transceiver.mid] = ReceiverTap(
                        transceiver.receiver, self._counter(transceiver.mid)
                    )
        bind_host_candidates(self.pc, LOOPBACK)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.router.set_subscriber_answer(self.peer_id, as_dict(self.pc.localDescription))
        return True

    def _counter(self, mid: str) -> Callable[..., None]:
        self.encoded_frames[mid] = 0

        def on_frame(codec, data, timestamp) -> None:
            self.encoded_frames[mid] += 1
            self.first_frame.set()

        return on_frame

    async def read(self, kind: str, count: int, limit: float = 10.0) -> list:
        """Decode ``count`` frames of the first track of ``kind``."""
        track = next(t for t in self.tracks if t.kind == kind)
        frames = []

        async def pull() -> None:
            while len(frames) < count:
                frames.append(await track.recv())

        await asyncio.wait_for(pull(), limit)
        return frames

    def receiver_for(self, kind: str) -> RTCRtpReceiver:
        return next(t.receiver for t in self.pc.getTransceivers() if t.kind == kind)

    async def close(self) -> None:
        await self.pc.close()


async def wait_for(predicate: Callable[[], bool], limit: float = 10.0) -> None:
    """Poll ``predicate`` until true (media arrives asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)
