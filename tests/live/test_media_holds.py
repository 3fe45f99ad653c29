"""A teacher's media holds survive the node: real nodes, real aiortc peers, one database.

The teacher mutes a student and forbids student cameras; the node drains and a new node takes
the class over on the same database; the students reconnect and publish again. The mute and
the rule come back from the LMS, not from the node's memory.
"""

from __future__ import annotations

import asyncio

import pytest
from aiortc.mediastreams import AudioStreamTrack
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import MediaHold, ModerationLogEntry
from media.clip import EncodedVideoTrack
from server.settings import Settings
from tests.api.conftest import World
from tests.live.conftest import WAIT_SECONDS, Connect, LiveClient, Node, StartNode, count
from tests.live.test_media_signaling import MediaClient, vp8_frames  # noqa: F401  (fixture)
from tests.live.test_moderation import log_actions
from tests.media.peers import wait_for

pytestmark = pytest.mark.usefixtures("engine")

DB = async_sessionmaker[AsyncSession]
FORBIDDEN_CAMERAS = {"student_cameras_allowed": False, "student_screens_allowed": False}


async def joined(node: Node, connect: Connect, login: str, live: int) -> tuple[LiveClient, dict]:
    client = await connect(node, login)
    return client, await client.join(live)


async def test_a_mute_and_the_camera_rule_survive_a_node_restart(
    start_node: StartNode,
    settings: Settings,
    world: World,
    live: int,
    db: DB,
    connect: Connect,
    vp8_frames: list[bytes],  # noqa: F811
) -> None:
    s1 = world.users["student1"]
    node1 = await start_node(settings)
    teacher, _ = await joined(node1, connect, "teacher", live)
    student, _ = await joined(node1, connect, "student1", live)
    before = MediaClient(student)
    ack = await before.publish(
        [(AudioStreamTrack(), "microphone"), (EncodedVideoTrack(vp8_frames), "camera")]
    )
    assert ack["ok"], ack

    ack = await teacher.call("moderation:mute", {"user_id": s1, "source": "microphone"})
    assert ack["ok"] and [c["holds"] for c in ack["changed"]] == [["moderator"]]
    # Acknowledged means stored: the hold is in the database before the ack arrives.
    assert await count(db, MediaHold, session_id=live, user_id=s1, source="microphone") == 1
    ack = await teacher.call("moderation:cameras", {"allowed": False})
    assert ack["ok"] and [c["holds"] for c in ack["changed"]] == [["policy"]]

    await node1.server.close()  # drains: every socket goes, the routers close
    await student.wait_disconnected()
    await before.close()

    node2 = await start_node(settings)  # a node that never saw the class, same database
    teacher, _ = await joined(node2, connect, "teacher", live)
    watcher = MediaClient(teacher)
    assert (await watcher.subscribe())["offer"] is None
    student, back = await joined(node2, connect, "student1", live)
    assert back["tools"]["moderation"]["media"] == {
        "muted": ["microphone"],
        "policy": FORBIDDEN_CAMERAS,
    }
    classmate, _ = await joined(node2, connect, "student2", live)
    config = await student.call("media:config", {})
    assert config["ok"] and config["policy"] == FORBIDDEN_CAMERAS

    # A classmate's microphone flows to the teacher: the teacher's connection is up.
    heard = MediaClient(classmate)
    other_mic = (await heard.publish([(AudioStreamTrack(), "microphone")]))["producers"][0]
    await watcher.answer_next_offer()
    await wait_for(lambda: watcher.frames.get(other_mic["id"], 0) >= 10, WAIT_SECONDS)

    after = MediaClient(student)
    ack = await after.publish([(AudioStreamTrack(), "microphone")])
    assert ack["ok"], ack
    (mic,) = ack["producers"]
    assert (mic["paused"], mic["holds"]) == (True, ["moderator"])
    # The camera, added as the browser does (a re-offer of the same connection), is refused.
    refused = await after.publish([(EncodedVideoTrack(vp8_frames), "camera")])
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert refused["error"]["details"] == {"source": "camera"}

    refused = await student.call("media:resume_producer", {"producer_id": mic["id"]})
    assert refused["error"]["code"] == "forbidden"  # the student cannot undo the mute
    assert refused["error"]["details"]["holds"] == ["moderator"]
    await watcher.answer_next_offer()
    await asyncio.sleep(0.5)  # the classmate's audio keeps arriving; the muted one does not
    assert watcher.frames.get(other_mic["id"], 0) > 20
    assert watcher.frames.get(mic["id"], 0) == 0

    student.forget("media:producer_resumed")
    ack = await teacher.call("moderation:unmute", {"user_id": s1, "source": "microphone"})
    assert ack["ok"] and [c["holds"] for c in ack["changed"]] == [[]]
    resumed = await student.wait_for("media:producer_resumed")
    assert resumed == {"producer_id": mic["id"], "user_id": s1, "source": "microphone",
                       "holds": []}  # fmt: skip
    assert (await student.call("media:pause_producer", {"producer_id": mic["id"]}))["ok"]
    ack = await student.call("media:resume_producer", {"producer_id": mic["id"]})
    assert ack["ok"] and ack["holds"] == []
    await wait_for(lambda: watcher.frames.get(mic["id"], 0) >= 10, WAIT_SECONDS)
    assert await count(db, MediaHold, session_id=live) == 0
    assert await log_actions(db, live) == ["mute", "cameras", "unmute"]
    for peer in (watcher, heard, after):
        await peer.close()


async def test_mute_all_survives_a_restart_and_ends_with_the_session(
    start_node: StartNode, settings: Settings, world: World, live: int, db: DB, connect: Connect
) -> None:
    s1, s2 = world.users["student1"], world.users["student2"]
    node1 = await start_node(settings)
    teacher, _ = await joined(node1, connect, "teacher", live)
    for login in ("student1", "student2"):
        await joined(node1, connect, login, live)
    ack = await teacher.call("moderation:mute_all", {"source": "microphone"})
    assert ack["ok"] and ack["user_ids"] == sorted([s1, s2])
    assert (await teacher.call("moderation:screens", {"allowed": True}))["ok"]
    await node1.server.close()

    node2 = await start_node(settings)
    teacher, joined_as_teacher = await joined(node2, connect, "teacher", live)
    assert joined_as_teacher["tools"]["moderation"]["media"]["muted"] == []
    student, back = await joined(node2, connect, "student2", live)
    assert back["tools"]["moderation"]["media"]["muted"] == ["microphone"]
    assert back["tools"]["moderation"]["media"]["policy"]["student_screens_allowed"] is True
    peer = MediaClient(student)
    ack = await peer.publish([(AudioStreamTrack(), "microphone")])
    assert ack["ok"] and ack["producers"][0]["holds"] == ["moderator"]

    status, _ = await node2.rest("POST", f"/api/sessions/{live}/end", "teacher")
    assert status == 200
    await student.wait_disconnected()
    assert await count(db, MediaHold, session_id=live) == 0  # the mutes ended with the class
    assert await count(db, ModerationLogEntry, session_id=live) == 2  # the log keeps them
    await peer.close()
