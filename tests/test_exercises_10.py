"""Lesson 10's exercises (DenseNet): typical wrong answers per question
(test_exercises.py checks every question against them) and reference answers that
agree with the builders and the cost counters."""

import keras

from course_lib import arithmetic
from course_lib.exercises import lesson10
from course_lib.models import dense_block, densenet_bc_cifar


def _macs_without_bottleneck(channels, k, size):
    return size * size * 9 * channels * k


# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson10, "q1"): [768, 256, 32, 288, 3328],
    (lesson10, "q2"): [1320, 620, 1240, 640, "660"],
    (lesson10, "q3"): [35_640, 5_256, 15_840, 5_184, 22_536],
    (lesson10, "q4"): [
        lambda c, k, size: size * (c * 4 * k + 9 * 4 * k * k),  # size, not size^2
        _macs_without_bottleneck,
        lambda c, k, size: size * size * 9 * 4 * k * k,  # the 3x3 convolution only
        lambda c, k, size: size * size * (c * k + 9 * k * k),  # bottleneck of k
    ],
}


def test_q1_is_densenet121s_third_block():
    x = keras.Input((28, 28, lesson10.Q1_IN))
    y = dense_block(x, lesson10.Q1_LAYERS, lesson10.Q1_K, name="stage4")
    assert y.shape[-1] == lesson10.q1.expected


def test_q2_is_the_builders_first_transition():
    model = densenet_bc_cifar(depth=lesson10.Q2_DEPTH, growth_rate=lesson10.Q2_K)
    assert model.get_layer("stage1_block31_concat").output.shape[-1] == (
        lesson10.Q2_BLOCK_OUT
    )
    assert model.get_layer("transition1_conv").filters == lesson10.q2.expected
    assert model.get_layer("transition1_pool").output.shape[-1] == lesson10.q2.expected


def test_q3_and_q4_match_densenet_bc_100():
    model = densenet_bc_cifar(depth=100, growth_rate=12)
    assert model.get_layer("stage3_block16_concat").input[0].shape[-1] == (
        lesson10.Q3_IN
    )
    weights = sum(
        model.get_layer(f"stage3_block16_conv{i}").count_params() for i in (1, 2)
    )
    assert weights == lesson10.q3.expected
    macs = {row.name: row.macs for row in arithmetic.count_macs(model).rows}
    for stage, size in ((1, 32), (2, 16), (3, 8)):
        for block in (1, 16):
            layer = model.get_layer(f"stage{stage}_block{block}_conv1")
            channels = layer.input.shape[-1]
            counted = sum(macs[f"stage{stage}_block{block}_conv{i}"] for i in (1, 2))
            assert counted == lesson10.q4.expected(channels, 12, size)
