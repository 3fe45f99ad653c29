"""Router renegotiation: negotiationneeded, answers out of turn, a re-sent m-section."""

from __future__ import annotations

import pytest
from aiortc import RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack

from media.clip import EncodedVideoTrack
from media.errors import NegotiationPending, UnexpectedAnswer
from tests.media.peers import Publisher, Subscriber, as_dict, wait_for


def _record(router) -> list[str]:
    needed: list[str] = []
    router.on("negotiationneeded", needed.append)
    return needed


async def test_early_subscriber_is_told_when_a_producer_appears(router, vp8_frames):
    needed = _record(router)
    student = Subscriber(router, "student", tap=True)
    assert await student.negotiate() is False  # the class has not started
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    assert needed == ["student"]  # not the teacher: its own producer
    assert await student.negotiate() is True
    await wait_for(lambda: sum(student.encoded_frames.values()) >= 3)
    await student.close()
    await publisher.close()


async def test_producer_during_pending_offer_waits_for_the_answer(router, vp8_frames):
    needed = _record(router)
    first = Publisher(router, "student-a")
    await first.publish([(AudioStreamTrack(), "microphone")])
    subscriber = Subscriber(router, "teacher", tap=True)
    offer = await router.subscribe("teacher")  # the answer is still on its way

    late = Publisher(router, "student-b")
    await late.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    assert needed == []  # not while an offer is outstanding
    with pytest.raises(NegotiationPending):
        await router.subscribe("teacher")

    await subscriber.pc.setRemoteDescription(RTCSessionDescription(**offer))
    await subscriber.pc.setLocalDescription(await subscriber.pc.createAnswer())
    await router.set_subscriber_answer("teacher", as_dict(subscriber.pc.localDescription))
    assert needed == ["teacher"]  # now: the camera is still to be offered
    with pytest.raises(UnexpectedAnswer):  # a duplicate answer
        await router.set_subscriber_answer("teacher", as_dict(subscriber.pc.localDescription))
    await subscriber.negotiate()
    assert sorted(c.kind for c in router.consumers("teacher")) == ["audio", "video"]
    for peer in [first, late, subscriber]:
        await peer.close()


async def test_producer_close_asks_subscribers_to_renegotiate(router):
    publisher = Publisher(router, "student")
    (producer,) = await publisher.publish([(AudioStreamTrack(), "microphone")])
    subscriber = Subscriber(router, "teacher", tap=True)
    await subscriber.negotiate()
    needed = _record(router)
    router.close_producer(producer.id)
    assert needed == ["teacher"]
    await subscriber.close()
    await publisher.close()


async def test_client_stops_and_resends_on_the_same_mid(router, vp8_frames):
    """A student stops the camera (direction inactive) and starts it again later:
    the first producer closes; the second reuses the started receiver's tap."""
    publisher = Publisher(router, "student")
    (first,) = await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    await wait_for(lambda: first.frames >= 3)
    (transceiver,) = publisher.pc.getTransceivers()

    transceiver.direction = "inactive"
    assert await publisher.reoffer() == []
    assert first.closed and router.producers() == []
    closed_at = first.frames

    transceiver.direction = "sendonly"
    (second,) = await publisher.reoffer()
    assert second.id != first.id and second.mid == first.mid and second.source == "camera"
    assert second.tap is first.tap and not second.tap.decoder_running
    await wait_for(lambda: second.frames >= 3)
    assert first.frames == closed_at  # the closed producer got nothing more
    await publisher.close()


async def test_teardown_asks_nobody_to_renegotiate(service, vp8_frames):
    router = service.router_for("ending")
    needed = _record(router)
    publisher = Publisher(router, "teacher")
    await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscribers = [Subscriber(router, f"s{i}", tap=True) for i in range(2)]
    for subscriber in subscribers:
        await subscriber.negotiate()
    await router.close_peer("s0")  # a student leaves: nobody else changes
    assert needed == []
    await service.close_router("ending")  # the class ends
    assert needed == []
    for peer in [publisher, *subscribers]:
        await peer.close()
