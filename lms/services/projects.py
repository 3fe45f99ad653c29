"""The project community: proposals, mentor offers and matching, the project space.

Who may do what:
- a student proposes a project (they become its owner) and, as owner, accepts or declines
  mentor offers, adds classmates as members, marks it completed or withdraws it;
- a mentor (an account with a ``MentorProfile``, kept by platform admins) offers to guide
  a proposed project; admins may also match a mentor directly, picking from
  ``suggest_mentors`` (same subject, fewest projects first, within each mentor's limit);
- every logged-in user sees the list of projects (a community notice board); posts and the
  member list are for members, mentors and the staff overseeing the owner's school.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    MentorOffer,
    MentorProfile,
    OfferStatus,
    Project,
    ProjectMember,
    ProjectPost,
    ProjectRole,
    ProjectStatus,
    Role,
    User,
)
from lms.services import clean_text, moment

PAGE_MAX = 100
SUBJECTS_MAX = 10
OPEN_STATUSES = (ProjectStatus.PROPOSED, ProjectStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class ProjectPage:
    items: list[tuple[Project, int]]  # each project with its member count
    total: int


def _client_id(value: str) -> str:
    return clean_text(value, "client_id", max_chars=64)


def _subject_key(subject: str) -> str:
    return subject.strip().casefold()


def oversees(user: User, project: Project) -> bool:
    """Platform admins, and the school admin of the owner's school, oversee a project."""
    if not user.is_active:
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.SCHOOL_ADMIN and user.school_id == project.school_id


async def member_role(db: AsyncSession, project_id: int, user_id: int) -> ProjectRole | None:
    return await db.scalar(
        select(ProjectMember.role).where(
            ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
        )
    )


async def get_project(db: AsyncSession, project_id: int) -> Project:
    project = await db.get(Project, project_id)
    if project is None:
        raise NotFound("no such project", project_id=project_id)
    return project


async def require_space_access(db: AsyncSession, user: User, project: Project) -> None:
    """Members and overseers enter a project's space; everyone else sees its card only."""
    if oversees(user, project):
        return
    if user.is_active and await member_role(db, project.id, user.id) is not None:
        return
    raise Forbidden("only the project's members see its space", project_id=project.id)


async def _require_owner(db: AsyncSession, user: User, project: Project) -> None:
    if oversees(user, project):
        return
    if await member_role(db, project.id, user.id) is not ProjectRole.OWNER:
        raise Forbidden("only the project's owner may do this", project_id=project.id)


# -- proposals --------------------------------------------------------------------------------


async def propose(
    db: AsyncSession,
    student: User,
    *,
    title: str,
    summary: str,
    subject: str,
    client_id: str,
    now: datetime | None = None,
) -> tuple[Project, bool]:
    """A student proposes a project and owns it; a retried ``client_id`` returns it again."""
    if not student.is_active or student.role is not Role.STUDENT:
        raise Forbidden("projects are proposed by students")
    client_id = _client_id(client_id)
    existing = await db.scalar(
        select(Project).where(Project.proposer_id == student.id, Project.client_id == client_id)
    )
    if existing is not None:
        return existing, False
    at = moment(now)
    project = Project(
        title=clean_text(title, "title", max_chars=200),
        summary=clean_text(summary, "summary", max_chars=5000),
        subject=clean_text(subject, "subject", max_chars=100),
        school_id=student.school_id,
        proposer_id=student.id,
        status=ProjectStatus.PROPOSED,
        client_id=client_id,
        created_at=at,
        updated_at=at,
    )
    db.add(project)
    await db.flush()
    db.add(ProjectMember(project_id=project.id, user_id=student.id, role=ProjectRole.OWNER))
    await db.flush()
    return project, True


