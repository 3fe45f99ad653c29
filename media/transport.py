"""Per-participant WebRTC transports: one to publish on, one to subscribe on.

Like mediasoup-client, each participant has a send transport (the client
offers its tracks, the server answers) and a recv transport (the server offers
one m-section per consumed producer, the client answers). Both bundle every
m-section on one ICE/DTLS connection, as browsers do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc import sdp as aiortc_sdp
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtcrtpparameters import RTCRtpCodecCapability, RTCRtpCodecParameters
from pyee.asyncio import AsyncIOEventEmitter

from media.config import MediaConfig
from media.consumer import Consumer
from media.errors import NegotiationPending, UnexpectedAnswer, UnsupportedSource
from media.ice import bind_host_candidates
from media.producer import SOURCES, Producer
from media.sendloop import install_send_loop
from media.tap import ReceiverTap, SharedPacker, hook_keyframe_requests, prepare_forwarding_sender


def _new_peer_connection() -> RTCPeerConnection:
    # No STUN/TURN for the server itself: it has a reachable announced address.
    return RTCPeerConnection(
        RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    )


def description(desc: RTCSessionDescription) -> dict:
    """aiortc description → the ``{"type", "sdp"}`` dict signaling carries."""
    return {"type": desc.type, "sdp": desc.sdp}


class Transport(AsyncIOEventEmitter):
    """What both directions share: a peer connection bound to the configured
    address, and an idempotent ``close()``. Events: ``close``,
    ``connectionstatechange`` (state)."""

    direction = ""

    def __init__(self, peer_id: str, config: MediaConfig) -> None:
        super().__init__()
        self.peer_id = peer_id
        self.config = config
        self.closed = False
        self.pc = _new_peer_connection()
        self._negotiation_lock = asyncio.Lock()

        @self.pc.on("connectionstatechange")
        def _on_state() -> None:
            self.emit("connectionstatechange", self.pc.connectionState)

    @property
    def connection_state(self) -> str:
        return self.pc.connectionState

    def _bind(self) -> None:
        bind_host_candidates(
            self.pc, self.config.bind_ip, self.config.announced_ip, self.config.port_range
        )

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        await self._close_media()
        await self.pc.close()
        self.emit("close")
        self.remove_all_listeners()

    async def _close_media(self) -> None:
        """Close producers or consumers before the connection goes."""


class SendTransport(Transport):
    """Receives a participant's published tracks; each m-section is a Producer."""

    direction = "send"

    def __init__(self, peer_id: str, config: MediaConfig) -> None:
        super().__init__(peer_id, config)
        self.producers: dict[str, Producer] = {}  # by mid
        self.taps: dict[str, ReceiverTap] = {}  # by mid; outlive a closed producer

    async def publish(self, offer: dict, sources: dict[str, str]) -> tuple[dict, list[Producer]]:
        """Apply the client's (re-)offer; return the answer and the new producers.

        A mid already published keeps its producer; a mid the client stopped
        sending on (direction no longer includes "send") closes its producer.
        """
        async with self._negotiation_lock:
            known = set(self.producers)
            await self.pc.setRemoteDescription(RTCSessionDescription(**offer))
            parsed = aiortc_sdp.SessionDescription.parse(offer["sdp"])
            sending = {
                m.rtp.muxId
                for m in parsed.media
                if m.kind in ("audio", "video") and m.direction in ("sendonly", "sendrecv")
            }
            new: list[tuple[RTCRtpTransceiver, str]] = []
            for transceiver in self.pc.getTransceivers():
                mid = transceiver.mid
                if mid in known or mid not in sending:
                    continue
                source = sources.get(mid) or (
                    "microphone" if transceiver.kind == "audio" else "camera"
                )
                if SOURCES.get(source) != transceiver.kind:
                    raise UnsupportedSource(f"mid {mid}: {source!r} on {transceiver.kind}")
                new.append((transceiver, source))
            producers: list[Producer] = []
            for transceiver, source in new:
                producer = Producer(
                    self.peer_id,
                    transceiver.kind,
                    source,
                    transceiver.mid,
                    None,
                    keyframe_request_interval=self.config.keyframe_request_interval,
                )
                tap = self.taps.get(transceiver.mid)
                if tap is None:
                    tap = self.taps[transceiver.mid] = ReceiverTap(
                        transceiver.receiver, producer.on_frame
                    )
                else:
                    # The client sends on an m-section again whose producer it
                    # closed before: aiortc keeps the (started) receiver, so the
                    # existing tap feeds the new producer.
                    tap.on_frame = producer.on_frame
                    tap.enable()
                producer.tap = tap
                self.producers[transceiver.mid] = producer
                producers.append(producer)
            self._bind()
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
            negotiated = _negotiated_codecs(self.pc.localDescription.sdp)
            for producer in producers:
                producer.codec = negotiated.get(producer.mid)
            for mid in known - sending:
                self.producers.pop(mid).close()
            return description(self.pc.localDescription), producers

    async def _close_media(self) -> None:
        for producer in list(self.producers.values()):
            producer.close()
        for tap in self.taps.values():
            await tap.drain()


