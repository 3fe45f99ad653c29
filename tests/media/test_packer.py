"""The forwarding sender's hot path: shared packetization, header extensions, NTP clock.

Each piece replaces an aiortc step per RTP packet; each must produce exactly
what aiortc would have produced.
"""

from __future__ import annotations

from fractions import Fraction

import aiortc.clock
import av
import pytest
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpParameters,
)
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap

from media.tap import FastHeaderExtensionsMap, SharedPacker, fast_ntp_time, packetize

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)
MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"


def _packet(data: bytes, pts: int, clock: int) -> av.Packet:
    packet = av.Packet(data)
    packet.pts = pts
    packet.time_base = Fraction(1, clock)
    return packet


@pytest.mark.parametrize("picture_id", [0, 5, 127, 128, 32767])
def test_vp8_packetize_matches_aiortc_encoder(vp8_frames, picture_id):
    encoder = Vp8Encoder()
    for frame in vp8_frames[:5]:
        encoder.picture_id = picture_id
        payloads, timestamp = encoder.pack(_packet(frame, 3000, 90000))
        assert packetize("VP8", frame, picture_id) == payloads
        assert timestamp == 3000


def test_h264_and_opus_packetize_match_aiortc_encoders():
    nal = b"\x00\x00\x00\x01\x67\x42\x00\x1f" + b"\x00\x00\x00\x01\x65" + bytes(3000)
    payloads, _ = H264Encoder().pack(_packet(nal, 0, 90000))
    assert packetize("H264", nal, 0) == payloads
    assert (
        packetize("opus", b"\xfc\x01\x02", 0)
        == OpusEncoder().pack(_packet(b"\xfc\x01\x02", 960, 48000))[0]
    )


def test_shared_packer_reuses_payloads_and_records_bandwidth():
    bitrates: list[int] = []
    packer = SharedPacker(VP8, bitrates.append)
    packet = _packet(b"\x10\x02\x00", 123456, 90000)
    packet.opaque = [b"a", b"b"]
    assert packer.pack(packet) == ([b"a", b"b"], 123456)
    packer.target_bitrate = 800_000  # what aiortc's sender does with a REMB
    assert bitrates == [800_000] and packer.target_bitrate == 800_000

    plain = _packet(b"\x10\x02\x00", 90000, 90000)  # no shared payloads: aiortc packs
    payloads, timestamp = packer.pack(plain)
    assert timestamp == 90000 and payloads[0].endswith(b"\x10\x02\x00")


def _maps(extensions: list[tuple[int, str]]) -> tuple[HeaderExtensionsMap, HeaderExtensionsMap]:
    parameters = RTCRtpParameters(
        headerExtensions=[RTCRtpHeaderExtensionParameters(id=i, uri=u) for i, u in extensions]
    )
    reference, fast = HeaderExtensionsMap(), FastHeaderExtensionsMap()
    reference.configure(parameters)
    fast.configure(parameters)
    return reference, fast


@pytest.mark.parametrize(
    "extensions",
    [
        [(1, MID), (2, ABS)],
        [(4, ABS), (9, MID)],
        [(2, ABS)],
        [(1, MID)],
        [(1, MID), (3, ABS), (10, LEVEL)],
        [(1, MID), (15, ABS)],  # id > 14: two-byte header, aiortc's path
    ],
)
@pytest.mark.parametrize("mid", [None, "0", "12", "a" * 16, "b" * 17])
def test_fast_header_extensions_are_byte_identical(extensions, mid):
    reference, fast = _maps(extensions)
    for abs_send_time in (0, 1, 0x123456, 0xFFFFFF):
        values = HeaderExtensions(mid=mid, abs_send_time=abs_send_time)
        assert fast.set(values) == reference.set(values)
        assert fast.set(values) == reference.set(values)  # mid cache
    audio = HeaderExtensions(mid=mid, abs_send_time=7, audio_level=(True, 30))
    assert fast.set(audio) == reference.set(audio)
    assert fast.set(HeaderExtensions(mid=mid)) == reference.set(HeaderExtensions(mid=mid))


def test_fast_ntp_time_matches_aiortc_clock():
    original = aiortc.clock.datetime_to_ntp(aiortc.clock.current_datetime())
    fast = fast_ntp_time()
    assert abs(fast - original) < (1 << 32) // 100  # within 10 ms, i.e. the same clock
    assert fast >> 32 > 3_900_000_000  # seconds since 1900, after 2023
