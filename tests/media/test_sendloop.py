"""The forwarding sender's RTP loop (media.sendloop): same bytes as aiortc's
loop, NACK still answered, counters still kept."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest
from aiortc import RTCRtpSender
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, RtpPacket

from media.clip import EncodedVideoTrack
from media.sendloop import (
    RawHistory,
    _Gso,
    header_extension_block,
    install_send_loop,
    rtp_packets,
    send_datagrams,
)
from media.tap import FastHeaderExtensionsMap
from tests.media.peers import Publisher, Subscriber, wait_for

MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"


def _map(cls: type[HeaderExtensionsMap], extensions: list[tuple[int, str]]) -> HeaderExtensionsMap:
    extensions_map = cls()
    extensions_map.configure(
        RTCRtpParameters(
            headerExtensions=[RTCRtpHeaderExtensionParameters(id=i, uri=u) for i, u in extensions]
        )
    )
    return extensions_map


def _aiortc_packets(payloads, payload_type, seq, timestamp, ssrc, extensions_map, values):
    """What aiortc 1.16's ``RTCRtpSender._run_rtp`` serializes for one frame."""
    out = []
    for i, payload in enumerate(payloads):
        packet = RtpPacket(payload_type=payload_type, sequence_number=seq, timestamp=timestamp)
        packet.ssrc = ssrc
        packet.payload = payload
        packet.marker = 1 if i == len(payloads) - 1 else 0
        packet.extensions.abs_send_time = values.abs_send_time
        packet.extensions.mid = values.mid
        out.append(packet.serialize(extensions_map))
        seq = (seq + 1) & 0xFFFF
    return out


@pytest.mark.parametrize("cls", [HeaderExtensionsMap, FastHeaderExtensionsMap])
@pytest.mark.parametrize(
    "extensions", [[(1, MID), (2, ABS)], [(3, ABS)], [(4, MID)], [], [(1, MID), (15, ABS)]]
)
@pytest.mark.parametrize("seq", [0, 1000, 0xFFFE])
def test_rtp_packets_are_byte_identical_to_aiortc(cls, extensions, seq):
    extensions_map = _map(cls, extensions)
    payloads = [b"\x90\x80" + bytes(range(200)), b"\x80\x80" + bytes(50), b"\x80\x80x"]
    for values in (
        HeaderExtensions(mid="0", abs_send_time=0x123456),
        HeaderExtensions(mid="12", abs_send_time=0),
    ):
        block = header_extension_block(extensions_map, values)
        ours = rtp_packets(payloads, 96, seq, 0xFFFFFFF0, 0xDEADBEEF, block)
        reference = _aiortc_packets(
            payloads, 96, seq, 0xFFFFFFF0, 0xDEADBEEF, _map(cls, extensions), values
        )
        assert ours == reference
    assert rtp_packets([b"\xfc"], 111, 5, 960, 1, b"") == _aiortc_packets(
        [b"\xfc"], 111, 5, 960, 1, HeaderExtensionsMap(), HeaderExtensions()
    )


def test_raw_history_parses_a_nacked_packet_back():
    extensions_map = _map(FastHeaderExtensionsMap, [(1, MID), (2, ABS)])
    block = header_extension_block(extensions_map, HeaderExtensions(mid="3", abs_send_time=77))
    first, last = rtp_packets([b"ab", b"cd"], 97, 65535, 3000, 42, block)
    history = RawHistory(extensions_map)
    history[65535 % 128], history[0] = first, last
    packet = history.get(0)
    assert (packet.sequence_number, packet.payload, packet.marker) == (0, b"cd", 1)
    assert (packet.ssrc, packet.timestamp, packet.payload_type) == (42, 3000, 97)
    assert (packet.extensions.mid, packet.extensions.abs_send_time) == ("3", 77)
    assert packet.serialize(extensions_map) == last  # what aiortc's _retransmit re-sends
    assert history.get(5) is None and history.get(5, "x") == "x"


