"""Exercise checks: "correct", or a specific hint about what is wrong.

Each exercise in a lesson is one :class:`Question`. The learner writes an answer in
place of the ``____`` placeholder and calls ``q1.check(answer)``; ``q1.hint()`` gives
tiered hints and ``q1.solution()`` reveals the reference solution.

A question compares the answer one property at a time (type, then shape, then values)
and each failure says what to fix. Known wrong answers (``mistakes=``) get their own
message: an off-by-one, a forgotten ``+ 1``, a formula applied the wrong way round.
Answers can be values, arrays, or functions (checked on test cases against a reference
implementation). Feedback never relies on ``assert``.

Example:
    >>> q = Question("out_size", expected=3,
    ...              mistakes={2: "Off by one: did you forget the + 1?"},
    ...              hints=["Use floor((W - K + 2P) / S) + 1."],
    ...              solution="(5 - 3 + 2 * 1) // 2 + 1")
    >>> q.check(2).passed
    False

See: lessons/00_setup.ipynb
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np


class _Placeholder:
    """The blank a learner replaces with an answer."""

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


____ = _Placeholder()
"""Put your answer in place of this."""

_SENTINEL = object()
_FUNCTION_NOT_ATTEMPTED = (
    "Replace ____ in your function with your code, then run the cell again."
)

NOT_ATTEMPTED = "not attempted"
CORRECT = "correct"
INCORRECT = "incorrect"


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``status`` and a message for the learner."""

    status: str
    message: str
    question: str = ""

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        icon = {
            CORRECT: "Correct",
            INCORRECT: "Incorrect",
            NOT_ATTEMPTED: "Not attempted",
        }
        head = f"{self.question}: " if self.question else ""
        return f"{head}{icon[self.status]}. {self.message}".rstrip()

    def _repr_markdown_(self) -> str:
        colour = {CORRECT: "#1b7f3b", INCORRECT: "#b3261e", NOT_ATTEMPTED: "#6b6b6b"}
        return f'<span style="color:{colour[self.status]}">**{self}**</span>'

    __repr__ = __str__


class CheckSelfTestError(AssertionError):
    """A question's check accepted a wrong answer or rejected the right one."""


class ClaimError(AssertionError):
    """A claim a lesson makes did not hold on this run."""


def expect(condition: Any, claim: str) -> None:
    """States a claim the lesson demonstrates and verifies it.

    Prints the claim with a tick when ``condition`` holds; raises :class:`ClaimError`
    otherwise (so nbval fails the lesson). Unlike ``assert``, it also runs under
    ``python -O``. The one exception: when a dataset of this run is the synthetic
    stand-in (smoke mode without real data), a failed claim is printed as not
    reproduced instead of raising, since the data says nothing about the claim.

    Example:
        >>> expect(3 * 3 * 2 < 5 * 5, "two 3x3 convs have fewer weights than one 5x5")
        ✓ two 3x3 convs have fewer weights than one 5x5
    """
    if bool(condition):
        print(f"\u2713 {claim}")
        return
    synthetic = _synthetic_datasets()
    if synthetic:
        # Smoke mode without real data: the numbers are about random patterns, so a
        # claim about MNIST or CIFAR-10 cannot be judged; say so instead of failing.
        print(
            "\u26a0 not reproduced on the synthetic stand-in for "
            f"{', '.join(synthetic)} "
            f"(expected; get the real data to check it): {claim}"
        )
        return
    raise ClaimError(f"Claim not reproduced on this run: {claim}")


def _synthetic_datasets() -> list[str]:
    from course_lib import data

    return [name for name in data.DATASETS if data.source(name) == "synthetic"]


Comparer = Callable[[Any, Any], "str | None"]


def _is_placeholder(answer: Any) -> bool:
    return isinstance(answer, _Placeholder) or answer is Ellipsis