async def list_projects(
    db: AsyncSession,
    viewer: User,
    *,
    status: ProjectStatus | None = None,
    subject: str | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> ProjectPage:
    """The community board, newest first, each project with its member count."""
    if not 1 <= limit <= PAGE_MAX or offset < 0:
        raise InvalidInput(f"limit must be 1 to {PAGE_MAX} and offset at least 0")
    members = (
        select(ProjectMember.project_id, func.count().label("members"))
        .group_by(ProjectMember.project_id)
        .subquery()
    )
    query = select(Project, members.c.members).join(members, members.c.project_id == Project.id)
    if mine:
        mine_ids = select(ProjectMember.project_id).where(ProjectMember.user_id == viewer.id)
        query = query.where(Project.id.in_(mine_ids))
    if status is not None:
        query = query.where(Project.status == status)
    if subject:
        query = query.where(func.lower(Project.subject) == _subject_key(subject))
    total = await db.scalar(select(func.count()).select_from(query.subquery()))
    rows = await db.execute(
        query.order_by(Project.created_at.desc(), Project.id.desc()).limit(limit).offset(offset)
    )
    return ProjectPage([(project, int(count)) for project, count in rows.tuples()], int(total or 0))


async def set_status(
    db: AsyncSession,
    actor: User,
    project_id: int,
    status: ProjectStatus,
    *,
    now: datetime | None = None,
) -> Project:
    """The owner completes or withdraws a project; ``active`` comes from a mentor match."""
    project = await get_project(db, project_id)
    await _require_owner(db, actor, project)
    if status not in (ProjectStatus.COMPLETED, ProjectStatus.WITHDRAWN):
        raise InvalidInput("a project can be marked completed or withdrawn", field="status")
    if project.status not in OPEN_STATUSES:
        raise Conflict("this project is already finished", project_id=project.id)
    project.status = status
    project.updated_at = moment(now)
    await db.flush()
    return project


# -- members ----------------------------------------------------------------------------------


async def members(
    db: AsyncSession, viewer: User, project_id: int
) -> list[tuple[ProjectMember, User]]:
    project = await get_project(db, project_id)
    await require_space_access(db, viewer, project)
    rows = await db.execute(
        select(ProjectMember, User)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project_id)
        .order_by(ProjectMember.joined_at, ProjectMember.id)
    )
    return list(rows.tuples())


async def add_member(db: AsyncSession, actor: User, project_id: int, user_id: int) -> ProjectMember:
    """The owner brings in another student of their school."""
    project = await get_project(db, project_id)
    await _require_owner(db, actor, project)
    if project.status not in OPEN_STATUSES:
        raise Conflict("this project is finished", project_id=project.id)
    user = await db.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("no such user", user_id=user_id)
    if user.role is not Role.STUDENT or user.school_id != project.school_id:
        raise InvalidInput("members are students of the project's school", field="user_id")
    if await member_role(db, project.id, user.id) is not None:
        raise Conflict("already a member", user_id=user_id)
    member = ProjectMember(project_id=project.id, user_id=user.id, role=ProjectRole.MEMBER)
    db.add(member)
    await db.flush()
    return member


async def leave(db: AsyncSession, actor: User, project_id: int) -> None:
    """A member or mentor leaves; the owner cannot (they withdraw the project instead)."""
    project = await get_project(db, project_id)
    membership = await db.scalar(
        select(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == actor.id
        )
    )
    if membership is None:
        raise NotFound("you are not a member of this project", project_id=project.id)
    if membership.role is ProjectRole.OWNER:
        raise Conflict("the owner withdraws the project instead of leaving it")
    await db.delete(membership)
    await db.flush()


# -- mentors ------------------------------------------------------------------------------------


async def mentor_profile(db: AsyncSession, user_id: int) -> MentorProfile | None:
    return await db.scalar(select(MentorProfile).where(MentorProfile.user_id == user_id))


async def save_mentor_profile(
    db: AsyncSession,
    admin: User,
    user_id: int,
    *,
    subjects: list[str],
    bio: str = "",
    accepting: bool = True,
    max_projects: int = 3,
) -> MentorProfile:
    """Admins make an account a mentor (or update it); experts need an account first."""
    if not (admin.is_active and admin.role is Role.ADMIN):
        raise Forbidden("only platform admins register mentors")
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("no such user", user_id=user_id)
    if user.role is Role.STUDENT:
        raise InvalidInput("students cannot be mentors", field="user_id")
    cleaned = [clean_text(subject, "subject", max_chars=100) for subject in subjects]
    if not 1 <= len(cleaned) <= SUBJECTS_MAX:
        raise InvalidInput(f"give 1 to {SUBJECTS_MAX} subjects", field="subjects")
    if not 1 <= max_projects <= 50:
        raise InvalidInput("max_projects must be 1 to 50", field="max_projects")
    profile = await mentor_profile(db, user_id)
    if profile is None:
        profile = MentorProfile(user_id=user_id)
        db.add(profile)
    profile.subjects = list(dict.fromkeys(cleaned))
    profile.bio = clean_text(bio, "bio", max_chars=2000, min_chars=0)
    profile.accepting = accepting
    profile.max_projects = max_projects
    await db.flush()
    return profile