async def test_install_refuses_a_started_sender():
    class _Transport:
        state = "new"

    sender = RTCRtpSender("video", transport=_Transport())  # type: ignore[arg-type]
    sender._RTCRtpSender__started = True
    with pytest.raises(RuntimeError):
        install_send_loop(sender)


async def test_forwarding_sender_counts_and_answers_nack(router, vp8_frames):
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscriber = Subscriber(router, "student", tap=True)
    await subscriber.negotiate()
    received: list[tuple[int, int]] = []
    receiver = subscriber.receiver_for("video")
    original = receiver._handle_rtp_packet

    async def spy(packet: RtpPacket, arrival_time_ms: int) -> None:
        received.append((packet.ssrc, packet.sequence_number))
        await original(packet, arrival_time_ms)

    receiver._handle_rtp_packet = spy  # type: ignore[method-assign]
    await wait_for(lambda: sum(subscriber.encoded_frames.values()) >= 10)

    (transceiver,) = router._recv["student"].pc.getTransceivers()
    sender = transceiver.sender
    assert "_run_rtp" in vars(sender)  # the forwarding loop, not aiortc's
    stats = await sender.getStats()
    outbound = next(s for s in stats.values() if s.type == "outbound-rtp")
    assert outbound.packetsSent >= 10 and outbound.bytesSent > 0
    media = [seq for ssrc, seq in received if ssrc == sender._ssrc]
    assert media and all((b - a) & 0xFFFF == 1 for a, b in pairwise(media))

    nacked = media[-1]
    await sender._retransmit(nacked)  # as on an RTCP NACK: RTX to the subscriber
    await wait_for(lambda: any(ssrc == sender._rtx_ssrc for ssrc, _ in received))
    await subscriber.close()
    await publisher.close()


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.datagrams: list[bytes] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.datagrams.append(data)


async def _loopback_pair() -> tuple[Any, _Receiver, tuple[str, int], Callable[[], None]]:
    loop = asyncio.get_running_loop()
    rx_transport, receiver = await loop.create_datagram_endpoint(
        _Receiver, local_addr=("127.0.0.1", 0)
    )
    tx_transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )

    def close() -> None:
        rx_transport.close()
        tx_transport.close()

    return tx_transport, receiver, rx_transport.get_extra_info("sockname"), close


@pytest.mark.parametrize(
    ("sizes", "calls"),
    [
        ([1200, 1200, 1200, 517], 1),  # a VP8 frame: one GSO send
        ([1200, 1200], 1),
        ([900, 1200, 300], 3),  # uneven (e.g. H.264 STAP-A first): one by one
        ([40], 1),
    ],
)
async def test_send_datagrams_delivers_the_same_datagrams(sizes, calls):
    tx, receiver, addr, close = await _loopback_pair()
    datagrams = [bytes([i]) * size for i, size in enumerate(sizes)]
    try:
        assert send_datagrams(tx, datagrams, addr) == (calls if _Gso.enabled else len(sizes))
        await wait_for(lambda: len(receiver.datagrams) >= len(sizes), 2)
        assert receiver.datagrams == datagrams
    finally:
        close()


async def test_send_datagrams_falls_back_when_gso_is_refused(monkeypatch):
    sent: list[bytes] = []

    class _Sock:
        def sendmsg(self, *args: object) -> int:
            raise OSError(errno.EIO, "no GSO here")

    class _Transport:
        _sock = _Sock()

        def get_write_buffer_size(self) -> int:
            return 0

        def sendto(self, data: bytes, addr: object) -> None:
            sent.append(data)

    monkeypatch.setattr(_Gso, "enabled", True)
    assert send_datagrams(_Transport(), [b"aa", b"bb", b"c"], ("127.0.0.1", 9)) == 3
    assert sent == [b"aa", b"bb", b"c"] and _Gso.enabled is False
