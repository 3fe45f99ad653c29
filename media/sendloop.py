"""A forwarding sender's RTP loop: aiortc 1.16's ``RTCRtpSender._run_rtp``,
minus the per-packet work a forwarded frame does not need.

Profiling the SFU with forty subscribers showed two thirds of its CPU in
aiortc's sender loop, most of it per RTP packet around the two unavoidable
costs (SRTP and ``sendto``): an ``RtpPacket`` object and its generic
serializer, two NTP clock reads, and four nested coroutines from
``RTCDtlsTransport._send_rtp`` down to the UDP transport. This loop sends the
same bytes with less of that:

* the header extension block (mid, abs-send-time) is built once per frame, as
  aiortc's map would build it, and every packet is one ``struct`` header plus
  that block plus the shared payload;
* the NTP clock is read once per frame, not twice per packet: a frame's
  packets leave back to back, within microseconds of that reading;
* each packet goes straight to SRTP and the nominated ICE pair's UDP transport,
  which is what the nested coroutines end in (none of them ever suspends);
* on Linux a frame's packets leave in one ``sendmsg`` with UDP GSO
  (``UDP_SEGMENT``, kernel >= 4.18): the kernel cuts the buffer back into the
  same datagrams, for one system call per frame instead of one per packet
  (see :func:`send_datagrams`; any refusal falls back to ``sendto`` for good);
* the RTP history for NACK keeps the serialized bytes; a retransmission
  parses them back into the ``RtpPacket`` aiortc's ``_retransmit`` expects.

Everything else is aiortc's: sequence numbers and timestamps start random per
sender, SSRC, marker on a frame's last packet, RTCP sender-report counters,
DTLS transport counters, NACK/RTX, and how the loop ends (track stopped,
``rtp_exited`` set, so ``RTCRtpSender.stop()`` works). Depends on private names
of aiortc 1.16 and aioice's ``Connection``; checked when installed.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import sys
import traceback
from typing import Any

import aiortc.clock
from aiortc import RTCRtpSender
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcdtlstransport import RTCDtlsTransport, State
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpsender import RTP_HISTORY_SIZE, random_sequence_number
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, RtpPacket
from aiortc.utils import random32

from media.tap import _require, check_aiortc_version

logger = logging.getLogger(__name__)

# Name-mangled private attributes of aiortc 1.16's RTCRtpSender / RTCDtlsTransport.
_TRACK = "_RTCRtpSender__track"
_ENCODER = "_RTCRtpSender__encoder"
_MID = "_RTCRtpSender__mid"
_STARTED = "_RTCRtpSender__started"
_RTP_STARTED = "_RTCRtpSender__rtp_started"
_RTP_EXITED = "_RTCRtpSender__rtp_exited"
_HISTORY = "_RTCRtpSender__rtp_history"
_EXT_MAP = "_RTCRtpSender__rtp_header_extensions_map"
_NTP_TIMESTAMP = "_RTCRtpSender__ntp_timestamp"
_RTP_TIMESTAMP = "_RTCRtpSender__rtp_timestamp"
_OCTETS = "_RTCRtpSender__octet_count"
_PACKETS = "_RTCRtpSender__packet_count"
_TX_BYTES = "_RTCDtlsTransport__tx_bytes"
_TX_PACKETS = "_RTCDtlsTransport__tx_packets"
_SENDER_INTERNALS = (
    _TRACK, _ENCODER, _MID, _STARTED, _RTP_STARTED, _RTP_EXITED, _HISTORY, _EXT_MAP,
    _NTP_TIMESTAMP, _RTP_TIMESTAMP, _OCTETS, _PACKETS,
    "_run_rtp", "_retransmit", "_ssrc", "_enabled", "transport",
)  # fmt: skip

_HEADER = struct.Struct("!BBHLL")
_EXTENSION_HEADER = struct.Struct("!HH")

UDP_SEGMENT = getattr(socket, "UDP_SEGMENT", 103)  # linux/udp.h
GSO_MAX_SEGMENTS = 64  # UDP_MAX_SEGMENTS of older kernels (newer allow 128)
GSO_MAX_BYTES = 65_000  # one UDP datagram's worth of buffer before segmentation
_U16 = struct.Struct("=H")


class _Gso:
    """Process-wide switch: on until the kernel first refuses a GSO send."""

    enabled = sys.platform == "linux"


def send_datagrams(udp: Any, datagrams: list[bytes], addr: tuple[str, int]) -> int:
    """Send ``datagrams`` to ``addr`` as separate UDP datagrams; return the
    number of system calls it took (for tests).

    When they fit UDP GSO's rule (all as long as the first, the last no longer)
    and the asyncio transport has nothing buffered (so order is kept), they go
    in one ``sendmsg`` with ``UDP_SEGMENT`` on the transport's socket. The
    receiver sees exactly the datagrams ``sendto`` would have produced.
    Otherwise, or if the kernel or event loop cannot, each goes through the
    transport's ``sendto`` as aiortc sends them.
    """
    if len(datagrams) > 1 and _Gso.enabled and not udp.get_write_buffer_size():
        size = len(datagrams[0])
        sock = getattr(udp, "_sock", None)  # asyncio's selector transport; not uvloop
        if (
            sock is not None
            and len(datagrams) <= GSO_MAX_SEGMENTS
            and len(datagrams[-1]) <= size
            and size * len(datagrams) <= GSO_MAX_BYTES
            and all(len(d) == size for d in datagrams[1:-1])
        ):
            try:
                sock.sendmsg(
                    [b"".join(datagrams)], [(socket.SOL_UDP, UDP_SEGMENT, _U16.pack(size))], 0, addr
                )
                return 1
            except (BlockingIOError, InterruptedError):
                pass  # socket buffer full: the transport queues them below
            except OSError as error:
                _Gso.enabled = False
                logger.info("UDP GSO unavailable (%s); sending one datagram per packet", error)
    for datagram in datagrams:
        udp.sendto(datagram, addr)
    return len(datagrams)


class RawHistory(dict):
    """RTP history of serialized packets (``seq % RTP_HISTORY_SIZE`` → bytes).

    Storing bytes instead of an ``RtpPacket`` per packet sent costs nothing on
    the hot path; only a NACKed packet is parsed back, in ``get()``, which is
    the one call aiortc's ``_retransmit`` makes.
    """

    def __init__(self, extensions_map: HeaderExtensionsMap) -> None:
        super().__init__()
        self._map = extensions_map

    def get(self, key: Any, default: Any = None) -> Any:
        data = super().get(key)
        if data is None:
            return default
        return RtpPacket.parse(data, self._map)


def header_extension_block(extensions_map: HeaderExtensionsMap, values: HeaderExtensions) -> bytes:
    """The RTP header extension (profile, length, value) as ``serialize`` writes it;
    empty if no extension is negotiated."""
    profile, value = extensions_map.set(values)
    if not value:
        return b""
    return _EXTENSION_HEADER.pack(profile, len(value) >> 2) + value


def rtp_packets(
    payloads: list[bytes],
    payload_type: int,
    sequence_number: int,
    timestamp: int,
    ssrc: int,
    extension_block: bytes,
) -> list[bytes]:
    """One frame's RTP packets, byte-identical to aiortc's ``RtpPacket.serialize``
    (no CSRC, no padding); the marker bit is set on the last packet."""
    first = 0x90 if extension_block else 0x80
    last = len(payloads) - 1
    packets = []
    for i, payload in enumerate(payloads):
        header = _HEADER.pack(
            first,
            payload_type | 0x80 if i == last else payload_type,
            (sequence_number + i) & 0xFFFF,
            timestamp,
            ssrc,
        )
        packets.append(header + extension_block + payload)
    return packets


def install_send_loop(sender: RTCRtpSender) -> None:
    """Make ``sender`` run :func:`_run_forwarding_rtp` instead of aiortc's loop.

    Call before the sender starts; the sender's encoder slot must hold a packer
    (see :func:`media.tap.prepare_forwarding_sender`).
    """
    check_aiortc_version()
    _require(sender, _SENDER_INTERNALS)
    if getattr(sender, _STARTED):
        raise RuntimeError("install_send_loop must be called before the sender starts")
    setattr(sender, _HISTORY, RawHistory(getattr(sender, _EXT_MAP)))

    async def run_rtp(codec: RTCRtpCodecParameters) -> None:
        await _run_forwarding_rtp(sender, codec)

    sender._run_rtp = run_rtp  # type: ignore[method-assign]


def _udp_route(dtls: RTCDtlsTransport) -> tuple[Any, Any, tuple[str, int]]:
    """(SRTP session, UDP transport, remote address) of a connected transport,
    as ``RTCDtlsTransport._send_rtp`` → ``aioice.Connection.sendto`` find them."""
    if dtls._state != State.CONNECTED:
        raise ConnectionError("Cannot send encrypted RTP, not connected")
    pair = dtls.transport._connection._nominated.get(1)
    if not pair:
        raise ConnectionError("Cannot send data, not connected")
    return dtls._tx_srtp, pair.protocol.transport, pair.remote_addr


async def _run_forwarding_rtp(sender: RTCRtpSender, codec: RTCRtpCodecParameters) -> None:
    """aiortc 1.16's ``_run_rtp`` for packets whose payloads are already made."""
    getattr(sender, _RTP_STARTED).set()
    history: dict[int, bytes] = getattr(sender, _HISTORY)
    extensions_map: HeaderExtensionsMap = getattr(sender, _EXT_MAP)
    mid: str | None = getattr(sender, _MID)
    payload_type = codec.payloadType
    sequence_number = random_sequence_number()
    timestamp_origin = random32()
    packet_count = octet_count = 0
    try:
        while True:
            track = getattr(sender, _TRACK)
            if not track:
                await asyncio.sleep(0.02)
                continue
            data = await track.recv()
            if not sender._enabled:
                continue
            payloads, timestamp = getattr(sender, _ENCODER).pack(data)
            if not payloads:
                continue
            timestamp = (timestamp_origin + timestamp) & 0xFFFFFFFF
            dtls = sender.transport
            srtp, udp, addr = _udp_route(dtls)
            ntp = aiortc.clock.current_ntp_time()  # looked up here: the clock may be swapped
            block = header_extension_block(
                extensions_map, HeaderExtensions(mid=mid, abs_send_time=(ntp >> 14) & 0xFFFFFF)
            )
            packets = rtp_packets(
                payloads, payload_type, sequence_number, timestamp, sender._ssrc, block
            )
            datagrams = []
            sent_bytes = 0
            for packet in packets:
                history[sequence_number % RTP_HISTORY_SIZE] = packet
                protected = srtp.protect(packet)
                datagrams.append(protected)
                sent_bytes += len(protected)
                sequence_number = (sequence_number + 1) & 0xFFFF
            send_datagrams(udp, datagrams, addr)
            count = len(packets)
            setattr(dtls, _TX_BYTES, getattr(dtls, _TX_BYTES) + sent_bytes)
            setattr(dtls, _TX_PACKETS, getattr(dtls, _TX_PACKETS) + count)
            packet_count += count
            for payload in payloads:
                octet_count += len(payload)
            setattr(sender, _NTP_TIMESTAMP, ntp)
            setattr(sender, _RTP_TIMESTAMP, timestamp)
            setattr(sender, _PACKETS, packet_count)
            setattr(sender, _OCTETS, octet_count)
    except (asyncio.CancelledError, ConnectionError, MediaStreamError):
        pass
    except Exception:
        # as aiortc: rtp_exited must be set or RTCRtpSender.stop() hangs
        logger.warning("forwarding RTP loop failed: %s", traceback.format_exc())
    track = getattr(sender, _TRACK)
    if track:
        track.stop()
        setattr(sender, _TRACK, None)
    setattr(sender, _ENCODER, None)
    getattr(sender, _RTP_EXITED).set()
