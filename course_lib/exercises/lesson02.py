"""Checked exercises of lesson 02 (from MLP to CNN): parameters of dense and
convolutional layers, connections, and how pooling changes a shift."""

from course_lib.checks import Question

q1 = Question(
    "Q1 a dense layer on an ImageNet-sized image",
    expected=224 * 224 * 3 * 1000 + 1000,
    mistakes={
        224 * 224 * 3 * 1000: "You counted the weights but not the 1,000 biases.",
        224 * 224 * 1000 + 1000: "The image has 3 colour channels: 224 x 224 x 3 "
        "inputs.",
        224 * 224 * 3 + 1000: "Every one of the 1,000 units has its own weight for "
        "every input.",
        224 * 224 * 3 * 1000 + 224 * 224 * 3: "There is one bias per *unit* (1,000), "
        "not per input.",
    },
    hints=[
        "Flattened, the image has 224 x 224 x 3 = 150,528 inputs; each unit sees all "
        "of them.",
        "weights = inputs x units; biases = units.",
    ],
    solution="224 * 224 * 3 * 1000 + 1000 = 150,529,000 parameters, for a single "
    "layer.",
)

q2 = Question(
    "Q2 a convolutional layer's parameters",
    expected=5 * 5 * 3 * 64 + 64,
    mistakes={
        5 * 5 * 3 * 64: "You counted the weights but not the 64 biases (one per "
        "filter).",
        5 * 5 * 64 + 64: "Each filter spans all 3 input channels: it is 5 x 5 x 3.",
        5 * 5 * 3 + 1: "That is one filter; the layer has 64 of them.",
        32 * 32 * (5 * 5 * 3 * 64 + 64): "The count does not depend on the image size: "
        "the same filters are reused at every position (weight sharing).",
    },
    hints=[
        "One filter is 5 x 5 x 3 weights plus a bias; there is one filter per output "
        "channel.",
        "(5 * 5 * 3 + 1) * 64",
    ],
    solution="(5 * 5 * 3 + 1) * 64 = 4,864, whatever the image size: "
    "keras.layers.Conv2D(64, 5) on a 3-channel input has the same count.",
)

# Q3: a Conv2D(64, 5, padding="same") on a 32x32x3 image.
SIZE, KERNEL, IN_CHANNELS, FILTERS = 32, 5, 3, 64


def _inputs_per_axis(size, kernel):
    """Input positions under each window along one axis, summed over the outputs of a
    stride-1 "same" convolution: near the border a window covers padding zeros, which
    are not inputs."""
    before = (kernel - 1) // 2  # zeros added before the image
    return sum(
        min(start + kernel, size) - max(start, 0)
        for start in range(-before, size - before)
    )


REAL_CONNECTIONS = _inputs_per_axis(SIZE, KERNEL) ** 2 * IN_CHANNELS * FILTERS
WITH_PADDING = SIZE * SIZE * FILTERS * KERNEL * KERNEL * IN_CHANNELS

q3 = Question(
    "Q3 the same layer's connections to the image",
    expected=REAL_CONNECTIONS,
    mistakes={
        WITH_PADDING: "That counts the padding zeros too. With 'same' padding the "
        "windows at the border hang over the zero frame, and a zero added around the "
        "image is not one of its values: count only the image's values under each "
        "window.",
        5 * 5 * 3 * 64: "That is the number of distinct weights; each is used at every "
        "one of the 32 x 32 positions.",
        32 * 32 * 64 * (5 * 5 * 3 + 1): "A bias is not a connection to an input value: "
        "count only input-to-output links.",
        32 * 32 * 3 * 32 * 32 * 64: "That would be a dense layer: each output unit "
        "connects only to the input values under its window (sparse connectivity).",
        _inputs_per_axis(SIZE, KERNEL) ** 2 * IN_CHANNELS: "There are 64 output "
        "channels, each with its own 32 x 32 map.",
        _inputs_per_axis(SIZE, KERNEL) ** 2 * FILTERS: "Each window spans the 3 colour "
        "channels.",
    },
    hints=[
        "Output units: 32 x 32 positions x 64 channels ('same' padding keeps 32 x 32). "
        "A window in the middle covers 5 x 5 x 3 image values; one at the border "
        "fewer, the rest of it lies on padding zeros.",
        "The count factorises by axis. Along one axis 'same' adds 2 zeros on each "
        "side: output positions 0 and 31 see 3 real rows, positions 1 and 30 see 4, "
        "the other 28 see all 5. Multiply the two axes' sums by 3 channels and 64 "
        "filters.",
    ],
    solution=f"Per axis, 28 x 5 + 2 x 4 + 2 x 3 = {_inputs_per_axis(SIZE, KERNEL)} "
    f"input positions in all; {_inputs_per_axis(SIZE, KERNEL)} ** 2 * 3 * 64 = "
    f"{REAL_CONNECTIONS:,} connections to the image's values "
    f"({WITH_PADDING:,} if the padding zeros counted), served by only "
    f"{KERNEL * KERNEL * IN_CHANNELS * FILTERS:,} shared weights.",
)

q4 = Question(
    "Q4 a shift after 2x2 pooling",
    expected=1,
    mistakes={
        2: "The pooled map has half the resolution: one of its cells covers 2 input "
        "pixels.",
        0: "Pooling hides shifts smaller than its window, but a 2-pixel shift with a "
        "2x2 window moves every window by exactly one cell.",
        0.5: "2 pixels / stride 2 = 1 cell.",
        4: "Pooling divides the shift by its stride; it does not multiply it.",
    },
    hints=[
        "A stride-1 'same' convolution shifts its output by as many pixels as its "
        "input.",
        "2x2 pooling with stride 2 keeps one cell per 2 pixels: divide the shift by "
        "the stride.",
    ],
    solution="The convolution's map moves by 2 pixels (equivariance); the 2x2/2 "
    "pooling turns 2 pixels into 2 / 2 = 1 cell.",
)
