"""Breakout rounds at the service level: balance, manual moves, history, group chat, closing."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import BreakoutCloseReason, BreakoutStatus, CourseRole, Role
from lms.services import accounts, breakouts, course_groups, courses, live_sessions
from lms.services.breakouts import Placement, balanced
from tests.lms.conftest import World

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
async def live(db: Factory, world: World) -> int:
    async with db() as s, s.begin():
        session = await live_sessions.schedule_session(
            s,
            world.teacher,
            world.course.id,
            title="토의",
            scheduled_start=NOW,
            scheduled_end=NOW + timedelta(hours=1),
        )
        await live_sessions.start_session(s, world.teacher, session.id, now=NOW)
        return session.id


def students(world: World) -> list[int]:
    return [student.id for student in world.students]


async def start(db: Factory, world: World, live: int, **kwargs: object) -> int:
    options: dict[str, object] = {
        "client_id": "round-1",
        "group_count": 2,
        "mode": "random",
        "duration_seconds": 600,
        "student_ids": students(world),
        "now": NOW,
    }
    options.update(kwargs)
    async with db() as s, s.begin():
        found, created = await breakouts.start_round(s, world.teacher, live, **options)
        assert created
        return found.id


@pytest.mark.parametrize("count,groups", [(3, 2), (7, 3), (30, 4), (5, 5), (2, 4)])
def test_random_split_is_balanced(count: int, groups: int) -> None:
    placed = balanced(range(1, count + 1), groups, random.Random(count))
    assert sorted(p.user_id for p in placed) == list(range(1, count + 1))
    sizes = Counter(p.group_index for p in placed)
    assert all(1 <= index <= groups for index in sizes)
    assert max(sizes.values()) - min(sizes.values()) <= 1
    if count >= groups:
        assert len(sizes) == groups  # no empty group while there are people to fill it


def test_random_split_differs_between_runs() -> None:
    splits = {
        tuple(
            sorted((p.user_id, p.group_index) for p in balanced(range(12), 3, random.Random(seed)))
        )
        for seed in range(5)
    }
    assert len(splits) > 1


async def test_random_round_places_every_student_once(db: Factory, world: World, live: int) -> None:
    round_id = await start(db, world, live, group_count=2)
    async with db() as s:
        members = await breakouts.current_members(s, round_id)
        assert set(members) == set(students(world))
        sizes = Counter(members.values())
        assert sorted(sizes.values()) == [1, 2]
        state = await breakouts.round_dict(s, await breakouts.get_round(s, round_id))
    assert state["status"] == "open" and state["mode"] == "random"
    assert [g["name"] for g in state["groups"]] == ["모둠 1", "모둠 2"]
    assert state["ends_at"] == "2026-11-25T10:10:00Z"
    assert sum(len(g["members"]) for g in state["groups"]) == 3


async def test_start_is_idempotent_and_one_round_at_a_time(
    db: Factory, world: World, live: int
) -> None:
    round_id = await start(db, world, live)
    async with db() as s, s.begin():
        again, created = await breakouts.start_round(
            s,
            world.teacher,
            live,
            client_id="round-1",
            group_count=3,
            mode="random",
            duration_seconds=60,
            student_ids=students(world),
        )
    assert (again.id, created) == (round_id, False)
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await breakouts.start_round(
                s,
                world.teacher,
                live,
                client_id="round-2",
                group_count=2,
                mode="random",
                duration_seconds=60,
                student_ids=students(world),
            )


async def test_only_teachers_split_and_input_is_checked(
    db: Factory, world: World, live: int
) -> None:
    base = {"client_id": "x", "group_count": 2, "mode": "random", "duration_seconds": 300}
    for outsider in (world.students[0], world.other_teacher, world.other_school_admin):
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await breakouts.start_round(s, outsider, live, **base)
    bad = [
        {"group_count": 1},
        {"group_count": 51},
        {"duration_seconds": 10},
        {"mode": "alphabetical"},
        {"names": ["하나"]},
        {"student_ids": [world.teacher.id]},  # teachers are not split into groups
        {"mode": "manual", "placements": [Placement(world.students[0].id, 3)]},
        {
            "mode": "manual",
            "placements": [Placement(world.students[0].id, 1), Placement(world.students[0].id, 2)],
        },
    ]
    for change in bad:
        with pytest.raises(InvalidInput):
            async with db() as s, s.begin():
                await breakouts.start_round(s, world.teacher, live, **{**base, **change})
    async with db() as s, s.begin():
        # a school admin of the course's school runs it like its teacher
        found, _ = await breakouts.start_round(
            s, world.school_admin, live, **{**base, "names": ["해", "달"]}
        )
        assert [g.name for g in await breakouts.groups(s, found.id)] == ["해", "달"]


async def test_course_groups_become_breakout_groups(db: Factory, world: World, live: int) -> None:
    a, b, c = students(world)
    with pytest.raises(Conflict):  # no course groups yet
        await start(db, world, live, mode="course_groups", group_count=None)
    async with db() as s, s.begin():
        await course_groups.create_group(
            s, world.teacher, world.course.id, name="심화반", user_ids=[a, b, world.teacher.id]
        )
        with pytest.raises(Conflict):  # one group with students is no split
            await breakouts.start_round(
                s,
                world.teacher,
                live,
                client_id="one",
                group_count=None,
                mode="course_groups",
                duration_seconds=300,
            )
        await course_groups.create_group(
            s, world.teacher, world.course.id, name="기본반", user_ids=[b, c]
        )
        await course_groups.create_group(s, world.teacher, world.course.id, name="빈 모둠")
    round_id = await start(db, world, live, mode="course_groups", group_count=None)
    async with db() as s:
        state = await breakouts.round_dict(s, await breakouts.get_round(s, round_id))
    # by name: 기본반 first; b (in both) stays there; the teacher and the empty group are left out
    assert state["group_count"] == 2
    assert [(g["name"], {m["user_id"] for m in g["members"]}) for g in state["groups"]] == [
        ("기본반", {b, c}),
        ("심화반", {a}),
    ]


async def test_manual_placement_and_moves_keep_history(
    db: Factory, world: World, live: int
) -> None:
    a, b, c = students(world)
    round_id = await start(
        db,
        world,
        live,
        mode="manual",
        group_count=3,
        placements=[Placement(a, 1), Placement(b, 1), Placement(c, 2)],
    )
    async with db() as s:
        groups = {g.index: g.id for g in await breakouts.groups(s, round_id)}
        assert await breakouts.current_members(s, round_id) == {
            a: groups[1],
            b: groups[1],
            c: groups[2],
        }
    later = NOW + timedelta(minutes=3)
    async with db() as s, s.begin():
        moved = await breakouts.move_member(s, world.teacher, round_id, b, groups[3], now=later)
        assert moved == (groups[1], groups[3])
        assert await breakouts.move_member(s, world.teacher, round_id, c, None) == (groups[2], None)
        # moving someone where they already are changes nothing
        assert await breakouts.move_member(s, world.teacher, round_id, a, groups[1]) == (
            groups[1],
            groups[1],
        )
    async with db() as s:
        assert await breakouts.current_members(s, round_id) == {a: groups[1], b: groups[3]}
        history = [
            (m.user_id, m.group_id, m.left_at is not None)
            for m in await breakouts.memberships(s, round_id)
        ]
    assert history == [
        (a, groups[1], False),
        (b, groups[1], True),
        (c, groups[2], True),
        (b, groups[3], False),
    ]
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await breakouts.move_member(s, world.students[0], round_id, a, groups[2])
    with pytest.raises(NotFound):
        async with db() as s, s.begin():
            await breakouts.move_member(s, world.teacher, round_id, a, 99999)


async def test_group_chat_members_and_teachers_only(db: Factory, world: World, live: int) -> None:
    a, b, c = world.students
    round_id = await start(
        db,
        world,
        live,
        mode="manual",
        placements=[Placement(a.id, 1), Placement(b.id, 1), Placement(c.id, 2)],
    )
    async with db() as s:
        one, two = [g.id for g in await breakouts.groups(s, round_id)]
    async with db() as s, s.begin():
        first, created = await breakouts.post_message(s, a, one, "m1", "  안녕  ")
        assert created and first.seq == 1 and first.body == "안녕"
        retry, created = await breakouts.post_message(s, a, one, "m1", "안녕")
        assert (retry.id, created) == (first.id, False)
        await breakouts.post_message(s, world.teacher, one, "t1", "잘하고 있어요")
        other, _ = await breakouts.post_message(s, c, two, "m1", "우리 모둠")
        assert other.seq == 1  # each group counts its own messages
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await breakouts.post_message(s, c, one, "m2", "끼어들기")
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await breakouts.post_message(s, a, one, "m3", "   ")
    async with db() as s:
        assert [m["body"] for m in await breakouts.group_messages(s, one)] == [
            "안녕",
            "잘하고 있어요",
        ]
        assert [m["seq"] for m in await breakouts.group_messages(s, one, after_seq=1)] == [2]


async def test_close_is_idempotent_and_ends_memberships(
    db: Factory, world: World, live: int
) -> None:
    round_id = await start(db, world, live)
    async with db() as s, s.begin():
        with pytest.raises(Forbidden):
            await breakouts.close_round(
                s, round_id, BreakoutCloseReason.RECALLED, actor=world.students[0]
            )
    async with db() as s, s.begin():
        closed, changed = await breakouts.close_round(
            s, round_id, BreakoutCloseReason.RECALLED, actor=world.teacher, now=NOW
        )
        assert changed and closed.status is BreakoutStatus.CLOSED
        assert closed.closed_by == world.teacher.id
    async with db() as s, s.begin():
        again, changed = await breakouts.close_round(s, round_id, BreakoutCloseReason.TIMER)
        assert not changed and again.close_reason is BreakoutCloseReason.RECALLED
        assert await breakouts.current_members(s, round_id) == {}
        assert len(await breakouts.memberships(s, round_id)) == 3  # kept as history
        assert await breakouts.open_round(s, live) is None
        group = (await breakouts.groups(s, round_id))[0]
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await breakouts.post_message(s, world.teacher, group.id, "late", "늦었어요")
    # the next round starts; the first one stays on record
    await start(db, world, live, client_id="round-2")
    async with db() as s:
        rounds = await breakouts.list_rounds(s, live)
        assert [r.status for r in rounds] == [BreakoutStatus.CLOSED, BreakoutStatus.OPEN]


async def test_expired_round_closes_on_check(db: Factory, world: World, live: int) -> None:
    round_id = await start(db, world, live, duration_seconds=60)
    async with db() as s, s.begin():
        assert await breakouts.close_if_expired(s, live, now=NOW + timedelta(seconds=59)) is None
    async with db() as s, s.begin():
        closed = await breakouts.close_if_expired(s, live, now=NOW + timedelta(seconds=61))
        assert closed is not None and closed.id == round_id
        assert closed.close_reason is BreakoutCloseReason.TIMER and closed.closed_by is None
    async with db() as s, s.begin():
        assert await breakouts.close_if_expired(s, live) is None


async def test_a_student_of_another_course_is_refused(db: Factory, world: World, live: int) -> None:
    async with db() as s, s.begin():
        stranger = await accounts.create_user(
            s,
            login="stranger",
            display_name="stranger",
            password="pw-long-enough",
            role=Role.STUDENT,
            school_id=world.school.id,
        )
        other = await courses.create_course(
            s, world.teacher, school_id=world.school.id, title="다른 반", subject="국어"
        )
        await courses.enrol(s, world.teacher, other.id, stranger.id, CourseRole.STUDENT)
    with pytest.raises(InvalidInput):
        await start(db, world, live, student_ids=[*students(world), stranger.id])