async def _mentor_load(db: AsyncSession, user_id: int) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(ProjectMember)
            .join(Project, Project.id == ProjectMember.project_id)
            .where(
                ProjectMember.user_id == user_id,
                ProjectMember.role == ProjectRole.MENTOR,
                Project.status == ProjectStatus.ACTIVE,
            )
        )
        or 0
    )


async def suggest_mentors(
    db: AsyncSession, viewer: User, project_id: int
) -> list[tuple[MentorProfile, User, int]]:
    """Mentors of the project's subject with room for it, least loaded first."""
    project = await get_project(db, project_id)
    await require_space_access(db, viewer, project)
    wanted = _subject_key(project.subject)
    rows = await db.execute(
        select(MentorProfile, User)
        .join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.accepting.is_(True), User.is_active.is_(True))
    )
    found = []
    for profile, user in rows.tuples():
        if wanted not in {_subject_key(subject) for subject in profile.subjects}:
            continue
        load = await _mentor_load(db, user.id)
        if load < profile.max_projects:
            found.append((profile, user, load))
    return sorted(found, key=lambda item: (item[2], item[1].id))


async def _join_as_mentor(db: AsyncSession, project: Project, mentor: User, at: datetime) -> None:
    profile = await mentor_profile(db, mentor.id)
    if profile is None or not mentor.is_active:
        raise InvalidInput("this account is not a mentor", field="mentor_id")
    if await _mentor_load(db, mentor.id) >= profile.max_projects:
        raise Conflict("this mentor already guides as many projects as they can")
    existing = await member_role(db, project.id, mentor.id)
    if existing is None:
        db.add(ProjectMember(project_id=project.id, user_id=mentor.id, role=ProjectRole.MENTOR))
    project.status = ProjectStatus.ACTIVE
    project.updated_at = at


async def offer(
    db: AsyncSession,
    mentor: User,
    project_id: int,
    *,
    message: str = "",
    now: datetime | None = None,
) -> MentorOffer:
    """A mentor offers to guide a proposed project (once per project)."""
    project = await get_project(db, project_id)
    if await mentor_profile(db, mentor.id) is None or not mentor.is_active:
        raise Forbidden("only mentors offer to guide projects")
    if project.status not in OPEN_STATUSES:
        raise Conflict("this project is finished", project_id=project.id)
    if await member_role(db, project.id, mentor.id) is not None:
        raise Conflict("you are already in this project", project_id=project.id)
    existing = await db.scalar(
        select(MentorOffer).where(
            MentorOffer.project_id == project.id, MentorOffer.mentor_id == mentor.id
        )
    )
    if existing is not None and existing.status is OfferStatus.PENDING:
        return existing
    if existing is not None:
        raise Conflict("you already offered to guide this project", project_id=project.id)
    made = MentorOffer(
        project_id=project.id,
        mentor_id=mentor.id,
        message=clean_text(message, "message", max_chars=2000, min_chars=0),
        created_at=moment(now),
    )
    db.add(made)
    await db.flush()
    return made


async def list_offers(
    db: AsyncSession, viewer: User, project_id: int
) -> list[tuple[MentorOffer, User]]:
    project = await get_project(db, project_id)
    await require_space_access(db, viewer, project)
    rows = await db.execute(
        select(MentorOffer, User)
        .join(User, User.id == MentorOffer.mentor_id)
        .where(MentorOffer.project_id == project.id)
        .order_by(MentorOffer.created_at, MentorOffer.id)
    )
    return list(rows.tuples())


