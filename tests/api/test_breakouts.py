"""Breakout history over REST: who sees which rounds, groups and group chats."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import LiveSessionStatus, User
from lms.services import breakouts
from lms.services.breakouts import Placement
from tests.api.conftest import LoginAs, World
from tests.live.conftest import set_status

Factory = async_sessionmaker[AsyncSession]


async def split(db: Factory, world: World) -> tuple[int, int, int]:
    """student1 in group 1 (two messages), student2 in group 2 then moved to group 1."""
    await set_status(db, world.session, LiveSessionStatus.LIVE)
    async with db() as s, s.begin():
        teacher = await s.get(User, world.users["teacher"])
        one_student = await s.get(User, world.users["student1"])
        two_student = await s.get(User, world.users["student2"])
        assert teacher and one_student and two_student
        found, _ = await breakouts.start_round(
            s,
            teacher,
            world.session,
            client_id="r",
            group_count=2,
            mode="manual",
            duration_seconds=600,
            placements=[Placement(one_student.id, 1), Placement(two_student.id, 2)],
        )
        one, two = [g.id for g in await breakouts.groups(s, found.id)]
        await breakouts.post_message(s, one_student, one, "a", "첫 번째")
        await breakouts.post_message(s, one_student, one, "b", "두 번째")
        await breakouts.post_message(s, two_student, two, "c", "다른 모둠")
        await breakouts.move_member(s, teacher, found.id, two_student.id, one)
        return found.id, one, two


async def test_teacher_sees_every_group_and_move(
    app_client: TestClient, login_as: LoginAs, world: World, db: Factory
) -> None:
    round_id, one, two = await split(db, world)
    response = await app_client.get(
        f"/api/sessions/{world.session}/breakouts", headers=await login_as("teacher")
    )
    assert response.status == 200
    (found,) = (await response.json())["items"]
    assert found["id"] == round_id and found["status"] == "open" and found["mode"] == "manual"
    groups = {g["id"]: g for g in found["groups"]}
    assert groups[one]["message_count"] == 2 and groups[two]["message_count"] == 1
    assert {m["user_id"] for m in groups[one]["members"]} == {
        world.users["student1"],
        world.users["student2"],
    }
    moved = groups[two]["memberships"]
    assert [m["user_id"] for m in moved] == [world.users["student2"]]
    assert moved[0]["left_at"] is not None  # moved out, kept on record


async def test_students_see_only_their_groups(
    app_client: TestClient, login_as: LoginAs, world: World, db: Factory
) -> None:
    _, one, two = await split(db, world)
    response = await app_client.get(
        f"/api/sessions/{world.session}/breakouts", headers=await login_as("student1")
    )
    (found,) = (await response.json())["items"]
    assert [g["id"] for g in found["groups"]] == [one]
    response = await app_client.get(
        f"/api/sessions/{world.session}/breakouts", headers=await login_as("student2")
    )
    (found,) = (await response.json())["items"]
    assert sorted(g["id"] for g in found["groups"]) == sorted([one, two])  # was in both

    mine = await app_client.get(
        f"/api/breakout-groups/{one}/messages", headers=await login_as("student1")
    )
    assert mine.status == 200
    assert [m["body"] for m in (await mine.json())["items"]] == ["첫 번째", "두 번째"]
    later = await app_client.get(
        f"/api/breakout-groups/{one}/messages?after_seq=1", headers=await login_as("student1")
    )
    assert [m["seq"] for m in (await later.json())["items"]] == [2]
    other = await app_client.get(
        f"/api/breakout-groups/{two}/messages", headers=await login_as("student1")
    )
    assert other.status == 403
    left = await app_client.get(
        f"/api/breakout-groups/{two}/messages", headers=await login_as("student2")
    )
    assert left.status == 200  # moved out, still reads what they wrote there


async def test_outsiders_are_refused(
    app_client: TestClient, login_as: LoginAs, world: World, db: Factory
) -> None:
    _, one, _ = await split(db, world)
    for login in ("teacher2", "sa_b", "teacher_b"):
        headers = await login_as(login)
        rounds = await app_client.get(f"/api/sessions/{world.session}/breakouts", headers=headers)
        assert rounds.status == 403, login
        chat = await app_client.get(f"/api/breakout-groups/{one}/messages", headers=headers)
        assert chat.status == 403, login
    admin = await login_as("sa_a")  # the school's admin oversees its courses
    chat = await app_client.get(f"/api/breakout-groups/{one}/messages", headers=admin)
    assert chat.status == 200
    headers = await login_as("teacher")
    assert (
        await app_client.get("/api/breakout-groups/99999/messages", headers=headers)
    ).status == 404
    assert (await app_client.get("/api/sessions/99999/breakouts", headers=headers)).status == 404
    bad = await app_client.get(f"/api/breakout-groups/{one}/messages?limit=0", headers=headers)
    assert bad.status == 400
    assert (await app_client.get(f"/api/sessions/{world.session}/breakouts")).status == 401
