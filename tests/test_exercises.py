"""The contract of every lesson's checked exercises, over all exercise modules: each
check accepts the reference answer, rejects typical wrong answers (listed per lesson
in the test_exercises_NN_MM.py files), says "not attempted" for the placeholder, and
has tiered hints and a solution."""

import hashlib
import importlib
import pkgutil

import pytest
from test_exercises_01_04 import WRONG as WRONG_01_04
from test_exercises_05_07 import WRONG as WRONG_05_07
from test_exercises_08 import WRONG as WRONG_08
from test_exercises_09 import WRONG as WRONG_09
from test_exercises_10 import WRONG as WRONG_10
from test_exercises_11 import WRONG as WRONG_11
from test_exercises_12 import WRONG as WRONG_12
from test_exercises_13 import WRONG as WRONG_13

from course_lib import checks, exercises
from course_lib.exercises import lesson00

MODULES = [
    importlib.import_module(f"course_lib.exercises.{info.name}")
    for info in pkgutil.iter_modules(exercises.__path__)
]

# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson00, "q1"): [2, 52, "50"],
    (lesson00, "q2"): [3072, 1025, 3074],
    (lesson00, "q3"): [
        hashlib.md5(lesson00.Q3_CONTENT).hexdigest(),
        hashlib.sha256(lesson00.Q3_CONTENT).digest(),
        hashlib.sha256(b"other").hexdigest(),
    ],
    (lesson00, "q4"): [2000, 5000, 20],
    **WRONG_01_04,
    **WRONG_05_07,
    **WRONG_08,
    **WRONG_09,
    **WRONG_10,
    **WRONG_11,
    **WRONG_12,
    **WRONG_13,
}

QUESTIONS = [
    (module, name)
    for module in MODULES
    for name in sorted(vars(module))
    if isinstance(getattr(module, name), checks.Question)
]


def _id(case):
    module, name = case
    return f"{module.__name__.rsplit('.', 1)[-1]}.{name}"


def test_every_lesson_has_at_least_three_questions_with_wrong_answers():
    assert set(QUESTIONS) == set(WRONG), "list typical wrong answers for new questions"
    for module in MODULES:
        assert module.__doc__, module.__name__
        assert len([q for q in QUESTIONS if q[0] is module]) >= 3, module.__name__


@pytest.mark.parametrize("case", QUESTIONS, ids=_id)
def test_self_test_accepts_reference_and_rejects_wrong_answers(case):
    module, name = case
    getattr(module, name).self_test(*WRONG[case])


@pytest.mark.parametrize("case", QUESTIONS, ids=_id)
def test_placeholder_is_not_attempted(case):
    module, name = case
    question = getattr(module, name)
    assert question.check(checks.____).status == checks.NOT_ATTEMPTED
    if callable(question.expected):

        def unfinished(*args):
            return checks.____

        assert question.check(unfinished).status == checks.NOT_ATTEMPTED


@pytest.mark.parametrize("case", QUESTIONS, ids=_id)
def test_hints_and_solution(case, capsys):
    question = getattr(case[0], case[1])
    assert len(question.hints) >= 2
    assert question.hint().startswith("Hint 1/")
    assert question.solution().startswith("Solution: ")
    assert capsys.readouterr().out


@pytest.mark.parametrize("case", QUESTIONS, ids=_id)
def test_listed_mistakes_get_their_own_message(case):
    """The first typical wrong answer gets a specific message, not the generic one."""
    module, name = case
    question = getattr(module, name)
    wrong = WRONG[case][0]
    result = question.check(wrong)
    assert result.status == checks.INCORRECT
    if not callable(question.expected):
        assert result.message != checks.compare_values(wrong, question.expected)
    else:
        assert "For input" in result.message
