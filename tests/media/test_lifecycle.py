"""Lifecycle: pause/resume policy, producer close, peer leave, router close cascade."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.mediastreams import AudioStreamTrack

from media.clip import EncodedVideoTrack
from media.errors import ProducerNotFound, RouterClosed, UnsupportedSource
from tests.media.peers import Publisher, Subscriber, wait_for


async def test_pause_and_resume_producer(router, vp8_frames):
    publisher = Publisher(router, "student-a")
    (producer,) = await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscriber = Subscriber(router, "teacher", tap=True)
    await subscriber.negotiate()
    await wait_for(lambda: sum(subscriber.encoded_frames.values()) >= 5)
    (consumer,) = router.consumers("teacher")
    events: list[str] = []
    consumer.on("producerpause", lambda: events.append("pause"))
    consumer.on("producerresume", lambda: events.append("resume"))

    router.pause_producer(producer.id)
    assert consumer.paused and router.producers()[0].paused
    await asyncio.sleep(0.2)
    during = consumer.frames_forwarded
    await asyncio.sleep(0.5)
    assert consumer.frames_forwarded == during  # nothing forwarded while paused

    router.resume_producer(producer.id)
    await wait_for(lambda: consumer.frames_forwarded > during + 5)
    assert events == ["pause", "resume"] and not consumer.paused
    await subscriber.close()
    await publisher.close()


async def test_producer_close_closes_consumers_and_reoffers_inactive(router, vp8_frames):
    publisher = Publisher(router, "teacher")
    (producer,) = await publisher.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    subscribers = [Subscriber(router, f"s{i}", tap=True) for i in range(2)]
    for subscriber in subscribers:
        await subscriber.negotiate()
    consumers = [router.consumers(s.peer_id)[0] for s in subscribers]
    seen: list[str] = []
    router.on("producerclose", lambda p: seen.append(p.id))
    for consumer in consumers:
        consumer.on("producerclose", lambda: seen.append("consumer"))

    router.close_producer(producer.id)
    assert all(c.closed and c.readyState == "ended" for c in consumers)
    assert seen.count("consumer") == 2 and producer.id in seen
    assert router.producers() == []
    with pytest.raises(ProducerNotFound):
        router.close_producer(producer.id)
    producer.close()  # idempotent

    await subscribers[0].negotiate()  # the closed m-section is now inactive
    directions = [t.currentDirection for t in subscribers[0].pc.getTransceivers()]
    assert directions == ["inactive"]
    for peer in [publisher, *subscribers]:
        await peer.close()


async def test_close_peer_closes_its_producers(router, vp8_frames):
    publisher = Publisher(router, "student-a")
    await publisher.publish([(AudioStreamTrack(), "microphone")])
    subscriber = Subscriber(router, "teacher", tap=True)
    await subscriber.negotiate()
    (consumer,) = router.consumers("teacher")
    await router.close_peer("student-a")
    assert consumer.closed and router.producers() == []
    assert "student-a" not in router.peers()
    await router.close_peer("student-a")  # idempotent
    await subscriber.close()
    await publisher.close()


async def test_router_close_cascades(service, vp8_frames):
    router = service.router_for("lesson")
    assert service.router_for("lesson") is router
    publisher = Publisher(router, "teacher")
    producers = await publisher.publish(
        [(EncodedVideoTrack(vp8_frames), "camera"), (AudioStreamTrack(), "microphone")]
    )
    subscriber = Subscriber(router, "student", tap=True)
    await subscriber.negotiate()
    consumers = router.consumers("student")
    assert len(consumers) == 2
    events: list[str] = []
    router.on("close", lambda: events.append("router"))
    for producer in producers:
        producer.on("close", lambda: events.append("producer"))

    await service.close_router("lesson")
    assert router.closed and all(p.closed for p in producers)
    assert all(c.closed for c in consumers)
    assert events.count("producer") == 2 and events[-1] == "router"
    await router.close()  # idempotent
    with pytest.raises(RouterClosed):
        await router.subscribe("student")
    assert service.router_for("lesson") is not router  # a new class gets a new router
    await subscriber.close()
    await publisher.close()


async def test_source_must_match_kind(router):
    publisher = Publisher(router, "student")
    with pytest.raises(UnsupportedSource):
        await publisher.publish([(AudioStreamTrack(), "camera")])
    await publisher.close()
