"""Checked exercises of lesson 03 (convolution arithmetic): the output-size formula,
TensorFlow's "same" padding, one output cell by hand, transposed and dilated kernels."""

import math

import numpy as np

from course_lib.checks import Question

# The worked example of the lesson (the lesson defines the same arrays; a hidden test
# checks that they agree).
EXAMPLE_INPUT = np.array(
    [
        [1, 2, 0, 1, 3],
        [0, 1, 3, 2, 1],
        [2, 0, 1, 0, 2],
        [1, 3, 2, 1, 0],
        [0, 1, 0, 2, 1],
    ]
)
EXAMPLE_KERNEL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])


def _conv_output_size(w, k, s, p):
    """Reference: floor((W - K + 2P) / S) + 1."""
    return (w - k + 2 * p) // s + 1


def _case_matches(formula):
    """A predicate for function questions: the learner's result equals ``formula``'s
    (which differs from the right one) on this test case."""

    def matches(case):
        args, result = case
        wrong = formula(*args)
        right = _conv_output_size(*args)
        return wrong != right and np.isclose(float(result), float(wrong))

    return matches


q1 = Question(
    "Q1 the output-size formula",
    expected=_conv_output_size,
    test_cases=[
        (5, 3, 2, 1),
        (5, 3, 1, 0),
        (224, 11, 4, 2),
        (227, 11, 4, 0),
        (32, 5, 1, 2),
        (7, 3, 2, 0),
        (6, 3, 2, 1),
    ],
    mistakes=[
        (
            _case_matches(lambda w, k, s, p: (w - k + 2 * p) // s),
            "Off by one: you forgot the + 1 (the kernel's first position counts too).",
        ),
        (
            _case_matches(lambda w, k, s, p: (w - k + 2 * p) / s + 1),
            "The result must be a whole number: a window that does not fit is dropped, "
            "so round down with //.",
        ),
        (
            _case_matches(lambda w, k, s, p: (w - k + p) // s + 1),
            "Padding is added on *both* sides: use 2 * P.",
        ),
        (
            _case_matches(lambda w, k, s, p: math.ceil((w - k + 2 * p) / s) + 1),
            "Round down (floor), not up: a window hanging over the edge is not "
            "computed.",
        ),
        (
            _case_matches(lambda w, k, s, p: (w - k + 2 * p) // s - 1),
            "It is + 1, not - 1.",
        ),
    ],
    hints=[
        "Count the positions the kernel's left edge can take: from 0 to W + 2P - K, in "
        "steps of S.",
        "return (w - k + 2 * p) // s + 1",
    ],
    solution="def conv_output_size(w, k, s, p):\n    return (w - k + 2 * p) // s + 1",
)

q2 = Question(
    "Q2 TensorFlow's 'same' padding",
    expected=(0, 1),
    mistakes={
        (1, 0): "Right total, wrong side: TensorFlow puts the extra pixel *after* "
        "(bottom/right).",
        (1, 1): "With stride 2 the output has ceil(6 / 2) = 3 units, which needs only "
        "(3 - 1) * 2 + 3 - 6 = 1 pixel of padding in total.",
        (0, 0): "Without padding, 'valid' gives (6 - 3) // 2 + 1 = 2 units; 'same' "
        "promises ceil(6 / 2) = 3.",
        (2, 2): "'same' pads only as much as needed for ceil(W / S) outputs.",
    },
    hints=[
        "'same' gives ceil(W / S) outputs. The total padding is "
        "max((out - 1) * S + K - W, 0).",
        "Split the total as (total // 2, total - total // 2): the odd pixel goes "
        "after.",
    ],
    solution="out = ceil(6 / 2) = 3; total = (3 - 1) * 2 + 3 - 6 = 1; "
    "(before, after) = (0, 1). arithmetic.same_padding(6, 3, stride=2) says the same.",
)


def _cell(rows, cols, kernel=EXAMPLE_KERNEL):
    return int(np.sum(EXAMPLE_INPUT[rows, cols] * kernel))


_RIGHT = _cell(slice(1, 4), slice(2, 5))

q3 = Question(
    "Q3 one output cell by hand",
    expected=_RIGHT,
    mistakes={
        _cell(slice(2, 5), slice(1, 4)): "That is output (2, 1): rows and columns are "
        "swapped. Output (1, 2) reads input rows 1-3 and columns 2-4.",
        _cell(slice(1, 4), slice(2, 5), EXAMPLE_KERNEL[:, ::-1]): "Deep-learning "
        "'convolution' does not flip the kernel (it is a cross-correlation): multiply "
        "each input value by the kernel value at the same place.",
        int(np.sum(EXAMPLE_INPUT[1:4, 2:5])): "Multiply each value of the patch by the "
        "kernel weight at the same place before adding.",
        _cell(slice(0, 3), slice(1, 4)): "Off by one: indices start at 0, so output "
        "(1, 2) starts at input row 1, column 2.",
    },
    hints=[
        "Output cell (row 1, column 2) sees the 3x3 patch EXAMPLE_INPUT[1:4, 2:5].",
        "Multiply the patch element-wise by the kernel and add the nine products.",
    ],
    solution=f"np.sum(EXAMPLE_INPUT[1:4, 2:5] * EXAMPLE_KERNEL) = {_RIGHT}: the left "
    "column of the patch minus its right column.",
)

q4 = Question(
    "Q4 a transposed convolution's output size",
    expected=(4 - 1) * 2 + 3,
    mistakes={
        4 * 2: "W x S is the size with 'same' padding; with 'valid' the kernel adds "
        "K - S more.",
        (4 - 1) * 2 + 1: "You placed the input units S apart but forgot the kernel's "
        "extent: add K, not 1.",
        4 * 2 + 3: "The first input unit contributes at position 0: it is "
        "(W - 1) x S + K.",
        (4 - 3) // 2 + 1: "That is a *direct* convolution's formula: a transposed one "
        "enlarges.",
    },
    hints=[
        "Each of the 4 input units paints a 3x3 copy of the kernel, S = 2 pixels after "
        "the previous one.",
        "(W - 1) * S + K",
    ],
    solution="(4 - 1) * 2 + 3 = 9: the inverse shape of a 3x3/2 valid convolution, "
    "which maps 9 to 4. arithmetic.transposed_conv_output_size(4, 3, stride=2) "
    "says the same.",
)

q5 = Question(
    "Q5 a dilated kernel's span",
    expected=3 + (3 - 1) * (3 - 1),
    mistakes={
        9: "A 3x3 kernel with dilation 3 spans K + (K - 1)(D - 1) pixels, not K x D.",
        6: "Between the 3 taps there are 2 gaps of D - 1 = 2 holes each: 3 + 4.",
        5: "That is dilation 2; here the dilation is 3.",
        3: "Dilation inserts holes between the taps: the kernel spans more pixels.",
    },
    hints=[
        "Dilation D puts D - 1 holes between neighbouring kernel taps.",
        "K + (K - 1) * (D - 1)",
    ],
    solution="3 + (3 - 1) * (3 - 1) = 7, as "
    "arithmetic.effective_kernel_size(3, dilation=3) says.",
)
