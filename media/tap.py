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

Both depend on private names of aiortc 1.16; :func:`check_aiortc_version`
refuses any other version so an upgrade fails loudly at start-up, not
silently in a classroom.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiortc
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters

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
