"""Keyframe requests: relayed from subscribers to the publisher, throttled."""

from __future__ import annotations

import asyncio
import itertools

from media.clip import EncodedVideoTrack
from media.keyframes import is_keyframe
from tests.media.peers import Publisher, Subscriber, wait_for


async def _setup(router, vp8_frames):
    publisher = Publisher(router, "teacher")
    track = EncodedVideoTrack(vp8_frames)
    (producer,) = await publisher.publish([(track, "camera")])
    requests: list[float] = []
    mid = next(iter(publisher.senders))
    loop = asyncio.get_running_loop()
    publisher.count_keyframe_requests(mid, lambda: requests.append(loop.time()))
    return publisher, producer, requests


async def test_new_consumer_requests_keyframe_and_starts_on_one(router, vp8_frames):
    publisher, producer, requests = await _setup(router, vp8_frames)
    subscriber = Subscriber(router, "student", tap=True)
    first: list[bytes] = []
    await subscriber.negotiate()
    (tap,) = subscriber.taps.values()
    tap.on_frame = lambda codec, data, ts: first.append(data)
    await wait_for(lambda: len(first) >= 3)
    assert is_keyframe("VP8", first[0])  # nothing before the keyframe was forwarded
    await wait_for(lambda: len(requests) >= 1)  # PLI travelled SFU → publisher
    assert producer.keyframe_requests_sent >= 1
    await subscriber.close()
    await publisher.close()


async def test_subscriber_pli_is_relayed_and_throttled(router, vp8_frames):
    publisher, _producer, requests = await _setup(router, vp8_frames)
    subscriber = Subscriber(router, "student", tap=True)
    await subscriber.negotiate()
    await wait_for(lambda: sum(subscriber.encoded_frames.values()) >= 5)
    await asyncio.sleep(0.6)  # let the join request's throttle window pass
    receiver = subscriber.receiver_for("video")
    media_ssrc = subscriber.taps[next(iter(subscriber.taps))].media_ssrc()
    start = len(requests)
    loop = asyncio.get_running_loop()
    burst_start = loop.time()
    for _ in range(10):  # a subscriber hammering PLI, 10 in 200 ms
        await receiver._send_rtcp_pli(media_ssrc)
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.8)
    relayed = [t for t in requests[start:] if t >= burst_start]
    assert 1 <= len(relayed) <= 3  # one at once, one trailing, never ten
    gaps = [b - a for a, b in itertools.pairwise(relayed)]
    assert all(gap >= 0.45 for gap in gaps)
    await subscriber.close()
    await publisher.close()


def test_keyframe_detection():
    assert is_keyframe("VP8", bytes([0x10, 0x02, 0x00]))
    assert not is_keyframe("VP8", bytes([0x11, 0x02, 0x00]))
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x01\x65\x88")
    assert not is_keyframe("H264", b"\x00\x00\x00\x01\x41\x9a")
    assert is_keyframe("opus", b"\x01")
