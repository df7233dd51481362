"""Lessons 01-04' exercises: typical wrong answers per question (test_exercises.py
checks every question against them) and reference answers that agree with the
library."""

import math

import numpy as np
import pytest

from course_lib import arithmetic, training
from course_lib.exercises import lesson01, lesson02, lesson03, lesson04

FLIPPED = lesson03.EXAMPLE_KERNEL[:, ::-1]


def _hits(y, scores, k, *, largest=True):
    order = np.argsort(-scores if largest else scores, axis=1)[:, :k]
    return (order == np.asarray(y)[:, None]).any(axis=1)


# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson01, "q1"): [0.6, 0.8, 1, 0.4, "0.2", [0.2]],
    (lesson01, "q2"): [
        lambda y, s, k: float(1 - _hits(y, s, k, largest=False).mean()),  # smallest
        lambda y, s, k: float(_hits(y, s, k).mean()),  # accuracy, not error
        lambda y, s, k: float((~_hits(y, s, k)).sum()),  # a count, not a share
        lambda y, s, k: float(np.mean(np.argmax(s, axis=1) != y)),  # ignores k
        "not a function",
    ],
    (lesson01, "q3"): [600_000_000, 47_040_000, 7_840_000, 16_800_000_000],
    (lesson01, "q4"): [30_720, 10_250, 3_072, 3_082],
    (lesson02, "q1"): [150_528_000, 50_176_000 + 1000, 150_528 + 1000],
    (lesson02, "q2"): [4_800, 1_664, 76, 32 * 32 * 4_864],
    (lesson02, "q3"): [
        32 * 32 * 64 * 5 * 5 * 3,  # counts the padding zeros as inputs
        4_800,
        32 * 32 * 64 * 76,
        32 * 32 * 3 * 32 * 32 * 64,
        76_800,
    ],
    (lesson02, "q4"): [2, 0, 0.5, 4],
    (lesson03, "q1"): [
        lambda w, k, s, p: (w - k + 2 * p) // s,
        lambda w, k, s, p: (w - k + 2 * p) / s + 1,
        lambda w, k, s, p: (w - k + p) // s + 1,
        lambda w, k, s, p: math.ceil((w - k + 2 * p) / s) + 1,
        lambda w, k, s, p: (w + 2 * p) // s,
    ],
    (lesson03, "q2"): [(1, 0), (1, 1), (0, 0), (2, 2), 1],
    (lesson03, "q3"): [
        int(np.sum(lesson03.EXAMPLE_INPUT[2:5, 1:4] * lesson03.EXAMPLE_KERNEL)),
        int(np.sum(lesson03.EXAMPLE_INPUT[1:4, 2:5] * FLIPPED)),
        int(np.sum(lesson03.EXAMPLE_INPUT[1:4, 2:5])),
    ],
    (lesson03, "q4"): [8, 7, 11, 1],
    (lesson03, "q5"): [9, 6, 5, 3],
    (lesson04, "q1"): [15, 10, 9, 13],
    (lesson04, "q2"): [9, 11, 13, 17],
    (lesson04, "q3"): [lesson04._jump_first, lesson04._no_jump, lesson04._kernel_sum],
    (lesson04, "q4"): [200_704, 27, 36_864, 110_784],
    (lesson04, "q5"): [5, 6, 8, 7.5],
}


def test_reference_answers_agree_with_the_library():
    # lesson 01: the library's top-k error and the exercise's table.
    assert lesson01.q1.expected == pytest.approx(
        training.top_k_error(lesson01.Q1_LABELS, lesson01.Q1_SCORES, k=2)
    )
    lesson01.q2.self_test(correct=training.top_k_error)
    # lesson 02: parameter counts against Keras.
    import keras

    conv = keras.layers.Conv2D(64, 5, padding="same")
    conv.build((None, 32, 32, 3))
    assert lesson02.q2.expected == conv.count_params()
    by_formula = arithmetic.count_params(conv, input_shape=(None, 32, 32, 3))
    assert lesson02.q2.expected == by_formula
    # Q3 counts connections to the image's values, not to the "same" padding's zeros:
    # Keras's Conv2D with a kernel of ones, on an image of ones, outputs at each
    # position the number of image values under the window.
    ones = keras.layers.Conv2D(
        1, 5, padding="same", use_bias=False, kernel_initializer="ones"
    )
    under = keras.ops.convert_to_numpy(ones(np.ones((1, 32, 32, 3), "float32")))
    assert lesson02.q3.expected == int(under.sum()) * 64
    assert lesson02.q3.expected < lesson02.WITH_PADDING == 32 * 32 * 64 * 5 * 5 * 3
    # The same count by brute force, one axis at a time: the taps of each output's
    # window (2 zeros of padding before the image) that fall on the image.
    on_image = sum(0 <= i + u - 2 < 32 for i in range(32) for u in range(5))
    assert lesson02.q3.expected == on_image**2 * 3 * 64
    dense = keras.layers.Dense(10)
    dense.build((None, 32 * 32 * 3))
    assert lesson01.q4.expected == dense.count_params()
    # lesson 03: formula, padding, one cell, transposed and dilated sizes.
    lesson03.q1.self_test(
        correct=lambda w, k, s, p: arithmetic.conv_output_size(
            w, k, stride=s, padding=p
        )
    )
    assert lesson03.q2.expected == arithmetic.same_padding(6, 3, stride=2)
    full = arithmetic.conv2d_loops(lesson03.EXAMPLE_INPUT, lesson03.EXAMPLE_KERNEL)
    assert lesson03.q3.expected == full[1, 2]
    transposed = arithmetic.transposed_conv_output_size(4, 3, stride=2)
    assert lesson03.q4.expected == transposed
    assert lesson03.q5.expected == arithmetic.effective_kernel_size(3, dilation=3)

    # lesson 04: the recurrence.
    def field(layers):
        return arithmetic.receptive_field_recurrence(layers)[-1].receptive_field

    assert lesson04.q1.expected == field([(3,)] * 5)
    assert lesson04.q2.expected == field([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)])
    for (case,) in lesson04.q3.test_cases:
        assert lesson04._receptive_field(case) == field(case)
    assert field([(3,)] * lesson04.q5.expected) == 15