class RecvTransport(Transport):
    """Sends consumers to a participant; renegotiated as producers come and go.

    New producers get a new sendonly m-section in a server re-offer. A closed
    producer's m-section is stopped and offered as ``inactive`` from then on;
    aiortc cannot recycle m-sections (it never emits port 0), so sections are
    only added during a session. See media/README.md.
    """

    direction = "recv"

    def __init__(self, peer_id: str, config: MediaConfig) -> None:
        super().__init__(peer_id, config)
        self.consumers: dict[str, Consumer] = {}  # by producer id
        self._transceivers: dict[str, RTCRtpTransceiver] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        self.awaiting_answer = False
        self._stale = False

    def needs_negotiation(self) -> None:
        """Something to offer changed (a producer came or went): emit
        ``negotiationneeded`` now, or once the pending offer is answered."""
        if self.closed:
            return
        if self.awaiting_answer:
            self._stale = True
        else:
            self.emit("negotiationneeded")

    async def offer(self, producers: list[Producer]) -> tuple[dict | None, list[Consumer]]:
        """Consume every listed producer not consumed yet; return the offer.

        The offer is ``None`` while there has never been anything to receive:
        an offer without m-sections is not one a browser can answer.
        """
        async with self._negotiation_lock:
            if self.awaiting_answer:
                raise NegotiationPending(f"peer {self.peer_id}: previous offer not answered")
            self._stale = False
            created: list[Consumer] = []
            for producer in producers:
                if producer.id in self.consumers or producer.closed or producer.codec is None:
                    continue
                consumer = Consumer(producer, self.peer_id, self.config.consumer_queue_frames)
                transceiver = self.pc.addTransceiver(consumer, direction="sendonly")
                transceiver.setCodecPreferences(_preferences_for(producer.codec, producer.kind))
                hook_keyframe_requests(transceiver.sender, consumer.request_keyframe)
                prepare_forwarding_sender(
                    transceiver.sender, SharedPacker(producer.codec, consumer._on_bitrate)
                )
                install_send_loop(transceiver.sender)
                self.consumers[producer.id] = consumer
                self._transceivers[producer.id] = transceiver
                consumer.on("close", self._make_on_consumer_close(producer.id))
                created.append(consumer)
            if not self.pc.getTransceivers():
                return None, created
            self._bind()
            await self.pc.setLocalDescription(await self.pc.createOffer())
            self.awaiting_answer = True
            return description(self.pc.localDescription), created

    async def set_answer(self, answer: dict) -> None:
        async with self._negotiation_lock:
            if not self.awaiting_answer:
                raise UnexpectedAnswer(f"peer {self.peer_id}: no offer awaits an answer")
            await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
            self.awaiting_answer = False
            if self._stale:
                self._stale = False
                self.emit("negotiationneeded")

    def _make_on_consumer_close(self, producer_id: str) -> Callable[[], None]:
        def on_close() -> None:
            self.consumers.pop(producer_id, None)
            transceiver = self._transceivers.pop(producer_id, None)
            if transceiver is None or self.closed:
                return
            transceiver.direction = "inactive"
            task = asyncio.ensure_future(transceiver.sender.stop())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)
            self.needs_negotiation()  # tell the client the m-section is inactive

        return on_close

    async def _close_media(self) -> None:
        for consumer in list(self.consumers.values()):
            consumer.close()
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)


def _negotiated_codecs(sdp_text: str) -> dict[str, RTCRtpCodecParameters]:
    """First (i.e. used) codec of each m-section in our answer, by mid."""
    parsed = aiortc_sdp.SessionDescription.parse(sdp_text)
    return {
        m.rtp.muxId: m.rtp.codecs[0]
        for m in parsed.media
        if m.kind in ("audio", "video") and m.rtp.codecs
    }


def _preferences_for(codec: RTCRtpCodecParameters, kind: str) -> list[RTCRtpCodecCapability]:
    """Offer a subscriber only the producer's codec (+ RTX): a forwarded frame
    can only be decoded with the codec it was encoded in."""
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    mime = codec.mimeType.lower()

    def matches(cap: RTCRtpCodecCapability) -> bool:
        if cap.mimeType.lower() != mime:
            return False
        if mime == "video/h264":
            keys = ("packetization-mode", "profile-level-id")
            return all(
                str(cap.parameters.get(k, "")).lower() == str(codec.parameters.get(k, "")).lower()
                for k in keys
            )
        return True

    chosen = [cap for cap in capabilities if matches(cap)]
    if not chosen:
        chosen = [cap for cap in capabilities if cap.mimeType.lower() == mime][:1]
    chosen += [cap for cap in capabilities if cap.mimeType.lower().endswith("/rtx")]
    return chosen
