"""Media signaling through the real socket.io server and SFU, with real aiortc client peers.

Each participant is a ``LiveClient`` plus two aiortc peer connections on 127.0.0.1, exactly the
pair a browser opens: a send connection that offers its tracks (``media:publish``) and a recv
connection that answers the server's offers (``media:subscribe`` / ``media:offer``).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from aiortc import RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack

from lms.models import LiveSessionStatus
from media.clip import EncodedVideoTrack, encode_vp8_clip
from media.ice import bind_host_candidates
from media.tap import ReceiverTap, hook_keyframe_requests
from server.live.media_signaling import MEDIA
from tests.api.conftest import World
from tests.live.conftest import WAIT_SECONDS, Connect, LiveClient, Node
from tests.media.peers import LOOPBACK, as_dict, client_pc, wait_for

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture(scope="module")
def vp8_frames() -> list[bytes]:
    """Two seconds of small VP8, encoded once for the module."""
    return encode_vp8_clip(160, 120, fps=30, seconds=2, bitrate=300_000, gop=15)


class MediaClient:
    """A participant's media, as a browser does it, over the participant's socket."""

    def __init__(self, live: LiveClient) -> None:
        self.live = live
        self.send_pc = client_pc()
        self.recv_pc = client_pc()
        self.mids: dict[str, str] = {}  # recv mid -> producer id
        self.frames: dict[str, int] = {}  # producer id -> encoded frames received
        self.taps: dict[str, ReceiverTap] = {}
        self.offers_answered = 0

    async def publish(self, tracks: list[tuple[MediaStreamTrack, str]]) -> dict[str, Any]:
        added = []
        for track, source in tracks:
            added.append((self.send_pc.addTransceiver(track, direction="sendonly"), source))
        bind_host_candidates(self.send_pc, LOOPBACK)
        await self.send_pc.setLocalDescription(await self.send_pc.createOffer())
        for transceiver, _ in added:
            track = transceiver.sender.track
            if hasattr(track, "request_keyframe"):
                hook_keyframe_requests(transceiver.sender, track.request_keyframe)
        ack = await self.live.call(
            "media:publish",
            {
                "offer": as_dict(self.send_pc.localDescription),
                "sources": {t.mid: source for t, source in added},
            },
        )
        if ack["ok"]:
            await self.send_pc.setRemoteDescription(RTCSessionDescription(**ack["answer"]))
        return ack

    async def subscribe(self) -> dict[str, Any]:
        ack = await self.live.call("media:subscribe", {})
        assert ack["ok"], ack
        if ack["offer"] is not None:
            await self.answer(ack)
        return ack

    async def answer(self, message: dict[str, Any]) -> None:
        self.mids.update(message["mids"])
        await self.recv_pc.setRemoteDescription(RTCSessionDescription(**message["offer"]))
        for transceiver in self.recv_pc.getTransceivers():
            producer_id = self.mids.get(transceiver.mid or "")
            if producer_id and producer_id not in self.taps and transceiver.receiver.track:
                self.taps[producer_id] = ReceiverTap(
                    transceiver.receiver, self._counter(producer_id)
                )
        bind_host_candidates(self.recv_pc, LOOPBACK)
        await self.recv_pc.setLocalDescription(await self.recv_pc.createAnswer())
        ack = await self.live.call(
            "media:answer", {"answer": as_dict(self.recv_pc.localDescription)}
        )
        assert ack["ok"], ack
        self.offers_answered += 1

    def _counter(self, producer_id: str) -> Any:
        self.frames[producer_id] = 0

        def on_frame(codec: Any, data: bytes, timestamp: int) -> None:
            self.frames[producer_id] += 1

        return on_frame

    async def answer_next_offer(self) -> dict[str, Any]:
        message = await self.live.wait_for("media:offer")
        self.live.events["media:offer"].remove(message)
        await self.answer(message)
        return message

    async def close(self) -> None:
        await self.send_pc.close()
        await self.recv_pc.close()


async def enter(node: Node, connect: Connect, login: str, session_id: int) -> MediaClient:
    live = await connect(node, login)
    await live.join(session_id)
    return MediaClient(live)


async def test_publish_is_announced_offered_and_forwarded(
    node: Node, world: World, live: int, connect: Connect, vp8_frames: list[bytes]
) -> None:
    teacher = await enter(node, connect, "teacher", live)
    students = [await enter(node, connect, f"student{i}", live) for i in (1, 2)]
    for client in [teacher, *students]:
        assert (await client.subscribe())["offer"] is None  # nobody publishes yet

    ack = await teacher.publish(
        [(EncodedVideoTrack(vp8_frames), "camera"), (AudioStreamTrack(), "microphone")]
    )
    assert ack["ok"], ack
    sources = {p["source"]: p for p in ack["producers"]}
    assert set(sources) == {"camera", "microphone"}
    assert sources["camera"]["user_id"] == world.users["teacher"]
    camera = sources["camera"]["id"]

    for student in students:
        added = await student.live.wait_for(
            "media:producer_added", lambda d: d["producer"]["id"] == camera
        )
        assert added["producer"]["display_name"] == "Teacher"
    await students[0].answer_next_offer()
    assert set(students[0].mids.values()) == {p["id"] for p in ack["producers"]}
    await wait_for(lambda: students[0].frames.get(camera, 0) >= 10, WAIT_SECONDS)

    # student2 sits on its offer; student1 publishes meanwhile: no second offer goes out
    # while the first is unanswered, and answering it brings the re-offer.
    mic = await students[0].publish([(AudioStreamTrack(), "microphone")])
    assert mic["ok"], mic
    (mic_producer,) = mic["producers"]
    await teacher.live.wait_for("media:offer")
    assert len(students[1].live.events["media:offer"]) == 1
    await students[1].answer_next_offer()
    second = await students[1].answer_next_offer()
    assert mic_producer["id"] in second["mids"].values()
    offer = await teacher.answer_next_offer()
    assert list(offer["mids"].values()) == [mic_producer["id"]]  # never one's own media

    config = await students[1].live.call("media:config", {})
    assert config["ok"] and config["policy"]["student_cameras_allowed"] is True
    published = {p["id"] for p in ack["producers"]} | {mic_producer["id"]}
    assert {p["id"] for p in config["producers"]} == published
    for peer in [teacher, *students]:
        await peer.close()


async def test_media_events_need_a_joined_participant(
    node: Node, world: World, live: int, connect: Connect
) -> None:
    outsider = await connect(node, "student1")  # connected, not joined
    ack = await outsider.call("media:subscribe", {})
    assert ack["ok"] is False and ack["error"]["code"] == "conflict"
    ack = await outsider.call("media:publish", {"offer": {"type": "offer", "sdp": "v=0"},
                                                "sources": {"0": "radio"}})
    assert ack["error"]["code"] == "invalid_input"
    student = await enter(node, connect, "student2", live)
    ack = await student.live.call("media:answer", {"answer": {"type": "answer", "sdp": "v=0"}})
    assert ack["error"]["code"] == "conflict"  # no offer was made
    ack = await student.live.call("moderation:mute", {"user_id": 1, "source": "microphone"})
    assert ack["error"]["code"] == "forbidden"
    await student.close()


async def test_teacher_mutes_and_unmutes_a_student(
    node: Node, world: World, live: int, connect: Connect
) -> None:
    teacher = await enter(node, connect, "teacher", live)
    student = await enter(node, connect, "student1", live)
    other = await enter(node, connect, "student2", live)
    ack = await student.publish([(AudioStreamTrack(), "microphone")])
    (mic,) = ack["producers"]
    student_id = world.users["student1"]

    mute = {"user_id": student_id, "source": "microphone"}
    ack = await teacher.live.call("moderation:mute", mute)
    assert ack["ok"] and ack["changed"][0]["producer_id"] == mic["id"]
    for client in (teacher, student, other):
        paused = await client.live.wait_for("media:producer_paused")
        assert paused == {"producer_id": mic["id"], "user_id": student_id,
                          "source": "microphone", "holds": ["moderator"]}
    refused = await student.live.call("media:resume_producer", {"producer_id": mic["id"]})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    config = await other.live.call("media:config", {})
    assert config["producers"][0]["paused"] is True

    # The student turned the microphone off too: lifting the mute leaves it off.
    assert (await student.live.call("media:pause_producer", {"producer_id": mic["id"]}))["ok"]
    await teacher.live.call("moderation:unmute", mute)
    config = await other.live.call("media:config", {})
    assert config["producers"][0]["paused"] is True and config["producers"][0]["holds"] == ["self"]
    assert (await student.live.call("media:resume_producer", {"producer_id": mic["id"]}))["ok"]
    resumed = await other.live.wait_for("media:producer_resumed")
    assert resumed["producer_id"] == mic["id"] and resumed["holds"] == []
    refused = await other.live.call("media:pause_producer", {"producer_id": mic["id"]})
    assert refused["error"]["code"] == "not_found"  # not theirs
    for peer in (teacher, student, other):
        await peer.close()


async def test_camera_policy_refuses_and_pauses_student_cameras(
    node: Node, world: World, live: int, connect: Connect, vp8_frames: list[bytes]
) -> None:
    teacher = await enter(node, connect, "teacher", live)
    early = await enter(node, connect, "student1", live)
    late = await enter(node, connect, "student2", live)
    camera = (await early.publish([(EncodedVideoTrack(vp8_frames), "camera")]))["producers"][0]

    ack = await teacher.live.call("moderation:cameras", {"allowed": False})
    assert ack["ok"] and ack["policy"]["student_cameras_allowed"] is False
    policy = await late.live.wait_for("media:policy")
    assert policy["policy"]["student_cameras_allowed"] is False
    paused = await late.live.wait_for("media:producer_paused")
    assert paused["producer_id"] == camera["id"] and paused["holds"] == ["policy"]

    refused = await late.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    screen = MediaClient(late.live)
    refused = await screen.publish([(EncodedVideoTrack(vp8_frames), "screen")])
    assert refused["error"]["code"] == "forbidden"  # students never share screens by default
    mic = MediaClient(late.live)
    assert (await mic.publish([(AudioStreamTrack(), "microphone")]))["ok"]
    # Teachers are not students: their camera is always allowed.
    assert (await teacher.publish([(EncodedVideoTrack(vp8_frames), "camera")]))["ok"]

    await teacher.live.call("moderation:cameras", {"allowed": True})
    resumed = await late.live.wait_for("media:producer_resumed")
    assert resumed["producer_id"] == camera["id"]
    for peer in (teacher, early, late, screen, mic):
        await peer.close()


async def test_leaving_or_dropping_removes_producers(
    node: Node, world: World, live: int, connect: Connect
) -> None:
    teacher = await enter(node, connect, "teacher", live)
    await teacher.subscribe()
    leaver = await enter(node, connect, "student1", live)
    dropper = await enter(node, connect, "student2", live)
    left_mic = (await leaver.publish([(AudioStreamTrack(), "microphone")]))["producers"][0]
    dropped_mic = (await dropper.publish([(AudioStreamTrack(), "microphone")]))["producers"][0]

    assert (await leaver.live.call("leave", {}))["ok"]
    removed = await teacher.live.wait_for("media:producer_removed")
    assert removed == {"producer_id": left_mic["id"], "user_id": world.users["student1"],
                       "source": "microphone"}
    await dropper.live.sio.disconnect()  # a network drop closes media at once
    await teacher.live.wait_for(
        "media:producer_removed", lambda d: d["producer_id"] == dropped_mic["id"]
    )
    config = await teacher.live.call("media:config", {})
    assert config["producers"] == []
    for peer in (teacher, leaver, dropper):
        await peer.close()


def media_tasks() -> list[asyncio.Task[Any]]:
    """Running tasks that belong to WebRTC or the SFU."""
    found = []
    for task in asyncio.all_tasks():
        module = getattr(task.get_coro(), "cr_code", None)
        name = module.co_filename if module is not None else ""
        if any(part in name for part in ("/aiortc/", "/aioice/", "/media/")):
            found.append(task)
    return found


async def test_session_end_and_last_leave_close_the_router(
    node: Node, world: World, live: int, connect: Connect, vp8_frames: list[bytes]
) -> None:
    service = node.server.app[MEDIA]
    teacher = await enter(node, connect, "teacher", live)
    student = await enter(node, connect, "student1", live)
    await student.subscribe()
    assert (await teacher.publish([(EncodedVideoTrack(vp8_frames), "camera")]))["ok"]
    await student.answer_next_offer()
    await wait_for(lambda: sum(student.frames.values()) >= 5, WAIT_SECONDS)
    router = service.get_router(str(live))
    assert router is not None and not router.closed

    status, body = await node.rest("POST", f"/api/sessions/{live}/end", "teacher")
    assert status == 200 and body["status"] == LiveSessionStatus.ENDED.value
    await student.live.wait_disconnected()
    assert router.closed and service.get_router(str(live)) is None
    for peer in (teacher, student):
        await peer.close()
    for _ in range(50):
        gc.collect()
        if not media_tasks():
            break
        await asyncio.sleep(0.1)
    assert media_tasks() == []
