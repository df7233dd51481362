"""Checked exercises of lesson 05 (LeNet-5 on MNIST): shapes, parameters, padding."""

from course_lib.checks import Question


def _s4_side(size):
    """Side of S4's maps for a square input: C1 (5x5 valid), S2 (2x2/2), C3, S4."""
    for _ in range(2):
        size = size - 5 + 1  # 5x5 convolution, no padding
        size = (size - 2) // 2 + 1  # 2x2 pooling, stride 2
    return size


q1 = Question(
    "Q1 the shape of C3's output",
    expected=(10, 10, 16),
    mistakes={
        (10, 10, 6): "The spatial size is right, but C3 has 16 filters: the channels "
        "are the filters.",
        (14, 14, 16): "That is what 'same' padding would give; LeNet's convolutions "
        "use no padding.",
        (9, 9, 16): "Off by one: the output size is (W - K) / S + 1, do not forget "
        "the + 1.",
        (11, 11, 16): "Check the kernel: C3's filters are 5x5, so the size shrinks by "
        "5 - 1 = 4.",
    },
    hints=[
        "C3 applies 16 filters of 5x5 to S2's 14x14x6 maps, stride 1, no padding.",
        "Output side: 14 - 5 + 1. Output channels: the number of filters.",
    ],
    solution="(14 - 5 + 1, 14 - 5 + 1, 16) = (10, 10, 16); "
    "model.get_layer('block2_conv1').output.shape[1:] says the same.",
)

q2 = Question(
    "Q2 parameters of C1",
    expected=156,
    mistakes={
        150: "You counted the weights (5 x 5 x 1 x 6) but not the 6 biases.",
        4704: "That is the number of C1's outputs (28 x 28 x 6), not of its "
        "parameters.",
        122304: "That is the number of connections the 1998 paper counts "
        "(156 x 28 x 28): thanks to weight sharing, the parameters are far fewer.",
        30: "Each of the 6 filters has 5 x 5 = 25 weights plus a bias: 26 per filter.",
    },
    hints=[
        "A filter of C1 is 5 x 5 x 1 (one input channel) and has one bias.",
        "(5 * 5 * 1 + 1) * 6",
    ],
    solution="(5 * 5 * 1 + 1) * 6 = 156, "
    "the same as model.get_layer('block1_conv1').count_params().",
)

q3 = Question(
    "Q3 parameters of C5",
    expected=48120,
    mistakes={
        48000: "You forgot the 120 biases.",
        3120: "Each C5 filter sees all 16 maps of S4: 5 x 5 x 16 weights, not 5 x 5.",
        10164: "That is F6 (120 x 84 + 84), the layer after C5.",
        1920: "5 x 5 x 16 = 400 weights per filter, and there are 120 filters.",
    },
    hints=[
        "C5 applies 120 filters of 5 x 5 x 16 to S4's 5x5x16 maps.",
        "(5 * 5 * 16 + 1) * 120. A Dense(120) on the 400 flattened values has the "
        "same count.",
    ],
    solution="(5 * 5 * 16 + 1) * 120 = 48,120 = 400 * 120 + 120, "
    "model.get_layer('fc1').count_params().",
)

q4 = Question(
    "Q4 S4's side for any input size",
    expected=_s4_side,
    test_cases=[(32,), (28,), (36,), (30,), (40,)],
    mistakes=[
        (
            lambda case: case[0] == (30,) and case[1] == 5,
            "For 30x30 inputs the 9x9 maps of C3 pool to 4x4: pooling rounds down "
            "(floor), it does not round up.",
        ),
        (
            lambda case: case[0] == (32,) and case[1] == 4,
            "Off by one for 32x32 inputs (the paper's 5x5): check the + 1 of "
            "(W - K) // S + 1.",
        ),
    ],
    hints=[
        "Apply two rounds of: 5x5 convolution (size - 5 + 1), then 2x2 pooling with "
        "stride 2 ((size - 2) // 2 + 1).",
        "Use integer division (//): a pooling window that does not fit is dropped.",
    ],
    solution=(
        "def s4_side(size):\n"
        "    for _ in range(2):\n"
        "        size = size - 5 + 1\n"
        "        size = (size - 2) // 2 + 1\n"
        "    return size"
    ),
)
