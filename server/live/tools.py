"""The live-class tools this node runs, in the order their hooks are called.

Add a tool by importing its ``LiveTool`` subclass and listing it in ``TOOLS``.
"""

from __future__ import annotations

from server.live.breakouts import BreakoutsTool
from server.live.moderation import ModerationTool
from server.live.presentation import PresentationTool
from server.live.quizzes import QuizTool
from server.live.shared_media import SharedMediaTool
from server.live.tool import LiveTool
from server.live.whiteboard import WhiteboardTool

TOOLS: tuple[type[LiveTool], ...] = (
    ModerationTool,
    QuizTool,
    BreakoutsTool,
    PresentationTool,
    WhiteboardTool,
    SharedMediaTool,
)
