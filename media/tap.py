"""The one place where the SFU reaches into aiortc internals.

aiortc has no public hook for encoded media: an ``RTCRtpReceiver`` reassembles
frames in its jitter buffer and hands them to a decoder thread through a
``queue.Queue``; an ``RTCRtpSender`` turns a keyframe request (PLI/FIR) into a
flag only its own encoder reads. Forwarding needs both ends:

* :class:`ReceiverTap` replaces the receiver's decoder queue, so each complete
  encoded frame goes to a callback instead, and starts the receiver without a
  decoder thread (decoding is exactly the cost the SFU exists to avoid).
* :func:`hook_keyframe_requests` routes a subscriber's PLI/FIR to a callback,
  so it can be relayed to the publisher.
* :func:`packetize` splits a frame into RTP payloads once per producer, and
  :func:`install_shared_packer` makes a sender use those payloads instead of
  packetizing the same frame again for every subscriber; the packer also
  receives the subscriber's bandwidth estimate (REMB), which aiortc hands to
  whatever sits in the encoder slot.
* :class:`FastHeaderExtensionsMap` writes the two RTP header extensions a
  forwarding sender uses (mid, abs-send-time) without aiortc's generic
  per-packet list building; the bytes are identical.
* :func:`install_fast_ntp_clock` swaps aiortc's datetime-based NTP clock,
  called twice per RTP packet sent, for an equivalent integer one.

All depend on private names of aiortc 1.16; :func:`check_aiortc_version`
refuses any other version so an upgrade fails loudly at start-up, not
silently in a classroom.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiortc
import aiortc.clock
import av
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.codecs import get_encoder
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap

from media.errors import UnsupportedAiortcVersion

SUPPORTED_AIORTC = ((1, 16), (1, 17))
"""Half-open range ``[1.16, 1.17)`` of aiortc versions this module was written for."""

FrameCallback = Callable[[RTCRtpCodecParameters, bytes, int], None]
"""Receives ``(codec, encoded frame bytes, timestamp in codec clock units from 0)``."""

_R = "_RTCRtpReceiver__"  # name-mangling prefix of RTCRtpReceiver's private attributes


def check_aiortc_version(version: str | None = None) -> None:
    """Raise :class:`UnsupportedAiortcVersion` unless aiortc is within range."""
    version = version or aiortc.__version__
    try:
        parts = tuple(int(p) for p in version.split(".")[:2])
    except ValueError as error:
        raise UnsupportedAiortcVersion(f"cannot parse aiortc version {version!r}") from error
    low, high = SUPPORTED_AIORTC
    if not (low <= parts < high):
        raise UnsupportedAiortcVersion(
            f"media.tap supports aiortc >={low[0]}.{low[1]},<{high[0]}.{high[1]}; "
            f"found {version}. Re-check aiortc/rtcrtpreceiver.py and rtcrtpsender.py."
        )


def _require(obj: object, names: tuple[str, ...]) -> None:
    missing = [name for name in names if not hasattr(obj, name)]
    if missing:
        raise UnsupportedAiortcVersion(f"aiortc internals changed, missing: {missing}")


class _NoDecoderThread:
    """Stands in for the decoder thread: truthy, so the receiver keeps handing
    over frames, and ``join()`` returns at once when the receiver stops."""

    def __bool__(self) -> bool:
        return True

    def join(self, timeout: float | None = None) -> None:
        return None


class _FrameSink:
    """Stands in for the decoder's ``queue.Queue``; runs on the event loop."""

    def __init__(self, tap: ReceiverTap) -> None:
        self._tap = tap

    def put(self, item: Any) -> None:
        if item is None:
            self._tap._ended()
        else:
            codec, frame = item
            self._tap._on_frame(codec, frame.data, frame.timestamp)


