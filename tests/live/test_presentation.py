"""Documents, whiteboard and shared media over real socket.io clients: the teacher leads, the
class follows, late joiners land on the current state, strokes are stored once."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import WhiteboardOp
from server.live import NAMESPACE, SIO
from server.live.ratelimit import EventRateLimiter
from tests.live.conftest import Connect, Node, World, count
from tests.sample_files import MP4_BYTES, pdf_bytes

DB = async_sessionmaker[AsyncSession]


async def upload(node: Node, path: str, data: bytes, name: str) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name)
    return await upload_form(node, path, form)


async def upload_form(node: Node, path: str, form: aiohttp.FormData) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {await node.token('teacher')}"}
    async with node.http.post(f"{node.url}{path}", data=form, headers=headers) as response:
        assert response.status == 201, await response.text()
        return await response.json()


def pen(*points: tuple[float, float], color: str = "#d03030") -> dict[str, Any]:
    return {"tool": "pen", "color": color, "width": 3, "points": [list(p) for p in points]}


async def test_page_turns_reach_the_class_and_a_late_joiner_lands_on_the_page(
    node: Node, connect: Connect, live: int, world: World
) -> None:
    document = await upload(node, f"/api/courses/{world.course}/documents", pdf_bytes(2), "a.pdf")
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    joined = await teacher.join(live)
    assert joined["tools"]["presentation"] == {
        "document": None, "page": 1, "board": None, "annotations": [], "teaching": True
    }  # fmt: skip
    await student.join(live)

    ack = await teacher.call("presentation:open", {"document_id": document["id"]})
    assert ack["ok"], ack
    shown = await student.wait_for("presentation:state")
    assert shown["document"]["id"] == document["id"] and shown["page"] == 1

    # Students follow; they do not lead.
    for event, payload in (
        ("presentation:page", {"page": 2}),
        ("presentation:open", {"document_id": document["id"]}),
        ("presentation:close", {}),
        ("presentation:pointer", {"x": 0.5, "y": 0.5}),
    ):
        refused = await student.call(event, payload)
        assert not refused["ok"] and refused["error"]["code"] == "forbidden", event

    # Notes on page 2, then the turn to page 2 carries them.
    note = await teacher.call(
        "whiteboard:stroke",
        {
            "board": f"doc:{document['id']}:2",
            "client_id": "n1",
            "shape": pen((0.1, 0.1), (0.2, 0.3)),
        },
    )
    assert note["ok"], note
    ack = await teacher.call("presentation:page", {"page": 2})
    assert ack["ok"] and ack["state"]["page"] == 2
    turned = await student.wait_for("presentation:state", lambda s: s["page"] == 2)
    assert [stroke["id"] for stroke in turned["annotations"]] == [note["op"]["id"]]
    no_page = await teacher.call("whiteboard:board", {"board": f"doc:{document['id']}:3"})
    assert not no_page["ok"] and no_page["error"]["code"] == "not_found"
    past_the_end = await teacher.call("presentation:page", {"page": 3})
    assert not past_the_end["ok"] and past_the_end["error"]["code"] == "invalid_input"

    late = await connect(node, "student2")
    state = (await late.join(live))["tools"]["presentation"]
    assert state["document"]["id"] == document["id"]
    assert state["page"] == 2 and state["board"] == f"doc:{document['id']}:2"
    assert len(state["annotations"]) == 1

    # The pointer goes to the others, thinned, and is never stored.
    await teacher.call("presentation:pointer", {"x": 0.25, "y": 0.75})
    pointed = await late.wait_for("presentation:pointer")
    assert (pointed["x"], pointed["y"], pointed["visible"]) == (0.25, 0.75, True)
    bad = await teacher.call("presentation:pointer", {"x": 3, "y": 0})
    assert not bad["ok"] and bad["error"]["code"] == "invalid_input"
    # The teacher leaves: the pointer is taken down for everyone.
    await teacher.call("leave", {})
    await late.wait_for("presentation:pointer", lambda data: not data["visible"])


async def test_a_document_of_another_course_cannot_be_opened(
    node: Node, connect: Connect, live: int, world: World
) -> None:
    headers = {"Authorization": f"Bearer {await node.token('teacher2')}"}
    form = aiohttp.FormData()
    form.add_field("file", pdf_bytes(1), filename="b.pdf")
    async with node.http.post(
        f"{node.url}/api/courses/{world.other_course}/documents", data=form, headers=headers
    ) as response:
        other = await response.json()
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    ack = await teacher.call("presentation:open", {"document_id": other["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "not_found"
    board = await teacher.call("whiteboard:board", {"board": f"doc:{other['id']}:1"})
    assert not board["ok"] and board["error"]["code"] == "not_found"


async def test_strokes_are_stored_once_and_students_draw_only_when_allowed(
    node: Node, connect: Connect, live: int, db: DB
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)

    stroke = {"board": "main", "client_id": "s1", "shape": pen((0.1, 0.1), (0.5, 0.5))}
    first = await teacher.call("whiteboard:stroke", stroke)
    assert first["ok"], first
    seen = await student.wait_for("whiteboard:op")
    assert seen["id"] == first["op"]["id"] and seen["shape"]["tool"] == "pen"
    retry = await teacher.call("whiteboard:stroke", stroke)
    assert retry["ok"] and retry["op"]["id"] == first["op"]["id"]
    await asyncio.sleep(0.2)
    assert len(student.events["whiteboard:op"]) == 1  # the retry told nobody
    assert await count(db, WhiteboardOp) == 1
    reused = await teacher.call("whiteboard:clear", {"board": "main", "client_id": "s1"})
    assert not reused["ok"] and reused["error"]["code"] == "conflict"

    mine = {"board": "main", "client_id": "st1", "shape": pen((0.2, 0.2))}
    refused = await student.call("whiteboard:stroke", mine)
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"
    not_theirs = await student.call("whiteboard:allow_students", {"allowed": True})
    assert not not_theirs["ok"] and not_theirs["error"]["code"] == "forbidden"
    allowed = await teacher.call("whiteboard:allow_students", {"allowed": True})
    assert allowed["ok"]
    await student.wait_for("whiteboard:policy", lambda p: p["students_may_draw"])
    drawn = await student.call("whiteboard:stroke", mine)
    assert drawn["ok"], drawn

    # A student erases only their own strokes; undo takes back their own last one.
    erase_teachers = await student.call(
        "whiteboard:erase", {"board": "main", "client_id": "e1", "target_id": first["op"]["id"]}
    )
    assert not erase_teachers["ok"] and erase_teachers["error"]["code"] == "forbidden"
    undone = await student.call("whiteboard:undo", {"board": "main", "client_id": "u1"})
    assert undone["ok"] and undone["op"]["target"] == drawn["op"]["id"]
    await teacher.wait_for("whiteboard:op", lambda op: op["kind"] == "erase")
    cleared = await student.call("whiteboard:clear", {"board": "main", "client_id": "c0"})
    assert not cleared["ok"] and cleared["error"]["code"] == "forbidden"

    # Validation: too many points, text without text, a board that does not exist.
    for bad in (
        {"board": "main", "client_id": "b1", "shape": pen(*[(0.1, 0.1)] * 2001)},
        {"board": "main", "client_id": "b2",
         "shape": {"tool": "text", "color": "#000000", "width": 2, "points": [[0.1, 0.1]]}},
        {"board": "main", "client_id": "b3", "shape": {**pen((0.1, 0.1)), "color": "red"}},
        {"board": "main;drop", "client_id": "b4", "shape": pen((0.1, 0.1))},
        {"board": "main", "client_id": "b5", "shape": pen((0.1, 0.1)), "author_id": 1},
    ):  # fmt: skip
        ack = await teacher.call("whiteboard:stroke", bad)
        assert not ack["ok"] and ack["error"]["code"] == "invalid_input", bad["client_id"]


async def test_a_late_joiner_sees_the_board_after_its_last_clear(
    node: Node, connect: Connect, live: int
) -> None:
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    for index in range(3):
        ack = await teacher.call(
            "whiteboard:stroke",
            {"board": "main", "client_id": f"a{index}", "shape": pen((0.1 * index, 0.2))},
        )
        assert ack["ok"]
    cleared = await teacher.call("whiteboard:clear", {"board": "main", "client_id": "clear-1"})
    assert cleared["ok"] and cleared["op"]["kind"] == "clear"
    text = {
        "tool": "text",
        "color": "#1040a0",
        "width": 2,
        "points": [[0.3, 0.4]],
        "text": "광합성",
    }
    kept = await teacher.call(
        "whiteboard:stroke", {"board": "main", "client_id": "after", "shape": text}
    )
    gone = await teacher.call(
        "whiteboard:stroke",
        {"board": "main", "client_id": "gone", "shape": {
            "tool": "rect", "color": "#000000", "width": 2, "points": [[0.1, 0.1], [0.4, 0.5]]}},
    )  # fmt: skip
    erased = await teacher.call(
        "whiteboard:erase", {"board": "main", "client_id": "er", "target_id": gone["op"]["id"]}
    )
    assert erased["ok"], erased

    late = await connect(node, "student1")
    board = (await late.join(live))["tools"]["whiteboard"]
    assert board["students_may_draw"] is False and board["teaching"] is False
    assert [stroke["id"] for stroke in board["main"]] == [kept["op"]["id"]]
    assert board["main"][0]["shape"]["text"] == "광합성"
    fetched = await late.call("whiteboard:board", {"board": "main"})
    assert fetched["strokes"] == board["main"]
    group = await late.call("whiteboard:board", {"board": "group:1"})
    assert not group["ok"] and group["error"]["code"] == "not_found"


async def test_shared_media_follows_the_teacher_and_a_late_joiner_starts_in_place(
    node: Node, connect: Connect, live: int, world: World
) -> None:
    video = await upload(node, f"/api/courses/{world.course}/media", MP4_BYTES, "v.mp4")
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    joined = await teacher.join(live)
    assert joined["tools"]["shared_media"]["file"] is None
    await student.join(live)

    refused = await student.call("shared_media:control", {"action": "play", "position": 0})
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"
    not_loaded = await teacher.call("shared_media:control", {"action": "play", "position": 0})
    assert not not_loaded["ok"] and not_loaded["error"]["code"] == "invalid_input"

    loaded = await teacher.call("shared_media:load", {"file_id": video["id"]})
    assert loaded["ok"] and loaded["state"]["file"]["id"] == video["id"]
    await student.wait_for("shared_media:state", lambda s: s["file"] is not None)
    played = await teacher.call("shared_media:control", {"action": "play", "position": 12.5})
    assert played["ok"] and played["state"]["playing"] and played["state"]["position"] == 12.5
    state = await student.wait_for("shared_media:state", lambda s: s["playing"])
    assert state["position"] == 12.5 and "server_time" in state

    await asyncio.sleep(0.3)
    late = await connect(node, "student2")
    media = (await late.join(live))["tools"]["shared_media"]
    assert media["playing"] and media["file"]["id"] == video["id"]
    assert 12.7 <= media["position"] < 15  # moved on with the clock
    datetime.fromisoformat(media["server_time"])

    paused = await teacher.call("shared_media:control", {"action": "pause", "position": 20})
    assert paused["ok"] and not paused["state"]["playing"]
    again = await connect(node, "student2")
    assert (await again.join(live))["tools"]["shared_media"]["position"] == 20
    bad = await teacher.call("shared_media:control", {"action": "rewind", "position": 1})
    assert not bad["ok"] and bad["error"]["code"] == "invalid_input"
    stopped = await teacher.call("shared_media:stop", {})
    assert stopped["ok"] and stopped["state"]["file"] is None


async def test_handwriting_has_its_own_budget(node: Node, connect: Connect, live: int) -> None:
    """Forty strokes in a burst (a word written by hand) pass, and leave the chat budget alone;
    drawing past its own budget is refused with rate_limited."""
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    for index in range(40):
        ack = await teacher.call(
            "whiteboard:stroke",
            {"board": "main", "client_id": f"w{index}", "shape": pen((0.01 * index, 0.5))},
        )
        assert ack["ok"], (index, ack)
    chat = await teacher.call("chat:send", {"client_id": "c1", "body": "잘 보이나요?"})
    assert chat["ok"], chat
    # Past drawing's own budget (the clock stopped, so nothing refills): refused, not stored.
    namespace = node.server.app[SIO].namespace_handlers[NAMESPACE]
    tool = namespace.tool("whiteboard")
    tool.limiter = EventRateLimiter(5, clock=lambda: 0.0)
    results = [
        await teacher.call(
            "whiteboard:stroke",
            {"board": "main", "client_id": f"x{index}", "shape": pen((0.5, 0.5))},
        )
        for index in range(6)
    ]
    assert all(ack["ok"] for ack in results[:-1])
    assert results[-1]["error"]["code"] == "rate_limited"


async def test_a_stroke_being_drawn_is_relayed_not_stored(
    node: Node, connect: Connect, live: int, db: DB
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    draft = {
        "board": "main", "draft_id": "d1", "tool": "pen", "color": "#d03030", "width": 3,
        "points": [[0.1, 0.1], [0.2, 0.2]], "reset": True,
    }  # fmt: skip
    ack = await teacher.call("whiteboard:draft", draft)
    assert ack["ok"] and ack["sent"], ack
    seen = await student.wait_for("whiteboard:draft")
    assert seen["draft_id"] == "d1" and seen["points"] == [[0.1, 0.1], [0.2, 0.2]]
    assert seen["author_id"] > 0
    thinned = await teacher.call("whiteboard:draft", {**draft, "reset": False})
    assert thinned["ok"] and not thinned["sent"]
    assert await count(db, WhiteboardOp) == 0

    refused = await student.call("whiteboard:draft", {**draft, "draft_id": "s1"})
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"
    too_many = await teacher.call("whiteboard:draft", {**draft, "points": [[0.1, 0.1]] * 201})
    assert not too_many["ok"] and too_many["error"]["code"] == "invalid_input"
