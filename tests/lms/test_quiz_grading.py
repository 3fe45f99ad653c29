"""The pure grading rules: question checks, answer shapes, grades, short-answer normalisation."""

from __future__ import annotations

import pytest

from lms.errors import InvalidInput
from lms.models import QuestionKind
from lms.quiz_grading import (
    QuestionSpec,
    check_question,
    check_response,
    grade,
    normalise_short_answer,
    tally,
)

K = QuestionKind


def question(kind: QuestionKind, options=(), correct=(), points=1) -> QuestionSpec:
    checked, _ = check_question(kind, "문제", list(options), list(correct), points)
    return checked


def test_single_choice_is_right_only_on_the_key() -> None:
    q = question(K.SINGLE_CHOICE, ["광합성", "호흡", "발아"], [0], points=2)
    assert grade(q, check_response(q, {"choice": 0})) == (grade(q, {"choice": 0}))
    assert grade(q, {"choice": 0}).correct is True and grade(q, {"choice": 0}).points == 2
    assert grade(q, {"choice": 2}).correct is False and grade(q, {"choice": 2}).points == 0


def test_multiple_choice_is_all_or_nothing() -> None:
    q = question(K.MULTIPLE_CHOICE, ["물", "온도", "흙", "빛"], [1, 0], points=3)
    assert q.correct == (0, 1)
    assert grade(q, check_response(q, {"choices": [1, 0]})).points == 3
    assert grade(q, check_response(q, {"choices": [0]})).correct is False
    assert grade(q, check_response(q, {"choices": [0, 1, 2, 3]})).points == 0


def test_true_false_has_two_fixed_options() -> None:
    q = question(K.TRUE_FALSE, [], [1])
    assert q.option_count == 2
    assert grade(q, check_response(q, {"choice": 1})).correct is True
    with pytest.raises(InvalidInput):
        check_response(q, {"choice": 2})
    with pytest.raises(InvalidInput):
        check_response(q, {"choice": True})  # a bool is not an option number
    with pytest.raises(InvalidInput):
        check_question(K.TRUE_FALSE, "문제", ["참", "거짓"], [0], 1)


@pytest.mark.parametrize(
    ("given", "right"),
    [
        ("증산 작용", True),
        ("  증산   작용. ", True),
        ("ＳＥＯＵＬ", False),
        ("증산작용", True),
        ("광합성", False),
    ],
)
def test_short_answers_compare_normalised(given: str, right: bool) -> None:
    q = question(K.SHORT_ANSWER, [], ["증산 작용", "증산작용"])
    assert grade(q, check_response(q, {"text": given})).correct is right


def test_normalisation_folds_width_case_spaces_and_final_punctuation() -> None:
    assert normalise_short_answer("  ＳＥＯＵＬ  City!! ") == "seoul city"
    assert normalise_short_answer("서울。") == "서울"


def test_a_question_without_key_is_a_poll_and_never_graded() -> None:
    q = question(K.SINGLE_CHOICE, ["예", "아니요"], [], points=0)
    assert not q.has_key and not q.graded
    assert grade(q, {"choice": 1}).correct is None


@pytest.mark.parametrize(
    ("kind", "options", "correct", "points"),
    [
        (K.SINGLE_CHOICE, ["하나"], [0], 1),  # too few options
        (K.SINGLE_CHOICE, ["a", "b"], [0, 1], 1),  # two keys for one answer
        (K.SINGLE_CHOICE, ["a", "b"], [2], 1),  # key out of range
        (K.MULTIPLE_CHOICE, ["a", "b"], [0, 0], 1),  # a key twice
        (K.SINGLE_CHOICE, ["a", " "], [0], 1),  # blank label
        (K.SHORT_ANSWER, ["a", "b"], ["x"], 1),  # options on a short answer
        (K.SINGLE_CHOICE, ["a", "b"], [], 1),  # points without a key
        (K.SINGLE_CHOICE, ["a", "b"], [0], 101),  # too many points
        ("essay", [], [], 0),  # unknown kind
    ],
)
def test_malformed_questions_are_refused(kind, options, correct, points) -> None:
    with pytest.raises(InvalidInput):
        check_question(kind, "문제", options, correct, points)


def test_answer_shape_must_match_the_question() -> None:
    single = question(K.SINGLE_CHOICE, ["a", "b", "c"], [0])
    multi = question(K.MULTIPLE_CHOICE, ["a", "b", "c"], [0])
    short = question(K.SHORT_ANSWER, [], ["a"])
    for q, response in [
        (single, {"choices": [0]}),
        (single, {"choice": 3}),
        (single, {"choice": 0, "extra": 1}),
        (multi, {"choices": []}),
        (multi, {"choices": [1, 1]}),
        (multi, {"choice": 0}),
        (short, {"text": ""}),
        (short, {"text": "가" * 201}),
        (short, {"choice": 0}),
        (short, "text"),
    ]:
        with pytest.raises(InvalidInput):
            check_response(q, response)


def test_tally_counts_each_chosen_option() -> None:
    q = question(K.MULTIPLE_CHOICE, ["a", "b", "c"], [0])
    assert tally(q, [{"choices": [0, 2]}, {"choices": [2]}]) == [1, 0, 2]
