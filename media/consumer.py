"""Consumer: one subscriber's view of a producer, as a track of encoded packets."""

from __future__ import annotations

import asyncio
import uuid
from collections import deque

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from media.producer import Producer


class Consumer(MediaStreamTrack):
    """A ``MediaStreamTrack`` whose ``recv()`` returns the producer's ``av.Packet``s.

    aiortc's ``RTCRtpSender`` packetizes packets without encoding them, so a
    subscriber costs one packetization, not one encoder.

    The queue is bounded (``max_frames``): a subscriber whose link or event loop
    falls behind must not grow the server's memory. For video, overflowing drops
    the whole queue and then every frame until the next keyframe (a delta frame
    without its reference would only show corruption), and asks the publisher
    for that keyframe. Audio simply drops its oldest frames.

    The consumer forwards nothing until its sender first asks for a packet; that
    first ``recv()`` also requests a keyframe, so a joining student sees a
    picture as soon as the connection is up rather than at the next periodic
    keyframe.

    Events: ``close``, ``producerclose``, ``producerpause``, ``producerresume``;
    ``ended`` as any ``MediaStreamTrack``.
    """

    def __init__(self, producer: Producer, peer_id: str, max_frames: int = 32) -> None:
        super().__init__()
        self.kind = producer.kind
        self.consumer_id = uuid.uuid4().hex
        self.producer = producer
        self.peer_id = peer_id
        self.max_frames = max(1, max_frames)
        self.closed = False
        self.started = False
        self.frames_forwarded = 0
        self.frames_dropped = 0
        self.max_depth = 0
        self.estimated_bitrate: int | None = None
        self._queue: deque[av.Packet] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._needs_keyframe = self.kind == "video"
        producer._add_consumer(self)

    @property
    def producer_id(self) -> str:
        return self.producer.id

    @property
    def paused(self) -> bool:
        """True while the producer is paused by server policy."""
        return self.producer.paused

    @property
    def queued(self) -> int:
        return len(self._queue)

    def _on_bitrate(self, bitrate: int) -> None:
        """The subscriber's receive-side bandwidth estimate (REMB), in bit/s.

        Recorded, not acted on: with one encoding per producer there is no
        lower layer to switch to (see media/README.md).
        """
        self.estimated_bitrate = bitrate

    def request_keyframe(self) -> None:
        """Relay a keyframe request (the subscriber's PLI/FIR) to the publisher."""
        if not self.closed:
            self.producer.request_keyframe()

    # -- fed by the producer ----------------------------------------------

    def _push(self, packet: av.Packet, keyframe: bool) -> None:
        if self.closed or not self.started:
            return
        if self._needs_keyframe:
            if not keyframe:
                self.frames_dropped += 1
                return
            self._needs_keyframe = False
        if len(self._queue) >= self.max_frames:
            if self.kind == "video":
                self.frames_dropped += len(self._queue) + 1
                self._queue.clear()
                self._needs_keyframe = True
                self.producer.request_keyframe()
                return
            self._queue.popleft()
            self.frames_dropped += 1
        self._queue.append(packet)
        if len(self._queue) > self.max_depth:
            self.max_depth = len(self._queue)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _producer_paused(self) -> None:
        self._queue.clear()
        self.emit("producerpause")

    def _producer_resumed(self) -> None:
        if self.kind == "video":
            self._needs_keyframe = True
            self.producer.request_keyframe()
        self.emit("producerresume")

    def _producer_closed(self) -> None:
        self.emit("producerclose")
        self.close()

    # -- read by the subscriber's RTCRtpSender ------------------------------

    async def recv(self) -> av.Packet:
        if not self.started:
            self.started = True
            if self._needs_keyframe:
                self.producer.request_keyframe()
        while not self._queue:
            if self.closed:
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        packet = self._queue.popleft()
        self.frames_forwarded += 1
        return packet

    def close(self) -> None:
        """Stop forwarding and end the track. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self.producer._remove_consumer(self)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self.emit("close")
        self.stop()  # emits "ended", then drops all listeners
