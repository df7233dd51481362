"""Lesson 13's exercises (scaling up): typical wrong answers per question
(test_exercises.py checks every question against them) and reference answers that
agree with course_lib.scaling and NumPy's float16."""

import keras
import numpy as np

from course_lib import scaling
from course_lib.exercises import lesson13

# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson13, "q1"): [33.554432, 16.0, 0.131072, 134.217728],
    (lesson13, "q2"): [(64, 0.1), (512, 0.1), (512, 0.8), (512, 0.05)],
    (lesson13, "q3"): [
        lambda global_batch, per_replica: global_batch // per_replica,
        lambda global_batch, per_replica: global_batch / per_replica,
    ],
    (lesson13, "q4"): [2**15, 2**12, 6103.515625],
}


def test_q1_is_the_activation_bytes_of_a_built_layer():
    size, channels = lesson13.Q1_SIZE, lesson13.Q1_CHANNELS
    x = keras.Input((size, size, 3))
    model = keras.Model(x, keras.layers.Conv2D(channels, 3, padding="same")(x))
    computed = scaling.activation_bytes(model, lesson13.Q1_BATCH, bits=16)
    assert np.isclose(computed / 1e6, lesson13.q1.expected)


def test_q2_agrees_with_the_scaling_functions():
    batch = scaling.global_batch_size(lesson13.Q2_PER_REPLICA, lesson13.Q2_REPLICAS)
    rate = scaling.scaled_learning_rate(
        lesson13.Q2_BASE_LR, base_batch=lesson13.Q2_BASE_BATCH, batch=batch
    )
    assert np.allclose((batch, rate), lesson13.q2.expected)


def test_q3_agrees_with_replicas_needed():
    for case in lesson13.q3.test_cases:
        assert scaling.replicas_needed(*case) == lesson13.q3.expected(*case)


def test_q4_saves_the_gradient_in_float16_and_half_of_it_does_not():
    scale = lesson13.q4.expected
    assert np.float16(lesson13.Q4_GRADIENT) == 0
    lifted = np.float16(lesson13.Q4_GRADIENT * scale)
    assert lifted >= np.finfo(np.float16).smallest_normal
    assert np.float16(lesson13.Q4_GRADIENT * scale / 2) < lesson13.Q4_SMALLEST_NORMAL