async def decide_offer(
    db: AsyncSession, actor: User, offer_id: int, *, accept: bool, now: datetime | None = None
) -> MentorOffer:
    """The owner accepts (the mentor joins, the project becomes active) or declines."""
    made = await db.get(MentorOffer, offer_id)
    if made is None:
        raise NotFound("no such offer", offer_id=offer_id)
    project = await get_project(db, made.project_id)
    await _require_owner(db, actor, project)
    if made.status is not OfferStatus.PENDING:
        raise Conflict(f"this offer is already {made.status.value}", offer_id=offer_id)
    at = moment(now)
    if accept:
        if project.status not in OPEN_STATUSES:
            raise Conflict("this project is finished", project_id=project.id)
        mentor = await db.get(User, made.mentor_id)
        assert mentor is not None
        await _join_as_mentor(db, project, mentor, at)
    made.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
    made.decided_at = at
    await db.flush()
    return made


async def match(
    db: AsyncSession, admin: User, project_id: int, mentor_id: int, *, now: datetime | None = None
) -> Project:
    """Staff match a mentor to a project directly (e.g. one from ``suggest_mentors``)."""
    project = await get_project(db, project_id)
    if not oversees(admin, project):
        raise Forbidden("only staff overseeing the project match mentors")
    if project.status not in OPEN_STATUSES:
        raise Conflict("this project is finished", project_id=project.id)
    mentor = await db.get(User, mentor_id)
    if mentor is None:
        raise NotFound("no such user", user_id=mentor_id)
    await _join_as_mentor(db, project, mentor, moment(now))
    await db.flush()
    return project


# -- posts --------------------------------------------------------------------------------------


async def post(
    db: AsyncSession,
    author: User,
    project_id: int,
    *,
    body: str,
    client_id: str,
    now: datetime | None = None,
) -> tuple[ProjectPost, bool]:
    """Members and mentors post in the space; idempotent on the client's id."""
    client_id = _client_id(client_id)
    project = await get_project(db, project_id)
    if await member_role(db, project.id, author.id) is None or not author.is_active:
        raise Forbidden("only the project's members post in its space", project_id=project.id)
    existing = await db.scalar(
        select(ProjectPost).where(
            ProjectPost.project_id == project.id,
            ProjectPost.author_id == author.id,
            ProjectPost.client_id == client_id,
        )
    )
    if existing is not None:
        return existing, False
    if project.status is ProjectStatus.WITHDRAWN:
        raise Conflict("this project was withdrawn", project_id=project.id)
    created = ProjectPost(
        project_id=project.id,
        author_id=author.id,
        body=clean_text(body, "body", max_chars=5000),
        client_id=client_id,
        created_at=moment(now),
    )
    db.add(created)
    await db.flush()
    return created, True


async def posts(
    db: AsyncSession,
    viewer: User,
    project_id: int,
    *,
    limit: int = 50,
    before_id: int | None = None,
) -> list[tuple[ProjectPost, User]]:
    """Newest first, by keyset (``before_id``) so a long-running project pages cheaply."""
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"limit must be 1 to {PAGE_MAX}")
    project = await get_project(db, project_id)
    await require_space_access(db, viewer, project)
    query = (
        select(ProjectPost, User)
        .join(User, User.id == ProjectPost.author_id)
        .where(ProjectPost.project_id == project.id)
    )
    if before_id is not None:
        query = query.where(ProjectPost.id < before_id)
    rows = await db.execute(query.order_by(ProjectPost.id.desc()).limit(limit))
    return list(rows.tuples())


async def members_of(db: AsyncSession, project_id: int) -> list[ProjectMember]:
    """Membership rows without a permission check: for counts on a project's public card."""
    return list(
        await db.scalars(select(ProjectMember).where(ProjectMember.project_id == project_id))
    )


async def roles_in(
    db: AsyncSession, user_id: int, project_ids: list[int]
) -> dict[int, ProjectRole]:
    """The user's role in each of a page of projects, in one query."""
    if not project_ids:
        return {}
    rows = await db.execute(
        select(ProjectMember.project_id, ProjectMember.role).where(
            ProjectMember.user_id == user_id, ProjectMember.project_id.in_(project_ids)
        )
    )
    return dict(rows.tuples().all())


async def list_mentors(db: AsyncSession) -> list[tuple[MentorProfile, User]]:
    """Every active mentor, for the community's mentor directory."""
    rows = await db.execute(
        select(MentorProfile, User)
        .join(User, User.id == MentorProfile.user_id)
        .where(User.is_active.is_(True))
        .order_by(User.display_name, User.id)
    )
    return list(rows.tuples())
