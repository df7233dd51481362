"""Checked exercises of lesson 10 (DenseNet): the channels a dense block gathers, what a
transition with compression keeps, and the parameters and multiply-adds of one
bottleneck layer (BN-ReLU-1x1 conv with 4k filters, BN-ReLU-3x3 conv with k)."""

from course_lib.checks import Question

BOTTLENECK_WIDTH = 4  # the 1x1 convolution of a bottleneck layer has 4k filters


def _block_channels(channels, num_layers, growth_rate):
    """Channels after a dense block: the input's plus ``growth_rate`` per layer."""
    return channels + num_layers * growth_rate


def _conv_block_weights(channels, growth_rate):
    """Weights of a bottleneck layer's two convolutions (no biases, no batch norm)."""
    width = BOTTLENECK_WIDTH * growth_rate
    return channels * width + 3 * 3 * width * growth_rate


def _conv_block_macs(channels, growth_rate, size):
    """Multiply-adds of one bottleneck layer on ``size`` x ``size`` maps."""
    return size * size * _conv_block_weights(channels, growth_rate)


# Q1: DenseNet-121's third dense block (stage4): 256 channels in, 24 layers, k = 32.
Q1_IN, Q1_LAYERS, Q1_K = 256, 24, 32
# Q2: DenseNet-BC (L = 190, k = 40), the paper's largest CIFAR network: a stem of 2k
# channels, (190 - 4) / 6 = 31 layers per block, then the first transition.
Q2_DEPTH, Q2_K, Q2_THETA = 190, 40, 0.5
Q2_LAYERS = (Q2_DEPTH - 4) // 6
Q2_BLOCK_OUT = _block_channels(2 * Q2_K, Q2_LAYERS, Q2_K)
# Q3: the last layer of DenseNet-BC-100's third block (stage3_block16): 150 channels
# from the second transition plus 15 earlier layers of k = 12.
Q3_IN, Q3_K = 150 + 15 * 12, 12
Q3_WEIGHTS = _conv_block_weights(Q3_IN, Q3_K)

q1 = Question(
    "Q1 channels after a dense block",
    expected=_block_channels(Q1_IN, Q1_LAYERS, Q1_K),
    mistakes={
        Q1_LAYERS * Q1_K: "That counts only the new maps: the block's input is "
        "concatenated too, and passes through unchanged.",
        Q1_IN: "Concatenation adds channels; it is addition (ResNet) that keeps the "
        "count fixed.",
        Q1_K: "That is what the last layer adds; the block's output holds the input "
        "and every layer's maps.",
        Q1_IN + Q1_K: "That is after one layer; the block has 24.",
        Q1_IN + Q1_LAYERS * BOTTLENECK_WIDTH * Q1_K: "4k is the width of the 1x1 "
        "bottleneck inside a layer; each layer adds only k maps to the block.",
    },
    hints=[
        "Each layer concatenates k new maps to everything before it: after l layers, "
        "k0 + l * k channels.",
        "256 + 24 * 32",
    ],
    solution="256 + 24 * 32 = 1,024 channels "
    "(densenet121().get_layer('stage4_block24_concat').output.shape[-1]).",
)

q2 = Question(
    "Q2 channels after the first transition of DenseNet-BC (L=190, k=40)",
    expected=int(Q2_BLOCK_OUT * Q2_THETA),
    mistakes={
        Q2_BLOCK_OUT: "That is the first block's output; the transition keeps only "
        "a fraction theta = 0.5 of it.",
        Q2_LAYERS * Q2_K // 2: "Compression halves all the channels the transition "
        "receives, the stem's 2k included.",
        Q2_LAYERS * Q2_K: "Add the stem's 2k channels, then halve the total.",
        int(_block_channels(2 * Q2_K, Q2_LAYERS - 1, Q2_K) * Q2_THETA): "Count "
        "again: a block has (L - 4) / 6 = 31 layers (the stem, two transitions and "
        "the dense layer are the other 4), and the CIFAR stem has 2k filters.",
    },
    hints=[
        "Layers per block: (L - 4) / 6. The stem has 2k channels; each layer adds k; "
        "the transition keeps floor(theta * channels).",
        "(2 * 40 + 31 * 40) * 0.5",
    ],
    solution="n = (190 - 4) / 6 = 31; the block ends with 80 + 31 * 40 = 1,320 "
    "channels and the transition keeps int(1,320 * 0.5) = 660 (build "
    "densenet_bc_cifar(depth=190, growth_rate=40) and read "
    "get_layer('transition1_conv').filters).",
)

q3 = Question(
    "Q3 weights of one bottleneck layer (two convolutions)",
    expected=Q3_WEIGHTS,
    mistakes={
        3 * 3 * Q3_IN * Q3_K: "That is a 3x3 convolution straight on all 330 "
        "channels: a DenseNet-B layer first reduces them with a 1x1 convolution to 4k.",
        Q3_IN * Q3_K
        + 3 * 3 * Q3_K * Q3_K: "The bottleneck has 4k = 48 filters, not k.",
        Q3_IN * BOTTLENECK_WIDTH * Q3_K: "That is the 1x1 convolution alone; add the "
        "3x3 one (48 -> 12 channels).",
        3 * 3 * BOTTLENECK_WIDTH * Q3_K * Q3_K: "That is the 3x3 convolution alone; "
        "add the 1x1 one (330 -> 48 channels).",
        Q3_WEIGHTS + 4 * Q3_IN + 4 * BOTTLENECK_WIDTH * Q3_K: "Leave batch norm out: "
        "count the two convolutions' weights only.",
    },
    hints=[
        "The 1x1 convolution maps 330 channels to 4k = 48; the 3x3 maps 48 to k = 12. "
        "Neither has a bias.",
        "330 * 48 + 3 * 3 * 48 * 12",
    ],
    solution="330 * 48 + 3 * 3 * 48 * 12 = 15,840 + 5,184 = 21,024 (a 3x3 "
    "convolution on all 330 channels would need 3 * 3 * 330 * 12 = 35,640).",
)


def _wrong_size(case):
    (channels, k, size), got = case
    return got == size * _conv_block_weights(channels, k) and size != 1


def _no_bottleneck(case):
    (channels, k, size), got = case
    return got == size * size * 3 * 3 * channels * k


def _only_3x3(case):
    (channels, k, size), got = case
    return got == size * size * 3 * 3 * BOTTLENECK_WIDTH * k * k


q4 = Question(
    "Q4 multiply-adds of one bottleneck layer",
    expected=_conv_block_macs,
    test_cases=[(24, 12, 32), (330, 12, 8), (64, 32, 56), (1000, 32, 7), (7, 5, 3)],
    mistakes=[
        (
            _wrong_size,
            "Every output position costs the weights once: multiply by "
            "size * size, not size.",
        ),
        (
            _no_bottleneck,
            "That is a 3x3 convolution on all the input channels; the "
            "layer has a 1x1 bottleneck to 4k channels first.",
        ),
        (_only_3x3, "Add the 1x1 convolution's multiply-adds."),
    ],
    hints=[
        "A convolution with 'same' padding and stride 1 costs (its weights) x "
        "(output positions) multiply-adds.",
        "size * size * (channels * 4 * k + 3 * 3 * 4 * k * k)",
    ],
    solution="def conv_block_macs(channels, growth_rate, size):\n"
    "    width = 4 * growth_rate\n"
    "    return size * size * (channels * width + 9 * width * growth_rate)",
)
