"""The question types and their grading, with no database and no clock.

One place decides what a well-formed question is (``check_question``), what a well-formed
answer to it is (``check_response``) and what that answer earns (``grade``). The live class's
quizzes use it today; an asynchronous quiz (timed attempts outside class) reuses it unchanged.

Rules, stated once:
- single choice and true/false: ``{"choice": i}``; correct when ``i`` is the key.
- multiple choice: ``{"choices": [i, ...]}`` (distinct, at least one); correct only when the
  set equals the key exactly (all or nothing, so guessing every box earns nothing).
- short answer: ``{"text": "..."}``; correct when its normalised form equals one accepted
  answer's (``normalise_short_answer``: Unicode NFKC, case folded, inner whitespace collapsed,
  surrounding spaces and final punctuation dropped).
- A question without a key is a poll question: it is never correct or wrong and earns nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lms.errors import InvalidInput
from lms.models.quizzes import QuestionKind

MAX_OPTIONS = 10
MIN_OPTIONS = 2
OPTION_MAX_CHARS = 200
PROMPT_MAX_CHARS = 2000
SHORT_ANSWER_MAX_CHARS = 200
MAX_ACCEPTED_ANSWERS = 10
MAX_POINTS = 100
# True/false questions have two fixed options: 0 is "true" (참), 1 is "false" (거짓).
TRUE_FALSE_OPTIONS = 2

CHOICE_KINDS = frozenset(
    {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.TRUE_FALSE}
)
_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = ".,!?。、~·"


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """What grading needs to know of a question, wherever it is stored."""

    kind: QuestionKind
    options: tuple[str, ...]
    correct: tuple[Any, ...]
    points: int = 0

    @property
    def option_count(self) -> int:
        if self.kind is QuestionKind.TRUE_FALSE:
            return TRUE_FALSE_OPTIONS
        return len(self.options)

    @property
    def has_key(self) -> bool:
        """Whether answers can be right or wrong (a poll question has no key)."""
        return bool(self.correct)

    @property
    def graded(self) -> bool:
        """Whether the question counts towards a grade: a key and some points."""
        return self.has_key and self.points > 0


@dataclass(frozen=True, slots=True)
class Grade:
    correct: bool | None  # None: the question has no key
    points: int


def normalise_short_answer(text: str) -> str:
    """The form two short answers are compared in, so "  Seoul. " matches "seoul"."""
    value = unicodedata.normalize("NFKC", text).casefold()
    value = _SPACES.sub(" ", value).strip()
    return value.rstrip(_END_PUNCTUATION).strip()


def _text(value: Any, field: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    value = value.strip()
    if not 1 <= len(value) <= max_chars:
        raise InvalidInput(f"{field} must be 1 to {max_chars} characters", field=field)
    return value


def _index(value: Any, count: int, field: str) -> int:
    # bool is an int in Python; true/false must still be sent as 0/1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise InvalidInput(f"{field} must be an option number from 0 to {count - 1}", field=field)
    return value


def check_question(
    kind: QuestionKind | str,
    prompt: str,
    options: Sequence[Any],
    correct: Sequence[Any],
    points: int,
) -> tuple[QuestionSpec, str]:
    """A question as stored (cleaned labels, sorted key) and its prompt, or ``InvalidInput``."""
    try:
        kind = QuestionKind(kind)
    except ValueError:
        allowed = [member.value for member in QuestionKind]
        raise InvalidInput(f"kind must be one of {allowed}", field="kind") from None
    prompt = _text(prompt, "prompt", PROMPT_MAX_CHARS)
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        raise InvalidInput(f"points must be 0 to {MAX_POINTS}", field="points")
    if not isinstance(options, Sequence) or isinstance(options, str):
        raise InvalidInput("options must be a list", field="options")
    if not isinstance(correct, Sequence) or isinstance(correct, str):
        raise InvalidInput("correct must be a list", field="correct")
    labels: tuple[str, ...] = ()
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(
                f"a choice question has {MIN_OPTIONS} to {MAX_OPTIONS} options", field="options"
            )
        labels = tuple(_text(label, "option", OPTION_MAX_CHARS) for label in options)
    elif options:
        raise InvalidInput(f"a {kind.value} question has no options", field="options")
    key: tuple[Any, ...]
    if kind is QuestionKind.SHORT_ANSWER:
        if len(correct) > MAX_ACCEPTED_ANSWERS:
            raise InvalidInput(f"at most {MAX_ACCEPTED_ANSWERS} accepted answers", field="correct")
        accepted = [_text(a, "accepted answer", SHORT_ANSWER_MAX_CHARS) for a in correct]
        key = tuple(dict.fromkeys(accepted))
    else:
        count = TRUE_FALSE_OPTIONS if kind is QuestionKind.TRUE_FALSE else len(labels)
        indices = sorted({_index(i, count, "correct") for i in correct})
        if len(indices) != len(correct):
            raise InvalidInput("correct lists an option twice", field="correct")
        if kind is not QuestionKind.MULTIPLE_CHOICE and len(indices) > 1:
            raise InvalidInput("this question has one correct option", field="correct")
        key = tuple(indices)
    if points and not key:
        raise InvalidInput("a question worth points needs a correct answer", field="points")
    return QuestionSpec(kind, labels, key, points), prompt


def check_response(question: QuestionSpec, response: Any) -> dict[str, Any]:
    """The answer in its stored shape, or ``InvalidInput`` when it does not fit the question."""
    if not isinstance(response, dict):
        raise InvalidInput("the answer must be an object", field="response")
    if question.kind is QuestionKind.SHORT_ANSWER:
        if set(response) != {"text"}:
            raise InvalidInput('a short answer is {"text": ...}', field="response")
        return {"text": _text(response["text"], "answer", SHORT_ANSWER_MAX_CHARS)}
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        if set(response) != {"choices"} or not isinstance(response["choices"], list):
            raise InvalidInput('a multiple-choice answer is {"choices": [...]}', field="response")
        choices = [_index(i, question.option_count, "choices") for i in response["choices"]]
        if not choices or len(set(choices)) != len(choices):
            raise InvalidInput("choose at least one option, each once", field="choices")
        return {"choices": sorted(choices)}
    if set(response) != {"choice"}:
        raise InvalidInput('this answer is {"choice": n}', field="response")
    return {"choice": _index(response["choice"], question.option_count, "choice")}


def grade(question: QuestionSpec, response: dict[str, Any]) -> Grade:
    """Whether a checked answer is right and what it earns; a keyless question is neither."""
    if not question.has_key:
        return Grade(None, 0)
    if question.kind is QuestionKind.SHORT_ANSWER:
        given = normalise_short_answer(response["text"])
        correct = any(given == normalise_short_answer(a) for a in question.correct)
    elif question.kind is QuestionKind.MULTIPLE_CHOICE:
        correct = sorted(response["choices"]) == list(question.correct)
    else:
        correct = response["choice"] == question.correct[0]
    return Grade(correct, question.points if correct else 0)


def tally(question: QuestionSpec, responses: Sequence[dict[str, Any]]) -> list[int]:
    """How many answers chose each option (a multiple-choice answer counts in each it chose)."""
    counts = [0] * question.option_count
    for response in responses:
        if "choice" in response:
            counts[response["choice"]] += 1
        for index in response.get("choices", ()):
            counts[index] += 1
    return counts
