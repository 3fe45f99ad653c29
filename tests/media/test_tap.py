"""The receiver tap: encoded frames leave RTCRtpReceiver without any decoder."""

from __future__ import annotations

import threading

import pytest

from media.clip import EncodedVideoTrack
from media.errors import UnsupportedAiortcVersion
from media.tap import check_aiortc_version
from tests.media.peers import Publisher, wait_for


def _decoder_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.endswith("-decoder")]


async def test_tap_turns_encoded_frames_into_producer_packets(router, vp8_frames):
    before = _decoder_threads()
    publisher = Publisher(router, "teacher")
    (producer,) = await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    await wait_for(lambda: producer.frames >= 10)

    assert producer.codec is not None and producer.codec.name == "VP8"
    assert producer.tap is not None and producer.tap.frames >= 10
    assert not producer.tap.decoder_running
    assert _decoder_threads() == before  # no decoder thread was ever started
    assert producer.tap.media_ssrc() is not None
    await publisher.close()


async def test_tap_frames_are_the_published_bitstream(router, vp8_frames):
    received: list[bytes] = []
    publisher = Publisher(router, "teacher")
    (producer,) = await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    original = producer.on_frame

    def record(codec, data, timestamp):
        received.append(data)
        original(codec, data, timestamp)

    producer.tap.on_frame = record
    await wait_for(lambda: len(received) >= 5)
    assert all(frame in vp8_frames for frame in received)
    await publisher.close()


@pytest.mark.parametrize("version", ["1.15.0", "1.17.0", "2.0.0", "garbage"])
def test_tap_refuses_other_aiortc_versions(version):
    with pytest.raises(UnsupportedAiortcVersion):
        check_aiortc_version(version)


def test_tap_accepts_installed_version():
    check_aiortc_version()
