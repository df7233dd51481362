"""Lesson 11's exercises (lightweight networks): typical wrong answers per question
(test_exercises.py checks every question against them) and reference answers that
agree with the builders, the cost counters and the ChannelShuffle layer."""

import keras
import numpy as np

from course_lib import arithmetic
from course_lib.exercises import lesson11
from course_lib.layers import ChannelShuffle
from course_lib.models import squeezenet


def _inverse_shuffle(channels, groups):
    n = channels // groups
    return [b * groups + a for a in range(groups) for b in range(n)]


# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson11, "q1"): [462_422_016, 51_380_224, 903_168, 266_752],
    (lesson11, "q2"): [
        lambda n, k: 1 / n + 1 / k,
        lambda n, k: 1 / (n * k**2),
        lambda n, k: 1 / (1 / n + 1 / k**2),
    ],
    (lesson11, "q3"): [11_776, 63_120, 3_728, 110_720],
    (lesson11, "q4"): [
        _inverse_shuffle,
        lambda channels, groups: list(range(channels)),
    ],
    (lesson11, "q5"): [4.993696, 2.38118, 19.974784],
}


def test_q1_and_q2_match_count_macs_on_built_layers():
    size, c_in, c_out, k = lesson11.Q1_SIZE, lesson11.Q1_IN, lesson11.Q1_OUT, 3
    x = keras.Input((size, size, c_in))
    dw = keras.layers.DepthwiseConv2D(k, padding="same")(x)
    pw = keras.layers.Conv2D(c_out, 1)(dw)
    separable = arithmetic.count_macs(keras.Model(x, pw)).total
    standard = arithmetic.count_macs(
        keras.Model(x, keras.layers.Conv2D(c_out, k, padding="same")(x))
    ).total
    assert separable == lesson11.q1.expected
    assert np.isclose(separable / standard, lesson11.q2.expected(c_out, k))


def test_q3_is_squeezenets_fire2():
    model = squeezenet()
    params = sum(
        model.get_layer(f"fire2_{op}").count_params()
        for op in ("squeeze", "expand1x1", "expand3x3")
    )
    assert model.get_layer("fire2_squeeze").input.shape[-1] == lesson11.Q3_IN
    assert params == lesson11.q3.expected


def test_q4_is_the_layers_permutation():
    for channels, groups in lesson11.q4.test_cases:
        x = np.arange(channels, dtype="float32").reshape(1, channels)
        y = keras.ops.convert_to_numpy(ChannelShuffle(groups)(x))[0]
        assert y.astype(int).tolist() == lesson11.q4.expected(channels, groups)


def test_q5_uses_squeezenets_parameters():
    assert squeezenet().count_params() == lesson11.Q5_PARAMS
