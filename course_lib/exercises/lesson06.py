"""Checked exercises of lesson 06 (AlexNet and ZFNet): sizes, grouped convolutions,
overlapping pooling, measuring "faster", augmentation."""

from course_lib.checks import Question, compare_values


def _epochs_to_error(errors, target):
    """First epoch (counting from 1) whose training error is at most ``target``."""
    for epoch, error in enumerate(errors, start=1):
        if error <= target:
            return epoch
    return None


def _compare_epochs(answer, expected):
    """Like compare_values, with None meaning "never reached"."""
    if expected is None:
        if answer is None:
            return None
        return f"Expected None (never reached), got {answer!r}."
    if answer is None:
        return (
            f"The target is reached at epoch {expected}, but your function "
            "returned None."
        )
    return compare_values(answer, expected)


q1 = Question(
    "Q1 AlexNet's conv1 output side",
    expected=55,
    mistakes={
        54: "That is what a 224x224 input gives ((224 - 11) // 4 + 1): the paper's "
        "stated 55x55 maps need 227x227 inputs (or padding).",
        56: "Check the arithmetic: (227 - 11) / 4 = 54, then + 1.",
        217: "The stride is 4: divide (W - K) by it before adding 1.",
    },
    hints=[
        "Output side = (W - K + 2P) // S + 1 with W = 227, K = 11, S = 4, P = 0.",
        "arithmetic.conv_output_size(227, 11, 4) computes it.",
    ],
    solution="(227 - 11) // 4 + 1 = 55 (arithmetic.conv_output_size(227, 11, 4)).",
)

q2 = Question(
    "Q2 conv2's parameters with two streams",
    expected=307456,
    mistakes={
        614656: "That is the single-stream conv2: with two groups each filter sees "
        "only the 48 maps on its own GPU, not all 96.",
        307200: "You forgot the 256 biases.",
        153728: "Only the inputs of each filter are halved (96 -> 48); there are "
        "still 256 filters.",
    },
    hints=[
        "conv2 has 256 filters of 5x5; with groups=2 each filter sees 96 / 2 = 48 "
        "channels.",
        "5 * 5 * 48 * 256 + 256",
    ],
    solution="5 * 5 * (96 // 2) * 256 + 256 = 307,456, half the single stream's "
    "614,656 weights (the biases are not halved).",
)

q3 = Question(
    "Q3 overlapping pooling on conv5's maps",
    expected=6,
    mistakes={
        7: "Pooling rounds down: a 3x3 window that would hang over the edge is dropped "
        "((13 - 3) // 2 + 1).",
        5: "Check the + 1: (13 - 3) // 2 + 1.",
        4: "The stride is 2, not 3: the windows overlap.",
    },
    hints=[
        "A 3x3 max pooling with stride 2 and no padding on 13x13 maps.",
        "arithmetic.pool_output_size(13, 3, 2)",
    ],
    solution="(13 - 3) // 2 + 1 = 6: AlexNet's last maps are 6x6x256 (9,216 values "
    "feed fc1).",
)

q4 = Question(
    "Q4 epochs to 25 % training error",
    expected=_epochs_to_error,
    comparer=_compare_epochs,
    test_cases=[
        ([0.6, 0.4, 0.3, 0.24, 0.2], 0.25),
        ([0.5, 0.25, 0.1], 0.25),
        ([0.9, 0.8], 0.25),
        ([0.2], 0.25),
    ],
    mistakes=[
        (
            lambda case: case[0] == ([0.6, 0.4, 0.3, 0.24, 0.2], 0.25) and case[1] == 3,
            "Off by one: epochs count from 1, list indices from 0.",
        ),
        (
            lambda case: case[0] == ([0.5, 0.25, 0.1], 0.25) and case[1] == 3,
            "Reaching the target counts: use <= (an error of exactly 0.25 is 25 %).",
        ),
        (
            lambda case: case[0] == ([0.9, 0.8], 0.25) and case[1] is not None,
            "When the target is never reached, return None.",
        ),
    ],
    hints=[
        "Walk through the errors with enumerate(errors, start=1) and return the first "
        "epoch whose error is <= target.",
        "After the loop, return None.",
    ],
    solution=(
        "def epochs_to_error(errors, target):\n"
        "    for epoch, error in enumerate(errors, start=1):\n"
        "        if error <= target:\n"
        "            return epoch\n"
        "    return None\n"
        "# training.epochs_to(history, 'accuracy', 0.75) does the same on accuracies."
    ),
)

q5 = Question(
    "Q5 AlexNet's augmentation factor",
    expected=2048,
    mistakes={
        1024: "You counted the crop positions but not the horizontal flips (x 2).",
        64: "A 224x224 crop can start at 32 positions along each axis: 32 x 32 of "
        "them.",
        2: "Count the crop positions too, not only the flips.",
        2178: "The crop starts at 0..31 (32 positions, 256 - 224), not 0..32.",
    },
    hints=[
        "A 224x224 window inside a 256x256 image can start at 256 - 224 = 32 positions "
        "along each axis.",
        "(256 - 224) ** 2 * 2",
    ],
    solution="(256 - 224) ** 2 * 2 = 2048, the factor the paper states (section 4.1).",
)
