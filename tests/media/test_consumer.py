"""Consumer queue bound: a slow subscriber drops, never grows memory, recovers."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from media.consumer import Consumer
from media.producer import Producer

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)
KEY, DELTA = b"\x10\x02\x00\x9d\x01\x2a", b"\x11\x02\x00"


def _video() -> tuple[Producer, Consumer, list[int]]:
    producer = Producer("teacher", "video", "camera", "0", VP8, keyframe_request_interval=0.0)
    requests: list[int] = []
    producer.on("keyframe-request", lambda: requests.append(1))
    consumer = Consumer(producer, "student", max_frames=8)
    return producer, consumer, requests


async def test_slow_video_consumer_stays_bounded_and_recovers():
    producer, consumer, requests = _video()
    pulling = asyncio.ensure_future(consumer.recv())  # the sender starts pulling
    await asyncio.sleep(0)
    pulling.cancel()
    assert consumer.started and requests  # start asks for a keyframe

    producer.on_frame(VP8, DELTA, 0)
    assert consumer.queued == 0  # nothing before the first keyframe
    producer.on_frame(VP8, KEY, 3000)
    for i in range(100):  # the subscriber does not read at all
        producer.on_frame(VP8, DELTA, 6000 + i * 3000)
        assert consumer.queued <= consumer.max_frames
    assert consumer.max_depth <= consumer.max_frames
    assert consumer.frames_dropped > 0
    asked = len(requests)
    assert asked >= 2  # the overflow asked for a keyframe

    producer.on_frame(VP8, DELTA, 10**6)
    assert consumer.queued == 0  # still waiting for a keyframe
    producer.on_frame(VP8, KEY, 10**6 + 3000)
    producer.on_frame(VP8, DELTA, 10**6 + 6000)
    packet = await consumer.recv()  # recovered: starts on the keyframe
    assert bytes(packet) == KEY
    assert packet.pts == 10**6 + 3000 and packet.time_base.denominator == 90000
    assert bytes(await consumer.recv()) == DELTA
    consumer.close()


async def test_audio_consumer_drops_oldest():
    producer = Producer("student", "audio", "microphone", "0", OPUS)
    consumer = Consumer(producer, "teacher", max_frames=4)
    task = asyncio.ensure_future(consumer.recv())
    await asyncio.sleep(0)
    producer.on_frame(OPUS, b"\xff", 0)
    assert bytes(await task) == b"\xff"
    for i in range(10):  # the subscriber stalls
        producer.on_frame(OPUS, bytes([i]), (i + 1) * 960)
    assert consumer.queued == 4
    assert [bytes(await consumer.recv()) for _ in range(4)] == [bytes([i]) for i in range(6, 10)]
    consumer.close()


async def test_close_wakes_pending_recv_and_is_idempotent():
    producer, consumer, _ = _video()
    events: list[str] = []
    consumer.on("close", lambda: events.append("close"))
    task = asyncio.ensure_future(consumer.recv())
    await asyncio.sleep(0)
    consumer.close()
    consumer.close()
    with pytest.raises(MediaStreamError):
        await task
    assert events == ["close"] and consumer.readyState == "ended"
    assert producer.consumers == []
