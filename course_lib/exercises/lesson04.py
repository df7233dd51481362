"""Checked exercises of lesson 04 (receptive fields): the recurrence by hand and in
code, and what stacked 3x3 convolutions cost."""

from course_lib.checks import Question


def _receptive_field(layers):
    """Reference: r += (k - 1) * j, then j *= s, for each (kernel, stride)."""
    r, j = 1, 1
    for k, s in layers:
        r += (k - 1) * j
        j *= s
    return r


def _jump_first(layers):
    # Typical slip: the jump is updated before it is used.
    r, j = 1, 1
    for k, s in layers:
        j *= s
        r += (k - 1) * j
    return r


def _no_jump(layers):
    # Typical slip: strides ignored.
    return 1 + sum(k - 1 for k, _ in layers)


def _kernel_sum(layers):
    # Typical slip: kernel sizes added up.
    return sum(k for k, _ in layers)


def _matches(formula):
    def matches(case):
        (layers,), result = case
        wrong = formula(layers)
        return wrong != _receptive_field(layers) and result == wrong

    return matches


_Q2_LAYERS = [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]

q1 = Question(
    "Q1 five stacked 3x3 convolutions",
    expected=11,
    mistakes={
        15: "Kernel sizes do not add up: neighbouring windows overlap, so each "
        "stride-1 layer adds K - 1 = 2 pixels.",
        10: "Off by one: start from a field of 1 pixel (the unit itself), then add 2 "
        "per layer.",
        9: "Count again: five layers, each adding 2 to a field of 1.",
        13: "That is six layers.",
    },
    hints=[
        "Start with r = 1. A stride-1 layer with a K x K kernel adds K - 1.",
        "1 + 5 * (3 - 1)",
    ],
    solution="1 + 5 * 2 = 11, as "
    "arithmetic.receptive_field_recurrence([(3,)] * 5)[-1].receptive_field says.",
)

q2 = Question(
    "Q2 conv, pool, conv, pool, conv",
    expected=_receptive_field(_Q2_LAYERS),
    mistakes={
        _no_jump(_Q2_LAYERS): "You ignored the strides: after a stride-2 pooling, one "
        "step of the next layer moves 2 input pixels (the jump doubles).",
        _jump_first(_Q2_LAYERS): "You multiplied the jump before using it: a layer's "
        "own stride affects only the layers *after* it.",
        _kernel_sum(_Q2_LAYERS): "Kernel sizes do not add up; use r += (k - 1) * j.",
        17: "Off by one: start from r = 1.",
    },
    hints=[
        "Keep two numbers, r (field) and j (jump), both starting at 1. For each layer: "
        "r += (k - 1) * j, then j *= s.",
        "conv3: r=3, j=1; pool2: r=4, j=2; conv3: r=8; pool2: r=10, j=4; then the last "
        "conv3.",
    ],
    solution="r: 3, 4, 8, 10, 18 (jumps 1, 2, 2, 4, 4): 18 pixels.",
)

q3 = Question(
    "Q3 the recurrence as a function",
    expected=_receptive_field,
    test_cases=[
        ([(3, 1)] * 3,),
        ([(3, 1), (2, 2), (3, 1)],),
        ([(11, 4), (3, 2), (5, 1), (3, 2), (3, 1), (3, 1), (3, 1), (3, 2)],),
        ([(5, 1), (2, 2), (5, 1), (2, 2)],),
        ([(7, 2), (3, 2), (3, 1), (3, 1)],),
    ],
    mistakes=[
        (
            _matches(_jump_first),
            "You update the jump before using it: add (k - 1) * j first, then "
            "multiply j by the stride.",
        ),
        (
            _matches(_no_jump),
            "Strides matter: keep the jump j (the product of the strides so far) and "
            "add (k - 1) * j.",
        ),
        (
            _matches(_kernel_sum),
            "Kernel sizes do not add up; use r += (k - 1) * j from r = 1.",
        ),
    ],
    hints=[
        "Start with r, j = 1, 1 and loop over (k, s).",
        "In the loop: r += (k - 1) * j; j *= s. Return r.",
    ],
    solution=(
        "def receptive_field(layers):\n"
        "    r, j = 1, 1\n"
        "    for k, s in layers:\n"
        "        r += (k - 1) * j\n"
        "        j *= s\n"
        "    return r"
    ),
)

q4 = Question(
    "Q4 the weights of three 3x3 layers",
    expected=3 * 3 * 3 * 64 * 64,
    mistakes={
        7 * 7 * 64 * 64: "That is the single 7x7 layer with the same receptive field.",
        27: "That is per pair of input and output channels; there are 64 x 64 pairs "
        "per layer.",
        3 * 3 * 64 * 64: "That is one layer; there are three.",
        3 * (3 * 3 * 64 * 64 + 64): "No biases this time: count the kernel weights "
        "only.",
    },
    hints=[
        "One 3x3 layer from 64 to 64 channels has 3 x 3 x 64 x 64 weights.",
        "Three of them: 3 x (3 x 3 x 64 x 64).",
    ],
    solution="3 * 9 * 64 * 64 = 110,592, against 49 * 64 * 64 = 200,704 for one 7x7 "
    "layer: 27 C^2 against 49 C^2 for the same 7x7 receptive field.",
)

q5 = Question(
    "Q5 how many 3x3 layers for a receptive field of 15",
    expected=7,
    mistakes={
        5: "Five 3x3 layers see 1 + 5 x 2 = 11 pixels.",
        6: "Off by one: 1 + 6 x 2 = 13.",
        8: "1 + 8 x 2 = 17 is more than needed.",
        7.5: "Each layer adds 2 to a field that starts at 1: (15 - 1) / 2.",
    },
    hints=[
        "n stride-1 3x3 layers see 1 + 2n pixels.",
        "Solve 1 + 2n = 15.",
    ],
    solution="(15 - 1) / 2 = 7 layers, with 7 x 9 = 63 weights per channel pair "
    "against 225 for one 15x15 kernel.",
)