def compare_values(
    answer: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8
) -> str | None:
    """Compares answer with expected, one property at a time.

    Returns None when they match, else a message saying what differs first: the type,
    the length, the shape, the dtype kind, or the values (with where and by how much).
    """
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(answer, (bool, np.bool_)):
            return f"Expected True or False, got a {type(answer).__name__}."
        return (
            None
            if bool(answer) == bool(expected)
            else "That is the opposite of the answer."
        )
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f"Expected text (a str), got a {type(answer).__name__}."
        same = answer.strip().lower() == expected.strip().lower()
        return None if same else "That is not the expected text."
    if isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            return f"Expected a dict, got a {type(answer).__name__}."
        missing = [k for k in expected if k not in answer]
        extra = [k for k in answer if k not in expected]
        if missing:
            return f"Your dict is missing the key(s) {missing}."
        if extra:
            return f"Your dict has unexpected key(s) {extra}."
        for key in expected:
            problem = compare_values(answer[key], expected[key], rtol=rtol, atol=atol)
            if problem:
                return f"For key {key!r}: {problem}"
        return None
    if isinstance(expected, (tuple, list)) and not _is_numeric_sequence(expected):
        if not isinstance(answer, (tuple, list)):
            return (
                f"Expected a {type(expected).__name__} of {len(expected)} items, "
                f"got a {type(answer).__name__}."
            )
        if len(answer) != len(expected):
            return f"Expected {len(expected)} items, got {len(answer)}."
        for i, (a, e) in enumerate(zip(answer, expected, strict=False)):
            problem = compare_values(a, e, rtol=rtol, atol=atol)
            if problem:
                return f"Item {i}: {problem}"
        return None
    if np.isscalar(expected) or isinstance(expected, (int, float, np.number)):
        if not _is_number(answer):
            return f"Expected a number, got a {type(answer).__name__}."
        if isinstance(expected, (int, np.integer)) and not float(answer).is_integer():
            return f"Expected a whole number, got {answer}."
        if not math.isclose(float(answer), float(expected), rel_tol=rtol, abs_tol=atol):
            return "That number is not right."
        return None
    # Arrays and numeric sequences.
    expected_arr = np.asarray(expected)
    try:
        answer_arr = np.asarray(_to_numpy(answer))
    except Exception:  # noqa: BLE001 - any unconvertible object is a type problem
        return (
            f"Expected an array of numbers; your {type(answer).__name__} is ragged "
            "(rows of different lengths) or holds items NumPy cannot read."
        )
    if answer_arr.dtype == object:
        return "Expected an array of numbers; yours holds mixed or ragged items."
    if answer_arr.shape != expected_arr.shape:
        return f"Wrong shape: expected {expected_arr.shape}, got {answer_arr.shape}."
    if expected_arr.size == 0:
        return None
    if not np.issubdtype(answer_arr.dtype, np.number) and answer_arr.dtype != bool:
        return f"Expected numbers, got dtype {answer_arr.dtype}."
    close = np.isclose(
        answer_arr.astype(float), expected_arr.astype(float), rtol=rtol, atol=atol
    )
    if not close.all():
        bad = np.argwhere(~close)
        first = tuple(int(i) for i in bad[0])
        return (
            f"{len(bad)} of {close.size} values differ; the first at index {first}: "
            f"expected {expected_arr[first].item()!r}, "
            f"got {answer_arr[first].item()!r}."
        )
    return None


def _to_numpy(value: Any) -> Any:
    if hasattr(value, "numpy"):
        return value.numpy()
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(
        value, (bool, np.bool_)
    )


def _is_numeric_sequence(value: Sequence) -> bool:
    return len(value) > 0 and all(_is_number(v) for v in value)


