"""The route table: every URL, its handler, and what it takes and returns.

The same table feeds the router and ``server.openapi``, so a route cannot exist undocumented.
The core routes are listed here; each feature module (quizzes, assignments, the hospital
classroom…) keeps its own ``ROUTES`` tuple next to its views, and ``ROUTES`` below joins them.
"""

from __future__ import annotations

from aiohttp import web

from server import openapi, schemas
from server.route import ID, Route
from server.views import (
    administration,
    assignments,
    attendance,
    attendance_book,
    auth,
    breakouts,
    chat,
    course_groups,
    course_quizzes,
    course_requests,
    courses,
    courseware,
    education_plans,
    enrolment,
    files,
    gradebook,
    health,
    helpdesk,
    hospital,
    loans,
    moderation,
    projects,
    quizzes,
    schools,
    sessions,
    shared_content,
    surveys,
    users,
)

__all__ = ["ID", "ROUTES", "Route", "setup_routes"]

# fmt: off
CORE_ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/auth/login", auth.login, "Log in; sets the session cookie", "auth",
          schemas.LoginResponse, schemas.LoginRequest, auth=False, errors=(401, 429)),
    Route("POST", "/api/auth/logout", auth.logout, "Revoke the token and clear the cookie",
          "auth", schemas.OkResponse),
    Route("GET", "/api/me", auth.me, "The caller and their CSRF token", "auth",
          schemas.MeResponse),
    Route("GET", "/api/schools", schools.list_schools, "Schools the caller may see", "schools",
          schemas.SchoolList),
    Route("POST", "/api/schools", schools.create_school, "Create a school (admin)", "schools",
          schemas.SchoolOut, schemas.SchoolCreate, status=201, errors=(409,)),
    Route("POST", "/api/users", users.create_user, "Create an account", "users",
          schemas.UserOut, schemas.UserCreate, status=201, errors=(404, 409)),
    Route("GET", "/api/courses", courses.list_courses, "The caller's courses, by title, paged",
          "courses", schemas.CourseList, query=schemas.CourseQuery),
    Route("POST", "/api/courses", courses.create_course, "Create a course", "courses",
          schemas.CourseOut, schemas.CourseCreate, status=201),
    Route("GET", f"/api/courses/{ID}", courses.get_course, "One course", "courses",
          schemas.CourseOut, errors=(404,)),
    Route("GET", f"/api/courses/{ID}/enrolments", courses.list_enrolments,
          "Who is in a course", "courses", schemas.EnrolmentList, errors=(404,)),
    Route("POST", f"/api/courses/{ID}/enrolments", courses.enrol, "Enrol a user", "courses",
          schemas.EnrolmentOut, schemas.EnrolmentCreate, status=201, errors=(404, 409)),
    Route("GET", f"/api/courses/{ID}/sessions", sessions.list_sessions,
          "Live sessions of a course", "sessions", schemas.SessionList, errors=(404,)),
    Route("POST", f"/api/courses/{ID}/sessions", sessions.schedule_session,
          "Schedule a live session", "sessions", schemas.LiveSessionOut, schemas.SessionCreate,
          status=201, errors=(404,)),
    Route("GET", f"/api/sessions/{ID}", sessions.get_session, "One live session", "sessions",
          schemas.LiveSessionOut, errors=(404,)),
    Route("POST", f"/api/sessions/{ID}/start", sessions.start_session, "Start the class",
          "sessions", schemas.LiveSessionOut, errors=(404, 409)),
    Route("POST", f"/api/sessions/{ID}/end", sessions.end_session,
          "End the class and compute attendance", "sessions", schemas.LiveSessionOut,
          errors=(404, 409)),
    Route("GET", f"/api/sessions/{ID}/attendance", attendance.list_attendance,
          "Attendance of a session (a student sees their own row)", "attendance",
          schemas.AttendanceList, errors=(404,)),
    Route("POST", f"/api/attendance/{ID}/corrections", attendance.correct,
          "Correct a status, with a reason kept in the audit trail", "attendance",
          schemas.AttendanceRecordOut, schemas.CorrectionCreate, status=201, errors=(404,)),
    Route("GET", f"/api/sessions/{ID}/chat", chat.chat_history,
          "Chat and room events of a session, by sequence", "sessions", schemas.ChatHistory,
          query=schemas.ChatQuery, errors=(404, 503)),
    Route("GET", "/api/openapi.json", openapi.serve, "This document", "meta", auth=False),
    Route("GET", "/healthz", health.healthz, "Node health (503 when degraded)", "meta",
          schemas.HealthResponse, auth=False, errors=(503,)),
)
# fmt: on

# Feature route tables: ``from server.views import quizzes`` then ``*quizzes.ROUTES``.
ROUTES: tuple[Route, ...] = (
    *CORE_ROUTES,
    *administration.ROUTES,
    *assignments.ROUTES,
    *attendance_book.ROUTES,
    *breakouts.ROUTES,
    *course_groups.ROUTES,
    *course_quizzes.ROUTES,
    *course_requests.ROUTES,
    *courseware.ROUTES,
    *education_plans.ROUTES,
    *enrolment.ROUTES,
    *files.ROUTES,
    *gradebook.ROUTES,
    *helpdesk.ROUTES,
    *hospital.ROUTES,
    *loans.ROUTES,
    *moderation.ROUTES,
    *projects.ROUTES,
    *quizzes.ROUTES,
    *shared_content.ROUTES,
    *surveys.ROUTES,
)


def setup_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
    app[openapi.DOCUMENT] = openapi.build_document(ROUTES)
