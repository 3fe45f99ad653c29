"""Course groups REST (Moodle's groups): teachers manage, students see their own
(``docs/courseware.md``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from lms.services import course_groups
from lms.services.course_groups import GroupWithMembers
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas import courseware as s
from server.views.common import json, path_id, read_body, unit_of_work


def group_out(entry: GroupWithMembers) -> dict[str, Any]:
    return dump(s.GroupOut, entry.group, member_ids=entry.member_ids)


async def list_groups(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await course_groups.visible_groups(db, identity.user, course_id)
        items = [group_out(entry) for entry in found]
    return json({"items": items})


async def create_group(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.GroupCreate)
        entry = await course_groups.create_group(
            db,
            identity.user,
            course_id,
            name=body.name,
            description=body.description,
            user_ids=body.user_ids,
        )
        result = group_out(entry)
    return json(result, status=201)


async def update_group(request: web.Request) -> web.Response:
    group_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.GroupUpdate)
        entry = await course_groups.update_group(
            db,
            identity.user,
            group_id,
            name=body.name,
            description=body.description,
            user_ids=body.user_ids,
        )
        result = group_out(entry)
    return json(result)


async def delete_group(request: web.Request) -> web.Response:
    group_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await course_groups.delete_group(db, identity.user, group_id)
    return json({"ok": True})


T = "course groups"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/groups", list_groups,
          "The course's groups (a student: the groups they are in)", T, s.GroupList,
          errors=(404,)),
    Route("POST", f"/api/courses/{ID}/groups", create_group, "Create a group (teachers)", T,
          s.GroupOut, s.GroupCreate, status=201, errors=(404, 409)),
    Route("PATCH", f"/api/groups/{ID}", update_group,
          "Rename a group or replace its members", T, s.GroupOut, s.GroupUpdate,
          errors=(404, 409)),
    Route("DELETE", f"/api/groups/{ID}", delete_group, "Delete a group", T, OkResponse,
          errors=(404,)),
)
# fmt: on
