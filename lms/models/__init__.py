"""SQLAlchemy models, one module per concept; importing this package registers them all."""

from lms.models.attendance import (
    AttendanceCorrection,
    AttendanceInterval,
    AttendanceRecord,
    AttendanceStatus,
    LeaveReason,
)
from lms.models.auth_token import AuthToken
from lms.models.breakouts import (
    BreakoutCloseReason,
    BreakoutGroup,
    BreakoutMembership,
    BreakoutMessage,
    BreakoutMode,
    BreakoutRound,
    BreakoutStatus,
)
from lms.models.chat import ChatMessage
from lms.models.course import Course, CourseRole, Enrolment
from lms.models.helpdesk import FaqEntry, Ticket, TicketCategory, TicketMessage, TicketStatus
from lms.models.live_session import LiveSession, LiveSessionStatus
from lms.models.projects import (
    MentorOffer,
    MentorProfile,
    OfferStatus,
    Project,
    ProjectMember,
    ProjectPost,
    ProjectRole,
    ProjectStatus,
)
from lms.models.quizzes import (
    Question,
    QuestionKind,
    QuizAnonymousAnswer,
    QuizAnswer,
    QuizCloseReason,
    QuizGrade,
    QuizParticipation,
    QuizRun,
    QuizRunKind,
    QuizRunQuestion,
    QuizRunStatus,
)
from lms.models.room_event import RoomEvent, RoomEventKind
from lms.models.school import School, SchoolKind
from lms.models.user import Role, User

__all__ = [
    "AttendanceCorrection",
    "AttendanceInterval",
    "AttendanceRecord",
    "AttendanceStatus",
    "AuthToken",
    "BreakoutCloseReason",
    "BreakoutGroup",
    "BreakoutMembership",
    "BreakoutMessage",
    "BreakoutMode",
    "BreakoutRound",
    "BreakoutStatus",
    "ChatMessage",
    "Course",
    "CourseRole",
    "Enrolment",
    "FaqEntry",
    "LeaveReason",
    "LiveSession",
    "LiveSessionStatus",
    "MentorOffer",
    "MentorProfile",
    "OfferStatus",
    "Project",
    "ProjectMember",
    "ProjectPost",
    "ProjectRole",
    "ProjectStatus",
    "Question",
    "QuestionKind",
    "QuizAnonymousAnswer",
    "QuizAnswer",
    "QuizCloseReason",
    "QuizGrade",
    "QuizParticipation",
    "QuizRun",
    "QuizRunKind",
    "QuizRunQuestion",
    "QuizRunStatus",
    "Role",
    "RoomEvent",
    "RoomEventKind",
    "School",
    "SchoolKind",
    "Ticket",
    "TicketCategory",
    "TicketMessage",
    "TicketStatus",
    "User",
]