class ReceiverTap:
    """Take encoded frames out of an ``RTCRtpReceiver`` instead of decoding them.

    Install it after ``setRemoteDescription`` created the receiver and before the
    connection starts it (``setLocalDescription``), i.e. before ``receive()``.
    """

    def __init__(
        self,
        receiver: RTCRtpReceiver,
        on_frame: FrameCallback,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        check_aiortc_version()
        _require(
            receiver,
            (
                f"{_R}decoder_queue",
                f"{_R}decoder_thread",
                f"{_R}started",
                f"{_R}codecs",
                f"{_R}rtx_ssrc",
                f"{_R}remote_streams",
                "_run_rtcp",
                "_send_rtcp_pli",
                "_enabled",
            ),
        )
        if getattr(receiver, f"{_R}started"):
            raise RuntimeError("ReceiverTap must be installed before the receiver starts")
        self.receiver = receiver
        self.on_frame = on_frame
        self.on_end = on_end
        self.frames = 0
        self.keyframe_requests_sent = 0
        self._media_ssrc: int | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._ended_once = False
        setattr(receiver, f"{_R}decoder_queue", _FrameSink(self))
        receiver.receive = self._receive  # type: ignore[method-assign]

    async def _receive(self, parameters: RTCRtpReceiveParameters) -> None:
        """``RTCRtpReceiver.receive`` of aiortc 1.16 minus the decoder thread."""
        r = self.receiver
        if getattr(r, f"{_R}started"):
            return
        codecs: dict[int, RTCRtpCodecParameters] = getattr(r, f"{_R}codecs")
        rtx_ssrc: dict[int, int] = getattr(r, f"{_R}rtx_ssrc")
        for codec in parameters.codecs:
            codecs[codec.payloadType] = codec
        for encoding in parameters.encodings:
            if encoding.rtx:
                rtx_ssrc[encoding.rtx.ssrc] = encoding.ssrc
            if encoding.ssrc:
                self._media_ssrc = encoding.ssrc
        setattr(r, f"{_R}decoder_thread", _NoDecoderThread())
        r.transport._register_rtp_receiver(r, parameters)
        setattr(r, f"{_R}rtcp_task", asyncio.ensure_future(r._run_rtcp()))
        setattr(r, f"{_R}started", True)

    def _on_frame(self, codec: RTCRtpCodecParameters, data: bytes, timestamp: int) -> None:
        self.frames += 1
        self.on_frame(codec, data, timestamp)

    def _ended(self) -> None:
        if not self._ended_once:
            self._ended_once = True
            track = self.receiver.track
            if track is not None:
                track._queue.put_nowait(None)  # ends the (unused) RemoteStreamTrack
            if self.on_end is not None:
                self.on_end()

    @property
    def decoder_running(self) -> bool:
        """True if a real aiortc decoder thread exists (it never should)."""
        return getattr(self.receiver, f"{_R}decoder_thread").__class__.__name__ == "Thread"

    def media_ssrc(self) -> int | None:
        """SSRC of the incoming media stream (from signaling, else as observed)."""
        if self._media_ssrc is not None:
            return self._media_ssrc
        rtx = getattr(self.receiver, f"{_R}rtx_ssrc")
        seen = [s for s in getattr(self.receiver, f"{_R}remote_streams") if s not in rtx]
        return seen[-1] if seen else None

    def request_keyframe(self) -> bool:
        """Send an RTCP PLI to the publisher; False if no SSRC is known yet."""
        ssrc = self.media_ssrc()
        if ssrc is None:
            return False
        self.keyframe_requests_sent += 1
        task = asyncio.ensure_future(self.receiver._send_rtcp_pli(ssrc))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return True

    def disable(self) -> None:
        """Drop incoming RTP at the receiver's door (producer closed)."""
        self.receiver._enabled = False

    def enable(self) -> None:
        """Accept RTP again (a new producer on the same m-section)."""
        self.receiver._enabled = True

    async def drain(self) -> None:
        """Wait for RTCP sends already started (clean teardown)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


def hook_keyframe_requests(sender: RTCRtpSender, on_request: Callable[[], None]) -> None:
    """Call ``on_request`` when the remote peer asks this sender for a keyframe.

    On the pre-encoded path aiortc's sender only sets a flag for an encoder it
    does not use, so without this a subscriber's PLI/FIR would be lost.
    """
    check_aiortc_version()
    _require(sender, ("_send_keyframe", "_handle_rtcp_packet"))
    sender._send_keyframe = on_request  # type: ignore[method-assign]


# -- sender side: shared packetization --------------------------------------

_S = "_RTCRtpSender__"  # name-mangling prefix of RTCRtpSender's private attributes


def packetize(codec_name: str, data: bytes, picture_id: int) -> list[bytes]:
    """RTP payloads of one encoded frame, exactly as aiortc's packers make them.

    The result depends only on the frame and (VP8) the picture id, so a
    producer computes it once and every consumer's sender reuses it.
    """
    name = codec_name.upper()
    if name == "VP8":
        return Vp8Encoder._packetize(data, picture_id)
    if name == "H264":
        return H264Encoder._packetize(H264Encoder._split_bitstream(data))
    return [data]  # audio codecs: one frame per packet


class SharedPacker:
    """Sits in an ``RTCRtpSender``'s encoder slot on the forwarding path.

    ``pack()`` returns the payloads the producer attached to the packet
    (``packet.opaque``); the RTP timestamp is the packet's ``pts``, already in
    codec clock units. A packet without payloads is packed by aiortc's own
    packer. aiortc assigns a subscriber's REMB estimate to ``target_bitrate``.
    """

    def __init__(
        self,
        codec: RTCRtpCodecParameters,
        on_bitrate: Callable[[int], None] | None = None,
    ) -> None:
        self.codec = codec
        self.on_bitrate = on_bitrate
        self._bitrate = 0
        self._fallback: Any = None

    def pack(self, packet: av.Packet) -> tuple[list[bytes], int]:
        payloads = packet.opaque
        if payloads is not None:
            return payloads, packet.pts
        if self._fallback is None:
            self._fallback = get_encoder(self.codec)
        return self._fallback.pack(packet)

    @property
    def target_bitrate(self) -> int:
        return self._bitrate

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self._bitrate = bitrate
        if self.on_bitrate is not None:
            self.on_bitrate(bitrate)


class FastHeaderExtensionsMap(HeaderExtensionsMap):
    """aiortc's header extension map with a fast path for forwarded packets.

    A forwarding sender sets only ``mid`` and ``abs_send_time``; for those the
    one-byte-header (RFC 8285) bytes are built directly, the mid part cached.
    Anything else goes through aiortc's generic code. Output is byte-identical.
    """

    def __init__(self) -> None:
        super().__init__()
        self._mid_bytes: tuple[str | None, bytes] = (None, b"")

    def set(self, values: HeaderExtensions) -> tuple[int, bytes]:
        ids = self._HeaderExtensionsMap__ids
        abs_id, mid_id = ids.abs_send_time, ids.mid
        if (
            values.abs_send_time is None
            or not abs_id
            or abs_id > 14
            or (mid_id or 0) > 14
            or values.repaired_rtp_stream_id is not None
            or values.rtp_stream_id is not None
            or values.transmission_offset is not None
            or values.audio_level is not None
            or values.transport_sequence_number is not None
        ):
            return super().set(values)
        mid, mid_bytes = self._mid_bytes
        if mid != values.mid:
            mid_bytes = b""
            if values.mid is not None and mid_id:
                encoded = values.mid.encode("utf8")
                if not 0 < len(encoded) <= 16:
                    return super().set(values)
                mid_bytes = bytes(((mid_id << 4) | (len(encoded) - 1),)) + encoded
            self._mid_bytes = (values.mid, mid_bytes)
        value = (
            mid_bytes
            + bytes(((abs_id << 4) | 2,))
            + (values.abs_send_time & 0xFFFFFF).to_bytes(3, "big")
        )
        return 0xBEDE, value + b"\x00" * (-len(value) % 4)


def prepare_forwarding_sender(sender: RTCRtpSender, packer: SharedPacker) -> None:
    """Put ``packer`` in ``sender``'s encoder slot and give it the fast header
    extension map. Call before the sender starts."""
    check_aiortc_version()
    _require(sender, (f"{_S}encoder", f"{_S}rtp_header_extensions_map", f"{_S}started"))
    if getattr(sender, f"{_S}started") or getattr(sender, f"{_S}encoder") is not None:
        raise RuntimeError("prepare_forwarding_sender must be called before the sender starts")
    setattr(sender, f"{_S}encoder", packer)
    setattr(sender, f"{_S}rtp_header_extensions_map", FastHeaderExtensionsMap())


# -- clock --------------------------------------------------------------------

_NTP_UNIX_OFFSET_NS = 2_208_988_800 * 1_000_000_000  # 1900-01-01 → 1970-01-01


def fast_ntp_time() -> int:
    """64-bit NTP time of now; same value as ``aiortc.clock.current_ntp_time``
    (to the microsecond) without building two datetime objects."""
    ns = time.time_ns() + _NTP_UNIX_OFFSET_NS
    seconds, rest = divmod(ns, 1_000_000_000)
    return (seconds << 32) | ((rest << 32) // 1_000_000_000)


def install_fast_ntp_clock() -> None:
    """Make aiortc's senders stamp packets with :func:`fast_ntp_time`. Idempotent.

    ``RTCRtpSender`` reads the NTP clock twice for every RTP packet (the
    abs-send-time extension and its sender report); with forty subscribers
    that is a tenth of the forwarding CPU.
    """
    check_aiortc_version()
    _require(aiortc.clock, ("current_ntp_time",))
    aiortc.clock.current_ntp_time = fast_ntp_time
