"""Lessons 05-07' exercises (lesson 06 is 06a and 06b): typical wrong answers per
question (test_exercises.py checks every question against them) and reference answers
that agree with the library."""

import math

import pytest

from course_lib import arithmetic
from course_lib.exercises import lesson05, lesson06a, lesson06b, lesson07

# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson05, "q1"): [(10, 10, 6), (14, 14, 16), (9, 9, 16), [10, 10], "10x10x16"],
    (lesson05, "q2"): [150, 4704, 122304, 30, 156.5],
    (lesson05, "q3"): [48000, 3120, 10164, 1920],
    (lesson05, "q4"): [
        lambda size: math.ceil(((size - 4) // 2 - 4) / 2),  # rounds the last pooling up
        lambda size: (size - 4) // 2 - 4,  # forgets the last pooling
        lambda size: size // 4,  # ignores the convolutions
        "5",
    ],
    (lesson06a, "q1"): [54, 56, 217, 55.5],
    (lesson06a, "q2"): [614656, 307200, 153728],
    (lesson06a, "q3"): [
        lambda errors, target: next(
            (i for i, e in enumerate(errors) if e <= target), None
        ),  # index instead of epoch
        lambda errors, target: next(
            (i for i, e in enumerate(errors, 1) if e < target), None
        ),  # strict comparison
        lambda errors, target: len(errors),  # always the last epoch
    ],
    (lesson06a, "q4"): [2048, 1024, 1089, 66, 64, 2],
    (lesson06a, "q5"): [0.5, 1, 1.5, 0],
    (lesson06b, "q1"): [109, 112, 55, 54, 110.5],
    (lesson06b, "q2"): [4, 2, 16, 0.125],
    (lesson06b, "q3"): [
        110 * 110 * 7 * 7 * 96,  # forgets the input channels
        55 * 55 * 7 * 7 * 3 * 96,  # the pooled maps
        55 * 55 * 11 * 11 * 3 * 96,  # AlexNet's conv1
        7 * 7 * 3 * 96 + 96,  # the parameters
    ],
    (lesson06b, "q4"): [
        lambda period, stride: period,  # ignores aliasing
        lambda period, stride: period * stride,  # scales by the stride
        lambda period, stride: 2 * stride,  # the Nyquist limit itself
    ],
    (lesson07, "q1"): [64, 1728, 576, 192],
    (lesson07, "q2"): [18, 25 * 256 * 256, 9 * 256 * 256, 2 * 9 * 256 * 256 + 512],
    (lesson07, "q3"): [lambda n: 3 * n, lambda n: 2 * n, lambda n: 3**n],
    (lesson07, "q4"): [89.36, 0.106, 102_764_544 / 138_357_544, 0.5],
    (lesson07, "q5"): [5e-4, 5e-5, 4.5e-4, 0.05],
}


def test_reference_answers_agree_with_the_library():
    assert lesson05.q1.expected[:2] == (
        arithmetic.conv_output_size(14, 5, 1),
        arithmetic.conv_output_size(14, 5, 1),
    )
    assert lesson06a.q1.expected == arithmetic.conv_output_size(227, 11, 4)
    # Crop start positions: the output size of a 224 window sliding over 256 pixels.
    assert lesson06a.q4.expected == arithmetic.conv_output_size(256, 224) ** 2 * 2
    assert lesson06b.q1.expected == arithmetic.conv_output_size(224, 7, 2, 1)
    rows = arithmetic.receptive_field_recurrence([(3,)] * 4)
    expected = [lesson07._stacked_rf(n) for n in range(1, 5)]
    assert [r.receptive_field for r in rows] == expected
    from course_lib import training

    assert lesson07.q5.expected == pytest.approx(
        training.decoupled_weight_decay(5e-4, momentum=0.9)
    )


def test_lenet_s4_side_matches_the_builder():
    """The reference of lesson05.q4 agrees with the model the builder makes."""
    from course_lib.models import build

    for size in (28, 32):
        model = build("lenet5", input_shape=(size, size, 1))
        side = model.get_layer("block2_pool").output.shape[1]
        assert lesson05._s4_side(size) == side
