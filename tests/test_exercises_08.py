"""Lesson 08's exercises: typical wrong answers per question (test_exercises.py
checks every question against them) and reference answers that agree with the
library."""

from course_lib import arithmetic
from course_lib.exercises import lesson08

# Typical wrong answers per question, as a learner would write them.
WRONG = {}

# --- Lesson 08: GoogLeNet ----------------------------------------------------------

WRONG |= {
    (lesson08, "q1"): [624, 448, 480, 368],
    (lesson08, "q2"): [
        lambda size, c_in, reduce, c_out: 25 * size**2 * reduce * c_out,
        lambda size, c_in, reduce, c_out: 25 * size**2 * c_in * c_out,
        lambda size, c_in, reduce, c_out: c_in * reduce + 25 * reduce * c_out,
    ],
    (lesson08, "q3"): [27, 56, 14, 112, 28.5],
    (lesson08, "q4"): [3_186_688, 26_781_800, 1_025_000, 6_379_728],
}


def _weighted(model, prefix):
    return sum(
        row.params
        for row in arithmetic.parameter_table(model)
        if row.name.startswith(prefix)
    )


def test_lesson08_answers_agree_with_the_builder():
    import keras

    from course_lib.arithmetic.depth import (
        has_weights_to_count,
        is_pooling,
        longest_path,
    )
    from course_lib.models import googlenet, without_aux_heads
    from course_lib.models.inception import GOOGLENET_TABLE, inception_module

    assert lesson08.q1.expected == GOOGLENET_TABLE["4a"].out_channels
    assert tuple(GOOGLENET_TABLE["4a"]) == lesson08.WIDTHS_4A
    # Q2: the reference equals count_macs on the built branch of 3a.
    x = keras.Input((28, 28, 192))
    y = inception_module(x, 64, 96, 128, 16, 32, 32, name="m")
    rows = arithmetic.count_macs(keras.Model(x, y)).rows
    macs = {row.name: row.macs for row in rows}
    assert lesson08.q2.expected(28, 192, 16, 32) == macs["m_5x5_reduce"] + macs["m_5x5"]
    model = googlenet(aux_heads=True)
    stem = model.get_layer("stem_pool2").output.shape
    assert stem[1] == stem[2] == lesson08.q3.expected
    assert _weighted(model, "aux1_") == lesson08.q4.expected
    # The lesson's 22 layers (27 with poolings), on the same model.
    main = without_aux_heads(model)
    assert len(longest_path(main)) == 22
    assert (
        len(longest_path(main, lambda la: has_weights_to_count(la) or is_pooling(la)))
        == 27
    )
