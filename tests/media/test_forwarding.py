"""Forwarding to real aiortc subscribers that decode, like browsers."""

from __future__ import annotations

import av
from aiortc import RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

from media.clip import EncodedVideoTrack
from media.ice import bind_host_candidates
from tests.media.peers import Publisher, Subscriber, as_dict, wait_for


async def test_vp8_reaches_two_decoding_subscribers(router, vp8_frames):
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscribers = [Subscriber(router, f"student-{i}") for i in range(2)]
    for subscriber in subscribers:
        await subscriber.negotiate()
    for subscriber in subscribers:
        frames = await subscriber.read("video", 10)
        assert all(isinstance(f, av.VideoFrame) for f in frames)
        assert (frames[0].width, frames[0].height) == (160, 120)
        assert [f.pts for f in frames] == sorted(f.pts for f in frames)
    (consumer,) = router.consumers("student-0")
    assert consumer.frames_forwarded >= 10 and consumer.kind == "video"
    for peer in [publisher, *subscribers]:
        await peer.close()


async def test_opus_reaches_decoding_subscriber(router):
    publisher = Publisher(router, "student-a")
    (producer,) = await publisher.publish([(AudioStreamTrack(), "microphone")])
    assert producer.kind == "audio" and producer.source == "microphone"
    subscriber = Subscriber(router, "teacher")
    await subscriber.negotiate()
    frames = await subscriber.read("audio", 10)
    assert all(isinstance(f, av.AudioFrame) for f in frames)
    assert router.consumers("teacher")[0].producer.codec.name == "opus"
    await subscriber.close()
    await publisher.close()


async def test_subscriber_does_not_receive_its_own_producers(router, vp8_frames):
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    own = Subscriber(router, "teacher")
    assert await own.negotiate() is False  # nothing to offer: no empty SDP
    assert router.consumers("teacher") == []
    await own.close()
    await publisher.close()


async def test_renegotiation_adds_late_producer(router, vp8_frames):
    """A student who subscribed first gets the teacher's camera in a re-offer."""
    first = Publisher(router, "student-a")
    await first.publish([(AudioStreamTrack(), "microphone")])
    subscriber = Subscriber(router, "student-b")
    await subscriber.negotiate()
    assert [c.kind for c in router.consumers("student-b")] == ["audio"]

    late = Publisher(router, "teacher")
    await late.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    await subscriber.negotiate()
    assert sorted(c.kind for c in router.consumers("student-b")) == ["audio", "video"]
    frames = await subscriber.read("video", 5)
    assert frames[0].width == 160
    for peer in [first, late, subscriber]:
        await peer.close()


async def test_subscriber_bandwidth_estimate_reaches_its_consumer(router, vp8_frames):
    """REMB from the subscriber lands on its consumer (recorded for layer choice)."""
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscriber = Subscriber(router, "student", tap=True)
    await subscriber.negotiate()
    (consumer,) = router.consumers("student")
    await wait_for(lambda: consumer.estimated_bitrate is not None)
    assert consumer.estimated_bitrate > 0
    await subscriber.close()
    await publisher.close()


async def test_transport_state_changes_reach_the_router(router, vp8_frames):
    states: list[tuple[str, str, str]] = []
    router.on("connectionstatechange", lambda *event: states.append(event))
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    await wait_for(lambda: ("teacher", "send", "connected") in states)
    await publisher.close()  # the browser tab closes
    await wait_for(lambda: states[-1][2] in ("closed", "failed"), limit=15)


class _SmallCamera(VideoStreamTrack):
    """A tiny raw camera, so aiortc's own H.264 encoder stays cheap in the publisher."""

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(160, 120, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts, frame.time_base = pts, time_base
        return frame


async def test_h264_is_forwarded_when_the_publisher_offers_it(router):
    publisher = Publisher(router, "teacher")
    track = _SmallCamera()
    transceiver = publisher.pc.addTransceiver(track, direction="sendonly")
    h264 = [
        c
        for c in RTCRtpSender.getCapabilities("video").codecs
        if c.mimeType in ("video/H264", "video/rtx")
    ]
    transceiver.setCodecPreferences(h264)
    bind_host_candidates(publisher.pc, "127.0.0.1")
    await publisher.pc.setLocalDescription(await publisher.pc.createOffer())
    answer, (producer,) = await router.publish(
        "teacher", as_dict(publisher.pc.localDescription), {transceiver.mid: "camera"}
    )
    await publisher.pc.setRemoteDescription(RTCSessionDescription(**answer))
    assert producer.codec.name == "H264"
    subscriber = Subscriber(router, "student")
    await subscriber.negotiate()
    assert "H264" in subscriber.pc.remoteDescription.sdp
    assert "VP8" not in subscriber.pc.remoteDescription.sdp  # only the producer's codec
    frames = await subscriber.read("video", 5)
    assert (frames[-1].width, frames[-1].height) == (160, 120)
    await subscriber.close()
    await publisher.close()
