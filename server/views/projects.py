"""Project community REST: proposals, members, mentors and offers, posts (``docs/community.md``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from lms.models import MentorProfile, Project, User
from lms.services import projects
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas import community as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work
from server.views.helpdesk import people


async def project_out(
    db: AsyncSession, viewer: User, project: Project, members: int | None = None
) -> dict[str, Any]:
    if members is None:
        members = len(await projects.members_of(db, project.id))
    role = await projects.member_role(db, project.id, viewer.id)
    return dump(s.ProjectOut, project, members=members, my_role=role)


def mentor_out(profile: MentorProfile, user: User, load: int | None = None) -> dict:
    return dump(s.MentorOut, profile, user=user, load=load)


async def list_projects(request: web.Request) -> web.Response:
    query = read_query(request, s.ProjectQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        page = await projects.list_projects(
            db,
            identity.user,
            status=query.status,
            subject=query.subject,
            mine=query.mine,
            limit=query.limit,
            offset=query.offset,
        )
        roles = await projects.roles_in(db, identity.user.id, [p.id for p, _ in page.items])
        items = [
            dump(s.ProjectOut, project, members=count, my_role=roles.get(project.id))
            for project, count in page.items
        ]
    return json({"items": items, "total": page.total})


async def propose(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.ProjectCreate)
        project, created = await projects.propose(db, identity.user, **body.model_dump())
        result = await project_out(db, identity.user, project)
    return json(result, status=201 if created else 200)


async def get_project(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        project = await projects.get_project(db, project_id)
        result = await project_out(db, identity.user, project)
    return json(result)


async def change_status(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.ProjectStatusChange)
        project = await projects.set_status(db, identity.user, project_id, body.status)
        result = await project_out(db, identity.user, project)
    return json(result)


async def list_members(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await projects.members(db, identity.user, project_id)
        items = [dump(s.MemberOut, member, user=user) for member, user in found]
    return json({"items": items})


async def add_member(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.MemberAdd)
        member = await projects.add_member(db, identity.user, project_id, body.user_id)
        users = await people(db, [member.user_id])
        result = dump(s.MemberOut, member, user=users[member.user_id])
    return json(result, status=201)


async def leave(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await projects.leave(db, identity.user, project_id)
    return json({"ok": True})


async def list_mentors(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        await require_user(request, db)
        found = await projects.list_mentors(db)
        items = [mentor_out(profile, user) for profile, user in found]
    return json({"items": items})


async def save_mentor(request: web.Request) -> web.Response:
    user_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.MentorProfileSave)
        profile = await projects.save_mentor_profile(
            db, identity.user, user_id, **body.model_dump()
        )
        users = await people(db, [user_id])
        result = mentor_out(profile, users[user_id])
    return json(result)


async def suggest_mentors(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await projects.suggest_mentors(db, identity.user, project_id)
        items = [mentor_out(profile, user, load) for profile, user, load in found]
    return json({"items": items})


async def match(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.MatchCreate)
        project = await projects.match(db, identity.user, project_id, body.mentor_id)
        result = await project_out(db, identity.user, project)
    return json(result)


async def list_offers(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await projects.list_offers(db, identity.user, project_id)
        items = [dump(s.OfferOut, offer, mentor=mentor) for offer, mentor in found]
    return json({"items": items})


async def make_offer(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.OfferCreate)
        offer = await projects.offer(db, identity.user, project_id, message=body.message)
        result = dump(s.OfferOut, offer, mentor=identity.user)
    return json(result, status=201)


async def decide_offer(request: web.Request) -> web.Response:
    offer_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.OfferDecision)
        offer = await projects.decide_offer(db, identity.user, offer_id, accept=body.accept)
        users = await people(db, [offer.mentor_id])
        result = dump(s.OfferOut, offer, mentor=users[offer.mentor_id])
    return json(result)


async def list_posts(request: web.Request) -> web.Response:
    project_id = path_id(request)
    query = read_query(request, s.PostQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await projects.posts(
            db, identity.user, project_id, limit=query.limit, before_id=query.before_id
        )
        items = [dump(s.PostOut, post, author=author) for post, author in found]
    return json({"items": items})


async def create_post(request: web.Request) -> web.Response:
    project_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.PostCreate)
        post, created = await projects.post(
            db, identity.user, project_id, body=body.body, client_id=body.client_id
        )
        result = dump(s.PostOut, post, author=identity.user)
    return json(result, status=201 if created else 200)


T = "projects"
P = f"/api/projects/{ID}"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/projects", list_projects, "The project community board", T,
          s.ProjectList, query=s.ProjectQuery),
    Route("POST", "/api/projects", propose, "Propose a project (students; idempotent)", T,
          s.ProjectOut, s.ProjectCreate, status=201, errors=(403,)),
    Route("GET", P, get_project, "One project's card", T, s.ProjectOut, errors=(404,)),
    Route("POST", f"{P}/status", change_status, "Complete or withdraw (owner)", T,
          s.ProjectOut, s.ProjectStatusChange, errors=(403, 404, 409)),
    Route("GET", f"{P}/members", list_members, "Members (the project's space)", T,
          s.MemberList, errors=(403, 404)),
    Route("POST", f"{P}/members", add_member, "Add a classmate (owner)", T, s.MemberOut,
          s.MemberAdd, status=201, errors=(403, 404, 409)),
    Route("POST", f"{P}/leave", leave, "Leave a project (members and mentors)", T,
          OkResponse, errors=(404, 409)),
    Route("GET", f"{P}/mentor-suggestions", suggest_mentors,
          "Mentors of the project's subject with room, least loaded first", T, s.MentorList,
          errors=(403, 404)),
    Route("POST", f"{P}/mentor", match, "Match a mentor directly (staff)", T, s.ProjectOut,
          s.MatchCreate, errors=(403, 404, 409)),
    Route("GET", f"{P}/offers", list_offers, "Mentors' offers (the project's space)", T,
          s.OfferList, errors=(403, 404)),
    Route("POST", f"{P}/offers", make_offer, "Offer to guide a project (mentors)", T,
          s.OfferOut, s.OfferCreate, status=201, errors=(403, 404, 409)),
    Route("POST", f"/api/mentor-offers/{ID}/decision", decide_offer,
          "Accept or decline an offer (owner)", T, s.OfferOut, s.OfferDecision,
          errors=(403, 404, 409)),
    Route("GET", f"{P}/posts", list_posts, "Posts, newest first (the project's space)", T,
          s.PostList, query=s.PostQuery, errors=(403, 404)),
    Route("POST", f"{P}/posts", create_post, "Post in the project's space (idempotent)", T,
          s.PostOut, s.PostCreate, status=201, errors=(403, 404, 409)),
    Route("GET", "/api/mentors", list_mentors, "Registered mentors", T, s.MentorList),
    Route("PUT", f"/api/mentors/{ID}", save_mentor,
          "Make an account a mentor or update its profile (admin)", T, s.MentorOut,
          s.MentorProfileSave, errors=(403, 404)),
)
# fmt: on
