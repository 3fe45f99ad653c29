"""Satisfaction surveys over REST (``docs/surveys.md``): build, send, answer, read results.

Guardians have no accounts: the two ``/api/survey-links/{token}`` routes take the link's token
in place of a login and are the only routes here without ``require_user``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from lms.errors import Conflict, InvalidInput
from lms.models import User
from lms.services import owners, survey_export, surveys
from lms.services.owners import Owner
from lms.services.surveys import QuestionSpec, SurveyResults, SurveyView
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas import surveys as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work

LINK_ID = r"{link_id:\d+}"
TOKEN = r"{token:[A-Za-z0-9_-]+}"  # the service checks the length


def owner_out(owner: Owner, name: str) -> dict[str, Any]:
    return {"kind": owner.kind.value, "id": owner.id, "name": name}


def summary(view: SurveyView) -> dict[str, Any]:
    survey = view.survey
    owner = Owner(survey.owner_kind, survey.owner_id)
    return dump(
        s.SurveySummary,
        survey,
        owner=owner_out(owner, view.owner_name),
        audiences=survey.audiences,
        accepting=view.accepting,
        manager=view.manager,
        responded=view.responded,
    )


def detail(view: SurveyView) -> dict[str, Any]:
    survey = view.survey
    owner = Owner(survey.owner_kind, survey.owner_id)
    return dump(
        s.SurveyDetail,
        survey,
        owner=owner_out(owner, view.owner_name),
        audiences=survey.audiences,
        accepting=view.accepting,
        manager=view.manager,
        responded=view.responded,
        questions=[dump(s.QuestionOut, q) for q in view.questions],
    )


def specs(questions: list[s.QuestionIn]) -> list[QuestionSpec]:
    return [QuestionSpec(q.kind, q.prompt, q.required, q.options) for q in questions]


def answers_of(body: s.ResponseCreate) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for answer in body.answers:
        if answer.question_id in found:
            raise InvalidInput("one answer per question", question_id=answer.question_id)
        found[answer.question_id] = answer.value
    return found


async def managed_owners(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        managed = await owners.managed_owners(db, identity.user)
        names = await owners.owner_names(db, managed)
        items = [owner_out(owner, names[owner]) for owner in managed if owner in names]
    return json({"items": items})


async def list_surveys(request: web.Request) -> web.Response:
    query = read_query(request, s.OwnerQuery)
    owner = None
    if query.owner_kind is not None and query.owner_id is not None:
        owner = Owner(query.owner_kind, query.owner_id)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        views = await surveys.list_surveys(db, identity.user, owner=owner)
        items = [summary(view) for view in views]
    return json({"items": items})


async def create_survey(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SurveyCreate)
        survey = await surveys.create_survey(
            db,
            identity.user,
            owner_kind=body.owner_kind,
            owner_id=body.owner_id,
            title=body.title,
            description=body.description,
            semester=body.semester,
            audiences=body.audiences,
            anonymous=body.anonymous,
            opens_at=body.opens_at,
            closes_at=body.closes_at,
            questions=specs(body.questions),
        )
        result = detail(await surveys.get_survey(db, identity.user, survey.id))
    return json(result, status=201)


async def get_survey(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        result = detail(await surveys.get_survey(db, identity.user, survey_id))
    return json(result)


async def update_survey(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SurveyUpdate)
        fields = body.model_dump(exclude_unset=True, exclude={"questions", "audiences"})
        # null clears a time window bound; for any other field it means "unchanged".
        fields = {
            name: value
            for name, value in fields.items()
            if value is not None or name in ("opens_at", "closes_at")
        }
        await surveys.update_survey(
            db,
            identity.user,
            survey_id,
            questions=specs(body.questions) if body.questions is not None else None,
            audiences=body.audiences,
            **fields,
        )
        result = detail(await surveys.get_survey(db, identity.user, survey_id))
    return json(result)


async def delete_survey(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await surveys.delete_survey(db, identity.user, survey_id)
    return json({"ok": True})


async def open_survey(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await surveys.open_survey(db, identity.user, survey_id)
        result = detail(await surveys.get_survey(db, identity.user, survey_id))
    return json(result)


async def close_survey(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await surveys.close_survey(db, identity.user, survey_id)
        result = detail(await surveys.get_survey(db, identity.user, survey_id))
    return json(result)


async def copy_survey(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SurveyCopy)
        copy = await surveys.copy_survey(
            db, identity.user, survey_id, semester=body.semester, title=body.title
        )
        result = detail(await surveys.get_survey(db, identity.user, copy.id))
    return json(result, status=201)


async def respond(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.ResponseCreate)
        created = await surveys.submit(
            db, identity.user, survey_id, answers_of(body), client_id=body.client_id
        )
    return json({"ok": True, "created": created}, status=201 if created else 200)


def results_out(found: SurveyResults, view: SurveyView) -> dict[str, Any]:
    groups = []
    for group in found.groups:
        questions = []
        for result in group.questions:
            q = result.question
            if q.kind.value == "likert":
                labels = [f"{i + 1}. {label}" for i, label in enumerate(q.options)]
            else:
                labels = list(q.options) if q.kind.value != "text" else []
            questions.append(
                {
                    "question_id": q.id,
                    "kind": q.kind,
                    "prompt": q.prompt,
                    "answered": result.answered,
                    "options": [
                        {"label": label, "count": count}
                        for label, count in zip(labels, result.counts, strict=True)
                    ],
                    "mean": result.mean,
                    "texts": result.texts,
                }
            )
        groups.append(
            {
                "audience": group.audience,
                "responses": group.responses,
                "suppressed": group.suppressed,
                "questions": questions,
            }
        )
    return dump(
        s.SurveyResultsOut,
        {
            "survey": summary(view),
            "available": found.available,
            "unavailable_reason": found.unavailable_reason,
            "min_group_size": found.min_group_size,
            "participation": [
                {"audience": audience, "responded": responded, "invited": invited}
                for audience, (responded, invited) in found.participation.items()
            ],
            "groups": groups,
        },
    )


async def _results(request: web.Request) -> tuple[SurveyResults, SurveyView]:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await surveys.results(db, identity.user, survey_id)
        view = await surveys.get_survey(db, identity.user, survey_id)
    return found, view


async def results(request: web.Request) -> web.Response:
    found, view = await _results(request)
    return json(results_out(found, view))


def _file(found: SurveyResults, data: bytes, extension: str, content_type: str) -> web.Response:
    if not found.available:
        raise Conflict("an anonymous survey's results are ready once it has closed")
    name = f"survey-{found.survey.id}-results.{extension}"
    return web.Response(
        body=data,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def results_csv(request: web.Request) -> web.Response:
    found, _ = await _results(request)
    return _file(found, survey_export.to_csv(found), "csv", "text/csv")


async def results_xlsx(request: web.Request) -> web.Response:
    found, _ = await _results(request)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file(found, survey_export.to_xlsx(found), "xlsx", xlsx)


async def named_responses(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await surveys.named_responses(db, identity.user, survey_id)
        ids = {r.respondent_id for r in found if r.respondent_id is not None}
        names = {
            user.id: user.display_name
            for user in await db.scalars(select(User).where(User.id.in_(ids)))
        }
        items = [
            dump(
                s.NamedResponseOut,
                {
                    "audience": r.audience,
                    "respondent": {
                        "id": r.respondent_id,
                        "display_name": names.get(r.respondent_id, "")
                        if r.respondent_id is not None
                        else (r.respondent_label or ""),
                    },
                    "submitted_at": r.submitted_at,
                    "answers": {str(k): v for k, v in r.answers.items()},
                },
            )
            for r in found
        ]
    return json({"items": items})


async def create_links(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.LinkCreate)
        made = await surveys.create_links(
            db, identity.user, survey_id, body.labels, for_students=body.for_students
        )
        items = [
            dump(s.NewLinkOut, link, token=token, path=f"#/survey-link/{token}")
            for link, token in made
        ]
    return json({"items": items}, status=201)


async def list_links(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        items = [
            dump(s.LinkOut, link) for link in await surveys.list_links(db, identity.user, survey_id)
        ]
    return json({"items": items})


async def revoke_link(request: web.Request) -> web.Response:
    survey_id = path_id(request)
    link_id = path_id(request, "link_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await surveys.revoke_link(db, identity.user, survey_id, link_id)
    return json({"ok": True})


async def guardian_survey(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    async with unit_of_work(request) as db:
        view, used = await surveys.survey_for_link(db, token)
        result = {"survey": detail(view), "used": used}
    return json(result)


async def guardian_respond(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    async with unit_of_work(request) as db:
        body = await read_body(request, s.ResponseCreate)
        created = await surveys.submit_by_link(
            db, token, answers_of(body), client_id=body.client_id
        )
    return json({"ok": True, "created": created}, status=201 if created else 200)


T = "surveys"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/owners/managed", managed_owners,
          "Schools and programmes the caller manages (surveys, loans)", T, s.OwnerList),
    Route("GET", "/api/surveys", list_surveys,
          "Managers: their owners' surveys; others: open surveys for their group", T,
          s.SurveyList, query=s.OwnerQuery),
    Route("POST", "/api/surveys", create_survey, "Build a draft survey (manager)", T,
          s.SurveyDetail, s.SurveyCreate, status=201, errors=(403, 404)),
    Route("GET", f"/api/surveys/{ID}", get_survey,
          "A survey and its questions (managers; respondents while open)", T, s.SurveyDetail,
          errors=(403, 404)),
    Route("PATCH", f"/api/surveys/{ID}", update_survey,
          "Edit a draft (an open survey: only closes_at)", T, s.SurveyDetail, s.SurveyUpdate,
          errors=(403, 404, 409)),
    Route("DELETE", f"/api/surveys/{ID}", delete_survey, "Delete a draft", T, OkResponse,
          errors=(403, 404, 409)),
    Route("POST", f"/api/surveys/{ID}/open", open_survey, "Send the survey to its audiences",
          T, s.SurveyDetail, errors=(403, 404, 409)),
    Route("POST", f"/api/surveys/{ID}/close", close_survey, "Stop taking answers", T,
          s.SurveyDetail, errors=(403, 404, 409)),
    Route("POST", f"/api/surveys/{ID}/copy", copy_survey,
          "A new draft with the same questions, for another semester", T, s.SurveyDetail,
          s.SurveyCopy, status=201, errors=(403, 404)),
    Route("POST", f"/api/surveys/{ID}/responses", respond,
          "Answer (student, instructor); once per person, idempotent on client_id", T,
          s.ResponseAck, s.ResponseCreate, status=201, errors=(403, 404, 409)),
    Route("GET", f"/api/surveys/{ID}/responses", named_responses,
          "Each response with its respondent (surveys that are not anonymous)", T,
          s.NamedResponseList, errors=(403, 404)),
    Route("GET", f"/api/surveys/{ID}/results", results,
          "Aggregated results by group; small groups of anonymous surveys hidden", T,
          s.SurveyResultsOut, errors=(403, 404)),
    Route("GET", f"/api/surveys/{ID}/results.csv", results_csv, "Results as CSV", T,
          errors=(403, 404, 409)),
    Route("GET", f"/api/surveys/{ID}/results.xlsx", results_xlsx, "Results as XLSX", T,
          errors=(403, 404, 409)),
    Route("POST", f"/api/surveys/{ID}/guardian-links", create_links,
          "Make single-use guardian links; the tokens are shown only in this answer", T,
          s.NewLinkList, s.LinkCreate, status=201, errors=(403, 404, 409)),
    Route("GET", f"/api/surveys/{ID}/guardian-links", list_links,
          "Guardian links and whether each was used", T, s.LinkList, errors=(403, 404)),
    Route("DELETE", f"/api/surveys/{ID}/guardian-links/{LINK_ID}", revoke_link,
          "Revoke a guardian link", T, OkResponse, errors=(403, 404)),
    Route("GET", f"/api/survey-links/{TOKEN}", guardian_survey,
          "A guardian's survey behind their link (no login)", T, s.GuardianSurvey,
          auth=False, errors=(404,)),
    Route("POST", f"/api/survey-links/{TOKEN}/responses", guardian_respond,
          "A guardian answers through their single-use link (no login)", T, s.ResponseAck,
          s.ResponseCreate, status=201, auth=False, errors=(404, 409)),
)
# fmt: on
