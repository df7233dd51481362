"""Checked exercises of lesson 09 (ResNet): the weights of a basic block, the 6n + 2
depth rule of the CIFAR-10 nets, the multiply-adds of a bottleneck block, and the
shape a shortcut must produce when a block changes the size."""

from course_lib.checks import Question

# A basic block of the CIFAR nets' first stage: two 3x3 convolutions, 16 -> 16
# channels, no biases (batch norm follows each).
BASIC_16_WEIGHTS = 2 * 3 * 3 * 16 * 16

# The paper's bottleneck on a 256-d input at 56x56: 1x1 256->64, 3x3 64->64,
# 1x1 64->256, one multiply-add per weight and output pixel.
BOTTLENECK_WEIGHTS = 256 * 64 + 3 * 3 * 64 * 64 + 64 * 256
BOTTLENECK_MACS = BOTTLENECK_WEIGHTS * 56 * 56


def _cifar_depth(n):
    """Layers with weights of a CIFAR ResNet with ``n`` blocks per stage."""
    return 6 * n + 2


q1 = Question(
    "Q1 weights of a basic block with 16 channels",
    expected=BASIC_16_WEIGHTS,
    mistakes={
        3 * 3 * 16 * 16: "That is one 3x3 convolution; a basic block has two.",
        BASIC_16_WEIGHTS + 2 * 16: "Leave the biases out: the block's convolutions "
        "have none (batch norm follows each, and its shift replaces a bias).",
        BASIC_16_WEIGHTS + 4 * 16: "Count the convolutions' weights only, not "
        "batch norm's scales and shifts.",
        2 * 3 * 3 * 16: "Each filter sees all 16 input channels: 3 x 3 x 16 weights "
        "per filter, and there are 16 filters per convolution.",
    },
    hints=[
        "A 3x3 convolution from C to C channels has 3 * 3 * C * C weights; the basic "
        "block has two of them, and its shortcut (identity here) has none.",
        "2 * 3 * 3 * 16 * 16",
    ],
    solution="2 * 3 * 3 * 16 * 16 = 4,608 (model.get_layer('stage1_block1_conv1')"
    ".count_params() is half of it).",
)

q2 = Question(
    "Q2 the depth of a CIFAR ResNet with n blocks per stage",
    expected=_cifar_depth,
    test_cases=[(1,), (3,), (5,), (9,), (18,)],
    mistakes=[
        (
            lambda case: case[0] == (3,) and case[1] == 18,
            "6n counts the convolutions of the blocks only: add the first 3x3 "
            "convolution and the dense layer.",
        ),
        (
            lambda case: case[0] == (3,) and case[1] == 11,
            "Each basic block has two convolutions, and there are three stages.",
        ),
        (
            lambda case: case[0] == (3,) and case[1] == 20 + 2,
            "The shortcuts have no weights with option A: do not count them.",
        ),
    ],
    hints=[
        "Three stages of n basic blocks, two 3x3 convolutions per block; then add "
        "the layers outside the stages that have weights.",
        "3 stages * n blocks * 2 convolutions + the first convolution + the dense "
        "layer",
    ],
    solution="def cifar_depth(n):\n    return 6 * n + 2\n"
    "# n = 3: ResNet-20, n = 9: ResNet-56, n = 18: ResNet-110",
)

q3 = Question(
    "Q3 multiply-adds of a bottleneck block on 56x56x256",
    expected=BOTTLENECK_MACS,
    mistakes={
        BOTTLENECK_WEIGHTS: "That is the number of weights; every weight is used "
        "once per output pixel, 56 x 56 times.",
        2 * 3 * 3 * 256 * 256 * 56 * 56: "That is two 3x3 convolutions at 256 "
        "channels, the block the bottleneck replaces.",
        3 * 3 * 64 * 64 * 56 * 56: "That is the 3x3 convolution alone; add the two "
        "1x1 convolutions.",
        (256 * 64 + 3 * 3 * 64 * 64) * 56 * 56: "Add the last 1x1 convolution, "
        "64 -> 256 channels.",
    },
    hints=[
        "A convolution's multiply-adds: kernel height x width x input channels x "
        "output channels x output height x width.",
        "(256 * 64 + 3 * 3 * 64 * 64 + 64 * 256) * 56 * 56",
    ],
    solution="(256 * 64 + 9 * 64 * 64 + 64 * 256) * 56 * 56 = 69,632 * 3,136 = "
    "218,365,952, against 3,699,376,128 for two 3x3 convolutions at 256 channels.",
)

q4 = Question(
    "Q4 the shape of the shortcut of stage3_block1 in a CIFAR ResNet",
    expected=(8, 8, 64),
    mistakes={
        (16, 16, 32): "That is the block's input: an identity shortcut would have "
        "this shape, which cannot be added to F(x).",
        (16, 16, 64): "The block's first convolution has stride 2: the shortcut "
        "must halve the height and width too.",
        (8, 8, 32): "F(x) has twice the channels: the shortcut must add 32 zero "
        "channels (option A) or project to 64 (option B).",
    },
    hints=[
        "The shortcut's output is added element by element to F(x): it must have "
        "F(x)'s shape.",
        "Stage 3's first convolution has stride 2 and 4 x 16 = 64 filters.",
    ],
    solution="(8, 8, 64): option A keeps every other pixel (16x16 -> 8x8) and pads "
    "32 zero channels; option B uses a 1x1 convolution with stride 2 and 64 filters.",
)
