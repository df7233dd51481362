"""Tests of course_lib.checks: each check passes the right answer, fails wrong ones
with the specific message, and says 'not attempted' for the placeholder."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import CORRECT, INCORRECT, NOT_ATTEMPTED, Question, ____


@pytest.fixture
def out_size():
    return Question(
        "output size",
        expected=3,
        mistakes={2: "Off by one: did you forget the + 1?"},
        hints=["Use floor((W - K + 2P) / S) + 1.", "W=5, K=3, P=1, S=2."],
        solution="(5 - 3 + 2 * 1) // 2 + 1",
    )


def test_placeholder_is_not_attempted(out_size):
    result = out_size.check(____)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert "Replace ____" in str(result)


def test_right_answer_passes_and_renders(out_size):
    result = out_size.check(3)
    assert result.passed and result.status == CORRECT
    assert "Correct" in result._repr_markdown_()


def test_known_mistake_gets_its_own_message(out_size):
    result = out_size.check(2)
    assert result.status == INCORRECT
    assert "forget the + 1" in result.message and ".hint()" in result.message


def test_other_wrong_answers_get_the_generic_message(out_size):
    assert "not right" in out_size.check(4).message
    assert "Expected a number, got a str" in out_size.check("3").message


def test_whole_number_expected():
    q = Question("count", expected=18)
    assert "whole number" in q.check(18.5).message
    assert q.check(18.0).passed


def test_tiered_hints_and_solution(out_size, capsys):
    assert out_size.hint().startswith("Hint 1/2")
    assert out_size.hint().startswith("Hint 2/2")
    assert out_size.hint().startswith("Hint 2/2")  # stays on the last one
    assert out_size.hint(1).startswith("Hint 1/2")
    assert "(5 - 3 + 2 * 1)" in out_size.solution()
    assert "Hint 1/2" in capsys.readouterr().out


def test_arrays_are_checked_type_then_shape_then_values():
    q = Question("feature map", expected=np.arange(6.0).reshape(2, 3))
    assert (
        "Wrong shape: expected (2, 3), got (3, 2)" in q.check(np.zeros((3, 2))).message
    )
    wrong = np.arange(6.0).reshape(2, 3)
    wrong[1, 2] = 99
    message = q.check(wrong).message
    assert "1 of 6 values differ" in message and "(1, 2)" in message
    assert "ragged" in q.check([[1, 2], [3]]).message
    assert q.check(np.arange(6.0).reshape(2, 3) + 1e-9).passed


def test_tuples_dicts_text_and_bools():
    assert "index (1,)" in Question("pad", expected=(0, 1)).check((0, 2)).message
    assert "Wrong shape" in Question("pad", expected=(0, 1)).check((0, 1, 1)).message
    mixed = Question("padding", expected=("same", (0, 1)))
    assert "Item 1: 2 of 2 values differ" in mixed.check(("same", (1, 0))).message
    assert "Expected 2 items" in mixed.check(("same",)).message
    q = Question("shapes", expected={"conv1": (28, 28, 6)})
    assert "missing the key" in q.check({}).message
    assert "For key 'conv1'" in q.check({"conv1": (28, 28, 16)}).message
    assert Question("name", expected="max").check(" Max ").passed
    assert "opposite" in Question("yes", expected=True).check(False).message


def test_function_answers_are_run_on_test_cases():
    def reference(w, k, s, p):
        return (w - k + 2 * p) // s + 1

    q = Question(
        "formula",
        expected=reference,
        test_cases=[(5, 3, 2, 1), (32, 5, 1, 0), (224, 11, 4, 2)],
        mistakes=[
            (lambda pair: pair[1] == reference(*pair[0]) - 1, "You forgot the + 1.")
        ],
    )
    assert q.check(reference).passed
    assert "forgot the + 1" in q.check(lambda w, k, s, p: (w - k + 2 * p) // s).message
    assert "raised ZeroDivisionError" in q.check(lambda w, k, s, p: 1 // 0).message
    assert "Expected a function" in q.check(3).message
    with pytest.raises(ValueError, match="test_cases"):
        Question("bad", expected=reference)


def test_self_test_catches_a_check_that_cannot_fail(out_size):
    out_size.self_test(2, 4, "3")
    lax = Question("lax", expected=3, comparer=lambda answer, expected: None)
    with pytest.raises(checks.CheckSelfTestError, match="was not rejected"):
        lax.self_test(4)
    strict = Question("strict", expected=3, comparer=lambda answer, expected: "never")
    with pytest.raises(
        checks.CheckSelfTestError, match="reference answer was rejected"
    ):
        strict.self_test()


def test_predicates_that_crash_do_not_match():
    q = Question("q", expected=3, mistakes=[(lambda a: a.shape == (2,), "shape")])
    assert q.check(3).passed


def test_expect_prints_or_raises(capsys):
    checks.expect(18 < 25, "two 3x3 convs have fewer weights than one 5x5")
    assert "\u2713 two 3x3" in capsys.readouterr().out
    with pytest.raises(checks.ClaimError, match="not reproduced"):
        checks.expect(False, "pigs fly")


def test_a_function_still_returning_the_placeholder_is_not_attempted():
    q = Question("f", expected=lambda n: n + 1, test_cases=[(1,), (2,)])
    assert q.check(lambda n: ____).status == NOT_ATTEMPTED
    assert q.check(lambda n: ____ + n).status == NOT_ATTEMPTED
    assert q.check(lambda n: n).status == INCORRECT


def test_expect_does_not_fail_on_the_synthetic_standin(monkeypatch, capsys):
    from course_lib import data

    monkeypatch.setattr(data.loaders, "_sources", {"mnist": "synthetic"})
    checks.expect(False, "k-NN improves with data")
    assert (
        "not reproduced on the synthetic stand-in for mnist" in capsys.readouterr().out
    )
    monkeypatch.setattr(data.loaders, "_sources", {"mnist": "/data/mnist"})
    with pytest.raises(checks.ClaimError):
        checks.expect(False, "k-NN improves with data")
