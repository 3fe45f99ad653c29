"""The live-class tools this node runs, in the order their hooks are called.

Add a tool by importing its ``LiveTool`` subclass and listing it in ``TOOLS``.
"""

from __future__ import annotations

from server.live.breakouts import BreakoutsTool
from server.live.moderation import ModerationTool
from server.live.quizzes import QuizTool
from server.live.tool import LiveTool

TOOLS: tuple[type[LiveTool], ...] = (ModerationTool, QuizTool, BreakoutsTool)
