"""Individual education plans over REST (``docs/education-plans.md``).

Every handler that returns plan content goes through ``education_plans.read_plan`` or
``export_plan``, which write the access log in the request's transaction: the response is sent
only after the log row is committed. A refused attempt is logged by the service in a
transaction of its own, committed before the 403/404 goes out.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from lms.models import User
from lms.services import education_plans as plans
from lms.services.education_plans import Accommodation, Goal, PlanContext, PlanView, Rights
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas import education_plans as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work

NOTE_ID = r"{note_id:\d+}"
USER_ID = r"{user_id:\d+}"


def person(user: User) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name}


def stay(context: PlanContext) -> dict[str, Any]:
    return {
        "admission_id": context.admission.id,
        "student": person(context.student),
        "class_name": context.class_name,
        "home_school_id": context.admission.home_school_id,
        "home_school_name": context.home_school_name,
    }


def rights_out(rights: Rights) -> dict[str, Any]:
    return {
        "read": rights.read,
        "write": rights.write,
        "health_read": rights.health_read,
        "health_write": rights.health_write,
        "admin": rights.admin,
    }


def summary(context: PlanContext, rights: Rights) -> dict[str, Any]:
    plan = context.plan
    assert plan is not None
    return dump(
        s.PlanSummary,
        plan,
        stay=stay(context),
        rights=rights_out(rights),
    )


def plan_out(view: PlanView) -> dict[str, Any]:
    plan = view.plan
    notes = None
    if view.health_notes is not None:
        notes = [
            {
                "id": note.id,
                "body": note.body,
                "author": person(view.authors[note.author_id]),
                "created_at": note.created_at,
            }
            for note in view.health_notes
        ]
    grants = None
    if view.grants is not None:
        grants = [{"user": person(user), "granted_at": g.granted_at} for g, user in view.grants]
    return dump(
        s.PlanOut,
        plan,
        stay=stay(view.context),
        rights=rights_out(view.rights),
        created_by=person(view.authors[plan.created_by]),
        updated_by=person(view.authors[plan.updated_by]),
        health_notes=notes,
        health_grants=grants,
    )


def goals(items: list[s.GoalIn] | None) -> list[Goal] | None:
    return None if items is None else [Goal(g.area, g.goal, g.measure) for g in items]


def accommodations(items: list[s.AccommodationIn] | None) -> list[Accommodation] | None:
    return None if items is None else [Accommodation(a.kind, a.detail) for a in items]


async def list_plans(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await plans.list_plans(db, identity.user, programme_id)
        items = [summary(context, rights) for context, rights in found]
    return json({"items": items})


async def list_candidates(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        items = [stay(c) for c in await plans.candidates(db, identity.user, programme_id)]
    return json({"items": items})


async def create_plan(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.PlanCreate)
        plan, created = await plans.create_plan(
            db,
            identity.user,
            programme_id,
            admission_id=body.admission_id,
            semester=body.semester,
            goals=goals(body.goals) or [],
            accommodations=accommodations(body.accommodations) or [],
            instructor_notes=body.instructor_notes,
            client_id=body.client_id,
        )
        result = plan_out(await plans.read_plan(db, identity.user, plan.id))
    return json(result, status=201 if created else 200)


async def get_plan(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        result = plan_out(await plans.read_plan(db, identity.user, plan_id))
    return json(result)


async def update_plan(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.PlanUpdate)
        await plans.update_plan(
            db,
            identity.user,
            plan_id,
            version=body.version,
            goals=goals(body.goals),
            accommodations=accommodations(body.accommodations),
            instructor_notes=body.instructor_notes,
        )
        result = plan_out(await plans.read_plan(db, identity.user, plan_id))
    return json(result)


async def add_health_note(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.HealthNoteCreate)
        await plans.add_health_note(db, identity.user, plan_id, body.body)
        result = plan_out(await plans.read_plan(db, identity.user, plan_id))
    return json(result, status=201)


async def retract_health_note(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    note_id = path_id(request, "note_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await plans.retract_health_note(db, identity.user, plan_id, note_id)
    return json({"ok": True})


async def grant(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.GrantCreate)
        await plans.grant_health_notes(db, identity.user, plan_id, body.user_id)
    return json({"ok": True}, status=201)


async def revoke(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    user_id = path_id(request, "user_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await plans.revoke_health_notes(db, identity.user, plan_id, user_id)
    return json({"ok": True})


async def export_plan(request: web.Request) -> web.Response:
    plan_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        view, data = await plans.export_plan(db, identity.user, plan_id)
        name = f"education-plan-{view.plan.id}-{view.plan.semester}.xlsx"
    return web.Response(
        body=data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def access_log(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    query = read_query(request, s.LogQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        page = await plans.access_log(
            db,
            identity.user,
            programme_id,
            plan_id=query.plan_id,
            student_id=query.student_id,
            limit=query.limit,
            offset=query.offset,
        )
        items = [
            dump(s.AccessEntry, entry, student=person(student), user=person(user))
            for entry, user, student in page.items
        ]
    return json({"items": items, "total": page.total})


T = "education plans"
P = f"/api/hospital/programmes/{ID}"
E = f"/api/education-plans/{ID}"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"{P}/education-plans", list_plans,
          "Plans the caller may read (no content; not logged)", T, s.PlanList,
          errors=(403, 404)),
    Route("GET", f"{P}/education-plans/candidates", list_candidates,
          "Stays the caller may write a plan for", T, s.StayList, errors=(403, 404)),
    Route("POST", f"{P}/education-plans", create_plan,
          "Write a student's plan for a semester (admin, the student's instructors)", T,
          s.PlanOut, s.PlanCreate, status=201, errors=(403, 404, 409)),
    Route("GET", f"{P}/education-plan-access", access_log,
          "Who read or changed which plan, or was refused, newest first (programme admins)", T,
          s.AccessLog,
          query=s.LogQuery, errors=(403, 404)),
    Route("GET", E, get_plan,
          "A plan as the caller may see it (health notes only if allowed); logged", T,
          s.PlanOut, errors=(404,)),
    Route("PUT", E, update_plan, "Edit a plan (send the version you read)", T, s.PlanOut,
          s.PlanUpdate, errors=(403, 404, 409)),
    Route("POST", f"{E}/health-notes", add_health_note,
          "Add a health note (admin, the student's instructors)", T, s.PlanOut,
          s.HealthNoteCreate, status=201, errors=(403, 404)),
    Route("DELETE", f"{E}/health-notes/{NOTE_ID}", retract_health_note,
          "Retract a health note (its author or an admin); kept for the record", T,
          OkResponse, errors=(403, 404)),
    Route("POST", f"{E}/health-grants", grant,
          "Let the student's home-school teacher read the health notes (admin)", T,
          OkResponse, s.GrantCreate, status=201, errors=(400, 403, 404)),
    Route("DELETE", f"{E}/health-grants/{USER_ID}", revoke, "Withdraw that permission", T,
          OkResponse, errors=(403, 404)),
    Route("GET", f"{E}/export.xlsx", export_plan,
          "The plan as XLSX, holding only what the caller may see; logged", T,
          errors=(404,)),
)
# fmt: on
