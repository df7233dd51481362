"""Lesson 12's exercises (comparing architectures): typical wrong answers per question
(test_exercises.py checks every question against them) and reference answers that
agree with the cost table, compare.pareto_front, count_macs and the builder."""

import keras

from course_lib import arithmetic, compare
from course_lib.exercises import lesson12
from course_lib.models import build

_P = lesson12.Q1_PARAMS

# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson12, "q1"): [4 * _P / 1e6, 2 * _P / 2**20, 16 * _P / 1e6],
    (lesson12, "q2"): [
        lambda t: sorted(t),
        lambda t: [max(t, key=lambda n: t[n][1])],
        lesson12._weak_front,
    ],
    (lesson12, "q3"): [73_728, 2_097_152, 14_450_688, 4_718_592],
    (lesson12, "q4"): [(32, 32, 16), (64,), (4, 4, 64), (10,)],
}


def test_q1_is_resnet50s_parameters_and_the_cost_tables_size():
    row = {r["key"]: r for r in compare.cost_table()}["resnet50"]
    assert row["params_total"] == _P
    assert abs(row["mb_16bit"] - lesson12.q1.expected) < 1e-3


def test_q2_agrees_with_pareto_front():
    for (table,) in lesson12.Q2_TABLES:
        names = list(table)
        front = compare.pareto_front(
            [c for c, _ in table.values()], [a for _, a in table.values()]
        )
        assert sorted(names[i] for i in front) == lesson12.q2.expected(table)


def test_q3_matches_count_macs():
    x = keras.Input((lesson12.Q3_SIZE, lesson12.Q3_SIZE, lesson12.Q3_IN))
    y = keras.layers.Conv2D(lesson12.Q3_OUT, 3, padding="same", use_bias=False)(x)
    assert arithmetic.count_macs(keras.Model(x, y)).total == lesson12.q3.expected


def test_q4_is_the_builders_backbone_shape():
    backbone = build("resnet_cifar", depth=20, include_top=False)
    assert tuple(backbone.output.shape[1:]) == lesson12.Q4_SHAPE