class Question:
    """One exercise: check an answer, give hints, reveal the solution.

    Args:
        name: short label shown with the feedback, e.g. ``"Q1 output size"``.
        expected: the reference answer (a value, array, dict, tuple...), or, for a
            question whose answer is a function, the reference function.
        test_cases: for function answers, the argument tuples to call both with.
        mistakes: known wrong answers and what to say about them. Either a mapping
            ``{wrong_answer: message}`` or a sequence of ``(predicate, message)``;
            a predicate gets the answer (for function questions: the pair
            ``(args, result)``) and returns True when it matches.
        hints: tiered hints, from a nudge to nearly the answer.
        solution: the reference solution as text (code or a worked computation).
        rtol, atol: tolerances for numbers and arrays.
        comparer: a custom ``(answer, expected) -> message | None`` for special cases.
    """

    def __init__(
        self,
        name: str,
        *,
        expected: Any = None,
        test_cases: Iterable[tuple] | None = None,
        mistakes: Mapping | Sequence[tuple[Callable[[Any], bool], str]] | None = None,
        hints: Sequence[str] = (),
        solution: str = "",
        rtol: float = 1e-6,
        atol: float = 1e-8,
        comparer: Comparer | None = None,
    ):
        if expected is None and comparer is None:
            raise ValueError(f"Question {name!r} needs expected= or comparer=.")
        self.name = name
        self.expected = expected
        self.test_cases = list(test_cases) if test_cases is not None else None
        if callable(expected) and self.test_cases is None:
            raise ValueError(
                f"Question {name!r}: a function answer needs test_cases= to call it "
                "with."
            )
        self.mistakes = _normalise_mistakes(mistakes)
        self.hints = list(hints)
        self._solution = solution
        self.rtol, self.atol = rtol, atol
        self.comparer = comparer
        self._hints_shown = 0

    # The learner-facing API --------------------------------------------------------
    def check(self, answer: Any) -> CheckResult:
        """Checks an answer and returns a :class:`CheckResult` (shown in notebooks)."""
        if _is_placeholder(answer):
            return self._result(
                NOT_ATTEMPTED, "Replace ____ with your answer, then run the cell again."
            )
        if callable(self.expected) and self.test_cases is not None:
            return self._check_function(answer)
        for matches, message in self.mistakes:
            if _safe(matches, answer):
                return self._result(
                    INCORRECT, self._sentence(message) + self._hint_suffix()
                )
        problem = self._compare(answer, self.expected)
        if problem:
            return self._result(INCORRECT, problem + self._hint_suffix())
        return self._result(CORRECT, "Well done.")

    def hint(self, level: int | None = None) -> str:
        """Returns the next hint (or hint number ``level``, from 1) and prints it."""
        if not self.hints:
            text = "No hint for this one: re-read the cell above the exercise."
        else:
            if level is None:
                self._hints_shown = min(self._hints_shown + 1, len(self.hints))
                level = self._hints_shown
            level = max(1, min(int(level), len(self.hints)))
            text = f"Hint {level}/{len(self.hints)}: {self.hints[level - 1]}"
        print(text)
        return text

    def solution(self) -> str:
        """Returns the reference solution and prints it."""
        text = (
            f"Solution: {self._solution}"
            if self._solution
            else f"Solution: {self.expected!r}"
        )
        print(text)
        return text

    def self_test(self, *wrong_answers: Any, correct: Any = _SENTINEL) -> None:
        """Proves the check works: it must accept the reference answer (``expected``, or
        ``correct=`` when given) and reject every wrong answer. Raises
        :class:`CheckSelfTestError` otherwise. Lessons call it in hidden test cells."""
        reference = self.expected if correct is _SENTINEL else correct
        result = self.check(reference)
        if not result.passed:
            raise CheckSelfTestError(
                f"{self.name}: the reference answer was rejected: {result}"
            )
        for wrong in wrong_answers:
            result = self.check(wrong)
            if result.status != INCORRECT:
                raise CheckSelfTestError(
                    f"{self.name}: the wrong answer {wrong!r} was not rejected: "
                    f"{result}"
                )

    # Internals ------------------------------------------------------------------------
    def _compare(self, answer: Any, expected: Any) -> str | None:
        if self.comparer is not None:
            return self.comparer(answer, expected)
        return compare_values(answer, expected, rtol=self.rtol, atol=self.atol)

    def _check_function(self, answer: Any) -> CheckResult:
        if not callable(answer):
            return self._result(
                INCORRECT, f"Expected a function, got a {type(answer).__name__}."
            )
        for args in self.test_cases:
            args = args if isinstance(args, tuple) else (args,)
            want = self.expected(*args)
            try:
                got = answer(*args)
            except Exception as err:  # noqa: BLE001 - report the learner's error plainly
                if "_Placeholder" in str(err):  # e.g. arithmetic on the placeholder
                    return self._result(NOT_ATTEMPTED, _FUNCTION_NOT_ATTEMPTED)
                return self._result(
                    INCORRECT,
                    f"Your function raised {type(err).__name__}: {err} for input "
                    f"{_short(args)}.",
                )
            if _is_placeholder(got):
                return self._result(NOT_ATTEMPTED, _FUNCTION_NOT_ATTEMPTED)
            for matches, message in self.mistakes:
                if _safe(matches, (args, got)):
                    return self._result(
                        INCORRECT,
                        f"For input {_short(args)}: {self._sentence(message)}"
                        f"{self._hint_suffix()}",
                    )
            problem = self._compare(got, want)
            if problem:
                return self._result(
                    INCORRECT,
                    f"For input {_short(args)}: {problem}{self._hint_suffix()}",
                )
        return self._result(CORRECT, f"Right on all {len(self.test_cases)} test cases.")

    def _hint_suffix(self) -> str:
        return " Call .hint() for a hint." if self.hints else ""

    @staticmethod
    def _sentence(message: str) -> str:
        return (
            message
            if message.rstrip().endswith((".", "!", "?"))
            else message.rstrip() + "."
        )

    def _result(self, status: str, message: str) -> CheckResult:
        return CheckResult(status, message, self.name)

    def __repr__(self) -> str:
        return f"Question({self.name!r})"


def _normalise_mistakes(mistakes) -> list[tuple[Callable[[Any], bool], str]]:
    if not mistakes:
        return []
    if isinstance(mistakes, Mapping):
        return [(_equals(wrong), message) for wrong, message in mistakes.items()]
    return [(predicate, message) for predicate, message in mistakes]


def _equals(wrong: Any) -> Callable[[Any], bool]:
    def matches(answer: Any) -> bool:
        return compare_values(answer, wrong) is None

    return matches


def _safe(predicate: Callable[[Any], bool], value: Any) -> bool:
    try:
        return bool(predicate(value))
    except Exception:  # noqa: BLE001 - a predicate that cannot judge this answer does not match
        return False


def _short(args: tuple) -> str:
    text = ", ".join(
        repr(a) if not hasattr(a, "shape") else f"array{tuple(a.shape)}" for a in args
    )
    return f"({text[:80]}{'...' if len(text) > 80 else ''})"
