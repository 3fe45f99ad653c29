"""Breakout groups' media: each group has its own Router, with real aiortc peers.

Two students in group 1 receive each other's video and never group 2's; after the recall they
publish again and land in the main room's router with everyone.
"""

from __future__ import annotations

import pytest

from media.clip import EncodedVideoTrack, encode_vp8_clip
from server.live.media_signaling import MEDIA
from tests.live.conftest import WAIT_SECONDS, Node
from tests.live.test_breakouts import Class, group_ids, klass, student3  # noqa: F401
from tests.live.test_media_signaling import MediaClient
from tests.media.peers import wait_for

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture(scope="module")
def vp8_frames() -> list[bytes]:
    return encode_vp8_clip(160, 120, fps=30, seconds=2, bitrate=300_000, gop=15)


async def publish_camera(client: MediaClient, frames: list[bytes]) -> str:
    ack = await client.publish([(EncodedVideoTrack(frames), "camera")])
    assert ack["ok"], ack
    (producer,) = ack["producers"]
    return producer["id"]


async def test_each_group_has_its_own_media(
    node: Node,
    klass: Class,  # noqa: F811
    vp8_frames: list[bytes],
) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    one, two = group_ids(state)[1], group_ids(state)[2]
    service = node.server.app[MEDIA]
    media = {login: MediaClient(klass[login]) for login in ("student1", "student2", "student3")}
    for client in media.values():
        assert (await client.subscribe())["offer"] is None
    cameras = {login: await publish_camera(client, vp8_frames) for login, client in media.items()}
    group_one = service.get_router(f"{klass.session_id}:group:{one}")
    group_two = service.get_router(f"{klass.session_id}:group:{two}")
    assert group_one is not None and group_two is not None
    assert {i.id for i in group_one.producers()} == {cameras["student1"], cameras["student2"]}
    assert {i.id for i in group_two.producers()} == {cameras["student3"]}

    await media["student1"].answer_next_offer()
    await media["student2"].answer_next_offer()
    await wait_for(
        lambda: (
            media["student1"].frames.get(cameras["student2"], 0) >= 10
            and media["student2"].frames.get(cameras["student1"], 0) >= 10
        ),
        WAIT_SECONDS,
    )
    assert set(media["student1"].mids.values()) == {cameras["student2"]}
    assert set(media["student2"].mids.values()) == {cameras["student1"]}
    # group 2 is told of, offered and sent nothing from group 1, nor group 1 of group 2
    assert klass["student3"].events["media:offer"] == []
    assert media["student3"].frames == {}
    heard = {e["producer"]["id"] for e in klass["student3"].events["media:producer_added"]}
    assert heard == {cameras["student3"]}
    heard = {e["producer"]["id"] for e in klass["student1"].events["media:producer_added"]}
    assert cameras["student3"] not in heard
    config = await klass["student3"].call("media:config", {})
    assert [p["id"] for p in config["producers"]] == [cameras["student3"]]
    main = await klass["teacher"].call("media:config", {})
    assert main["producers"] == []  # the main room's router has nobody publishing

    # the teacher visits group 2 and sees student 3's camera there
    teacher = MediaClient(klass["teacher"])
    assert (await klass["teacher"].call("breakouts:visit", {"group_id": two}))["ok"]
    offer = await teacher.subscribe()
    assert set(offer["mids"].values()) == {cameras["student3"]}
    await wait_for(lambda: teacher.frames.get(cameras["student3"], 0) >= 5, WAIT_SECONDS)

    # recall: every tab's group media closes; publishing again lands in the main room
    for client in [*media.values(), teacher]:
        await client.close()
    for login in ("student1", "student3"):
        klass[login].forget("media:offer")
    assert (await klass["teacher"].call("breakouts:recall", {"client_id": "back"}))["ok"]
    await klass["student3"].wait_for("breakouts:closed")
    assert service.get_router(f"{klass.session_id}:group:{one}") is None
    assert service.get_router(f"{klass.session_id}:group:{two}") is None
    again = {login: MediaClient(klass[login]) for login in ("student1", "student3")}
    await again["student3"].subscribe()
    camera = await publish_camera(again["student1"], vp8_frames)
    await again["student3"].answer_next_offer()
    await wait_for(lambda: again["student3"].frames.get(camera, 0) >= 5, WAIT_SECONDS)
    for client in again.values():
        await client.close()
