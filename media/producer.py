"""Producer: one published incoming track, forwarded as encoded frames."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import av
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from pyee.asyncio import AsyncIOEventEmitter

from media.keyframes import is_keyframe
from media.tap import packetize

if TYPE_CHECKING:
    from media.consumer import Consumer
    from media.tap import ReceiverTap

SOURCES = {"camera": "video", "screen": "video", "microphone": "audio"}
"""Allowed sources and the media kind each must carry."""


@dataclass(frozen=True)
class ProducerInfo:
    """What the signaling layer lists to clients about a producer."""

    id: str
    peer_id: str
    kind: str
    source: str
    paused: bool


class Producer(AsyncIOEventEmitter):
    """A published track (mediasoup's Producer).

    Frames arrive encoded from a :class:`~media.tap.ReceiverTap` and are handed,
    as one shared ``av.Packet``, to every :class:`~media.consumer.Consumer`.
    Keyframe requests from consumers are throttled here: a classroom of forty
    students joining at once must not make the teacher's browser send forty
    keyframes.

    Events: ``close``, ``pause``, ``resume``, ``keyframe-request`` (sent upstream).
    """

    def __init__(
        self,
        peer_id: str,
        kind: str,
        source: str,
        mid: str,
        codec: RTCRtpCodecParameters | None,
        tap: ReceiverTap | None = None,
        keyframe_request_interval: float = 0.5,
    ) -> None:
        super().__init__()
        self.id = uuid.uuid4().hex
        self.peer_id = peer_id
        self.kind = kind
        self.source = source
        self.mid = mid
        self.codec = codec
        self.tap = tap
        self.paused = False
        self.closed = False
        self.frames = 0
        self.keyframe_requests_sent = 0
        self._consumers: set[Consumer] = set()
        self._interval = keyframe_request_interval
        self._last_request = -1e9
        self._deferred: asyncio.TimerHandle | None = None
        self._request_pending = False
        self._picture_id = random.randrange(1 << 15)

    # -- incoming media ---------------------------------------------------

    def on_frame(self, codec: RTCRtpCodecParameters, data: bytes, timestamp: int) -> None:
        """Tap callback: wrap one encoded frame and fan it out.

        The frame is packetized here, once: every consumer's sender reuses the
        payloads (``packet.opaque``) and only adds its own RTP header and SRTP.
        All consumers therefore share the producer's VP8 picture ids; one that
        dropped frames sees the gap, which is the truth, and resumes on a
        keyframe anyway.
        """
        if self.closed:
            return
        self.codec = codec
        self.frames += 1
        if self._request_pending:
            self._request_pending = False
            self.request_keyframe()
        if self.paused or not self._consumers:
            return
        self._picture_id = (self._picture_id + 1) & 0x7FFF
        packet = av.Packet(data)
        packet.pts = timestamp
        packet.time_base = Fraction(1, codec.clockRate)
        packet.opaque = packetize(codec.name, data, self._picture_id)
        keyframe = is_keyframe(codec.name, data)
        for consumer in list(self._consumers):
            consumer._push(packet, keyframe)

    # -- keyframe requests --------------------------------------------------

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe, at most once per interval.

        A request inside the interval is not lost: one trailing request is
        sent when the interval ends, so the last joiner also gets its keyframe.
        """
        if self.closed or self.kind != "video":
            return
        now = time.monotonic()
        wait = self._last_request + self._interval - now
        if wait <= 0:
            self._send_keyframe_request()
        elif self._deferred is None:
            loop = asyncio.get_running_loop()
            self._deferred = loop.call_later(wait, self._send_deferred)

    def _send_deferred(self) -> None:
        self._deferred = None
        if not self.closed:
            self._send_keyframe_request()

    def _send_keyframe_request(self) -> None:
        if self.tap is not None and not self.tap.request_keyframe():
            # The publisher's stream has not started yet (no SSRC known): ask
            # as soon as its first frame arrives instead of losing the request.
            self._request_pending = True
            return
        self._last_request = time.monotonic()
        self.keyframe_requests_sent += 1
        self.emit("keyframe-request")

    # -- consumers --------------------------------------------------------

    def _add_consumer(self, consumer: Consumer) -> None:
        self._consumers.add(consumer)

    def _remove_consumer(self, consumer: Consumer) -> None:
        self._consumers.discard(consumer)

    @property
    def consumers(self) -> list[Consumer]:
        return list(self._consumers)

    # -- server policy ----------------------------------------------------

    def pause(self) -> None:
        """Stop forwarding (e.g. the teacher muted this student's microphone)."""
        if self.closed or self.paused:
            return
        self.paused = True
        for consumer in list(self._consumers):
            consumer._producer_paused()
        self.emit("pause")

    def resume(self) -> None:
        """Forward again; video consumers wait for a fresh keyframe."""
        if self.closed or not self.paused:
            return
        self.paused = False
        for consumer in list(self._consumers):
            consumer._producer_resumed()
        self.emit("resume")

    def info(self) -> ProducerInfo:
        return ProducerInfo(self.id, self.peer_id, self.kind, self.source, self.paused)

    def close(self) -> None:
        """Close this producer and, through it, every consumer. Idempotent."""
        if self.closed:
            return
        self.closed = True
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None
        if self.tap is not None:
            self.tap.disable()
        for consumer in list(self._consumers):
            consumer._producer_closed()
        self._consumers.clear()
        self.emit("close")
        self.remove_all_listeners()
