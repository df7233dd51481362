"""Checked exercises of lesson 06a (AlexNet): sizes, grouped convolutions, measuring
"faster", augmentation, dropout's scaling."""

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
        54: "That is what a 224x224 input without padding gives ((224 - 11) // 4 + "
        "1): the paper's stated 55x55 maps need 227x227 inputs, or 224x224 with 2 "
        "pixels of padding.",
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
    "Q3 epochs to 25 % training error",
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

# A 224-pixel crop of a 256-pixel side can start at 0, 1, ..., 32.
_CROP_STARTS = 256 - 224 + 1

q4 = Question(
    "Q4 AlexNet's augmentation factor",
    expected=_CROP_STARTS**2 * 2,
    mistakes={
        2048: "That is the paper's figure (section 4.1), 32 x 32 x 2: it counts "
        "256 - 224 = 32 start positions per axis, but a crop can start at 0, 1, ..., "
        "32, which is 33 positions.",
        1089: "You counted the 33 x 33 crop positions but not the horizontal flips "
        "(x 2).",
        1024: "Count the start positions again (0 to 32 is 33 of them), and multiply "
        "by 2 for the flips.",
        66: "A crop moves along both axes: 33 x 33 positions, then x 2 for the flips.",
        2: "Count the crop positions too, not only the flips.",
    },
    hints=[
        "A 224-pixel window inside 256 pixels can start at 0, 1, ..., 256 - 224: "
        "count them. It is the output size of a 224x224 'convolution' with stride 1 "
        "(arithmetic.conv_output_size(256, 224)).",
        "(256 - 224 + 1) ** 2 * 2",
    ],
    solution="(256 - 224 + 1) ** 2 * 2 = 33 ** 2 * 2 = 2,178. The paper states "
    "2048 = 32 ** 2 * 2 (section 4.1), which counts 256 - 224 = 32 positions per "
    "axis: an approximation of the same factor.",
)

q5 = Question(
    "Q5 Keras's dropout scaling at training time",
    expected=2.0,
    mistakes={
        0.5: "That is what AlexNet did at test time: it used every unit and "
        "multiplied the outputs by 0.5. Keras's Dropout scales during training "
        "instead, by 1 / (1 - rate), and does nothing at inference.",
        1: "Keras's Dropout does scale the units it keeps, so that their expected "
        "value stays the same as without dropout.",
        1.5: "Divide by the share of units kept: 1 / (1 - rate).",
    },
    hints=[
        "Keras uses 'inverted' dropout: the kept units are scaled during training so "
        "that inference needs no change.",
        "1 / (1 - 0.5)",
    ],
    solution="1 / (1 - 0.5) = 2: each kept unit is doubled during training, so its "
    "expected value is unchanged (AlexNet instead multiplied every output by 0.5 at "
    "test time; the two differ by a factor the next layer's weights absorb).",
)
