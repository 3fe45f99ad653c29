"""Course groups (Moodle's groups): the teacher's standing split of a class.

Other features read them through ``groups_of_course`` (breakout rooms copy them into a live
session); the teacher manages them here. Members must be enrolled in the course, and leaving
the course does not rewrite history elsewhere: breakout rounds keep their own copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, InvalidInput, NotFound
from lms.models import CourseGroup, CourseGroupMember, CourseRole, Enrolment, User
from lms.services import clean_text, permissions

MAX_GROUPS_PER_COURSE = 100
MAX_MEMBERS_PER_GROUP = 500


@dataclass
class GroupWithMembers:
    group: CourseGroup
    member_ids: list[int] = field(default_factory=list)


async def groups_of_course(db: AsyncSession, course_id: int) -> list[GroupWithMembers]:
    """Every group of the course, by name, each with its members' user ids (two queries)."""
    groups = list(
        await db.scalars(
            select(CourseGroup)
            .where(CourseGroup.course_id == course_id)
            .order_by(CourseGroup.name, CourseGroup.id)
        )
    )
    by_id = {group.id: GroupWithMembers(group) for group in groups}
    if by_id:
        rows = await db.execute(
            select(CourseGroupMember.group_id, CourseGroupMember.user_id)
            .where(CourseGroupMember.group_id.in_(by_id))
            .order_by(CourseGroupMember.group_id, CourseGroupMember.user_id)
        )
        for group_id, user_id in rows.tuples():
            by_id[group_id].member_ids.append(user_id)
    return list(by_id.values())


async def visible_groups(db: AsyncSession, viewer: User, course_id: int) -> list[GroupWithMembers]:
    """Teachers and admins see every group; a student only the groups they are in."""
    role = await permissions.require_course_member(db, viewer, course_id)
    groups = await groups_of_course(db, course_id)
    if role is CourseRole.STUDENT:
        return [entry for entry in groups if viewer.id in entry.member_ids]
    return groups


async def _group_for_teacher(db: AsyncSession, actor: User, group_id: int) -> CourseGroup:
    group = await db.get(CourseGroup, group_id)
    if group is None:
        raise NotFound("no such group", group_id=group_id)
    await permissions.require_course_teacher(db, actor, group.course_id)
    return group


async def _check_name_free(
    db: AsyncSession, course_id: int, name: str, except_id: int | None = None
) -> None:
    query = select(CourseGroup.id).where(
        CourseGroup.course_id == course_id, CourseGroup.name == name
    )
    if except_id is not None:
        query = query.where(CourseGroup.id != except_id)
    if await db.scalar(query) is not None:
        raise Conflict("a group with this name exists in the course", field="name")


async def _check_members(db: AsyncSession, course_id: int, user_ids: Sequence[int]) -> list[int]:
    """De-duplicated ids, every one enrolled in the course (else the whole change is refused)."""
    wanted = sorted(set(user_ids))
    if len(wanted) > MAX_MEMBERS_PER_GROUP:
        raise InvalidInput(
            f"a group holds at most {MAX_MEMBERS_PER_GROUP} people", field="user_ids"
        )
    if not wanted:
        return []
    enrolled = set(
        await db.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course_id, Enrolment.user_id.in_(wanted)
            )
        )
    )
    missing = [user_id for user_id in wanted if user_id not in enrolled]
    if missing:
        raise InvalidInput(
            "only people enrolled in the course can join its groups", user_ids=missing
        )
    return wanted


async def create_group(
    db: AsyncSession,
    actor: User,
    course_id: int,
    *,
    name: str,
    description: str = "",
    user_ids: Sequence[int] = (),
) -> GroupWithMembers:
    await permissions.require_course_teacher(db, actor, course_id)
    name = clean_text(name, "group name", max_chars=100)
    description = clean_text(description, "description", max_chars=500, min_chars=0)
    await _check_name_free(db, course_id, name)
    count = await db.scalar(
        select(func.count(CourseGroup.id)).where(CourseGroup.course_id == course_id)
    )
    if (count or 0) >= MAX_GROUPS_PER_COURSE:
        raise Conflict(f"a course has at most {MAX_GROUPS_PER_COURSE} groups")
    members = await _check_members(db, course_id, user_ids)
    group = CourseGroup(
        course_id=course_id, name=name, description=description, created_by=actor.id
    )
    db.add(group)
    await db.flush()
    db.add_all(CourseGroupMember(group_id=group.id, user_id=user_id) for user_id in members)
    await db.flush()
    return GroupWithMembers(group, members)


async def update_group(
    db: AsyncSession,
    actor: User,
    group_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    user_ids: Sequence[int] | None = None,
) -> GroupWithMembers:
    """Rename, describe, or replace the member list (the list sent is the whole new list)."""
    group = await _group_for_teacher(db, actor, group_id)
    if name is not None:
        name = clean_text(name, "group name", max_chars=100)
        await _check_name_free(db, group.course_id, name, except_id=group.id)
        group.name = name
    if description is not None:
        group.description = clean_text(description, "description", max_chars=500, min_chars=0)
    if user_ids is not None:
        members = await _check_members(db, group.course_id, user_ids)
        current = set(
            await db.scalars(
                select(CourseGroupMember.user_id).where(CourseGroupMember.group_id == group.id)
            )
        )
        gone = current - set(members)
        if gone:
            await db.execute(
                delete(CourseGroupMember).where(
                    CourseGroupMember.group_id == group.id, CourseGroupMember.user_id.in_(gone)
                )
            )
        db.add_all(
            CourseGroupMember(group_id=group.id, user_id=user_id)
            for user_id in members
            if user_id not in current
        )
    await db.flush()
    member_ids = sorted(
        await db.scalars(
            select(CourseGroupMember.user_id).where(CourseGroupMember.group_id == group.id)
        )
    )
    return GroupWithMembers(group, member_ids)


async def delete_group(db: AsyncSession, actor: User, group_id: int) -> None:
    group = await _group_for_teacher(db, actor, group_id)
    await db.execute(delete(CourseGroupMember).where(CourseGroupMember.group_id == group.id))
    await db.delete(group)
    await db.flush()


async def drop_member_everywhere(db: AsyncSession, course_id: int, user_id: int) -> None:
    """Someone leaving the course leaves its groups too."""
    group_ids = select(CourseGroup.id).where(CourseGroup.course_id == course_id)
    await db.execute(
        delete(CourseGroupMember).where(
            CourseGroupMember.group_id.in_(group_ids), CourseGroupMember.user_id == user_id
        )
    )
