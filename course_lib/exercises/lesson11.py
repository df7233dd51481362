"""Checked exercises of lesson 11 (lightweight networks): the cost of a depthwise
separable convolution, its ratio to a standard one, a fire module's parameters, the
channel shuffle's permutation and a model's size in 16-bit floats."""

from course_lib.checks import Question

# Q1: MobileNet v1's conv_dw_7 / conv_pw_7 at 224x224: a 14x14x512 map, 512 outputs.
Q1_SIZE, Q1_IN, Q1_OUT, Q1_K = 14, 512, 512, 3
_Q1_DW = Q1_SIZE * Q1_SIZE * Q1_K * Q1_K * Q1_IN
_Q1_PW = Q1_SIZE * Q1_SIZE * Q1_IN * Q1_OUT
_Q1_STANDARD = Q1_SIZE * Q1_SIZE * Q1_K * Q1_K * Q1_IN * Q1_OUT

# Q3: SqueezeNet 1.0's fire2: 96 input channels, squeeze 16, expand 64 (1x1) + 64 (3x3).
Q3_IN, Q3_S, Q3_E1, Q3_E3 = 96, 16, 64, 64
_Q3_WEIGHTS = Q3_IN * Q3_S + Q3_S * Q3_E1 + 9 * Q3_S * Q3_E3
_Q3_PARAMS = _Q3_WEIGHTS + Q3_S + Q3_E1 + Q3_E3

# Q5: SqueezeNet 1.0's parameters (torchvision's squeezenet1_0, the builder's default).
Q5_PARAMS = 1_248_424


def _separable_ratio(n, k):
    """Multiply-adds of a depthwise separable convolution over a standard one."""
    return 1 / n + 1 / k**2


def _shuffle(channels, groups):
    """Input channel at each output position of a channel shuffle."""
    n = channels // groups
    return [a * n + b for b in range(n) for a in range(groups)]


def _is_inverse(case):
    (channels, groups), result = case
    return groups not in (1, channels) and list(result) == _shuffle(
        channels, channels // groups
    )


q1 = Question(
    "Q1 multiply-adds of a depthwise separable 3x3 convolution, 14x14x512 -> 512",
    expected=_Q1_DW + _Q1_PW,
    mistakes={
        _Q1_STANDARD: "That is a standard 3x3 convolution. Depthwise separable: a 3x3 "
        "depthwise filter per channel, then a 1x1 convolution across channels.",
        _Q1_PW: "That is the pointwise (1x1) part only; add the depthwise 3x3 part.",
        _Q1_DW: "That is the depthwise part only; add the pointwise 1x1 part.",
        Q1_K * Q1_K * Q1_IN + Q1_IN * Q1_OUT: "That is the cost of one output "
        "position; the map has 14 x 14 of them.",
    },
    hints=[
        "Depthwise: every output position applies one 3x3 filter to each of the 512 "
        "channels. Pointwise: every position mixes 512 channels into 512.",
        "14 * 14 * (3 * 3 * 512 + 512 * 512)",
    ],
    solution="14 * 14 * (9 * 512 + 512 * 512) = 52,283,392 "
    "(903,168 depthwise + 51,380,224 pointwise), against 462,422,016 for a "
    "standard 3x3 convolution.",
)

q2 = Question(
    "Q2 separable / standard cost ratio for N output channels and a KxK kernel",
    expected=_separable_ratio,
    test_cases=[(512, 3), (64, 3), (1024, 3), (32, 5), (256, 7)],
    mistakes=[
        (
            lambda case: abs(case[1] - (1 / case[0][0] + 1 / case[0][1])) < 1e-12,
            "The depthwise part saves a factor K^2 (all kernel positions), not K.",
        ),
        (
            lambda case: abs(case[1] - 1 / (case[0][0] * case[0][1] ** 2)) < 1e-12,
            "The two parts add up, they do not multiply: depthwise K^2 M plus "
            "pointwise M N, divided by K^2 M N.",
        ),
        (
            lambda case: abs(case[1] * _separable_ratio(*case[0]) - 1) < 1e-9,
            "That is standard over separable (the saving); the question asks for "
            "separable over standard, a number below 1.",
        ),
    ],
    hints=[
        "Per output position: depthwise K^2 M, pointwise M N, standard K^2 M N "
        "(M input channels). Divide and simplify: M cancels.",
        "1 / n + 1 / k ** 2",
    ],
    solution="def separable_ratio(n, k):\n    return 1 / n + 1 / k**2",
)

q3 = Question(
    "Q3 parameters of SqueezeNet's fire2 (96 in, s=16, e1=64, e3=64, with biases)",
    expected=_Q3_PARAMS,
    mistakes={
        _Q3_WEIGHTS: "You counted the weights only; every convolution has biases "
        "(16 + 64 + 64).",
        Q3_IN * Q3_S
        + Q3_IN * Q3_E1
        + 9 * Q3_IN * Q3_E3
        + Q3_S
        + Q3_E1
        + Q3_E3: "The expand layers see the squeezed 16 channels, not the 96 inputs.",
        Q3_IN * Q3_S + Q3_S * Q3_E1 + Q3_S * Q3_E3 + Q3_S + Q3_E1 + Q3_E3: "The "
        "expand3x3 filters are 3x3: 9 weights per input channel.",
        9 * Q3_IN * (Q3_E1 + Q3_E3) + Q3_E1 + Q3_E3: "That is one 3x3 convolution from "
        "96 to 128 channels, what the fire module replaces.",
    },
    hints=[
        "Three convolutions: squeeze 1x1 (96 -> 16), expand1x1 (16 -> 64) and "
        "expand3x3 (16 -> 64, 3x3 kernel), each with one bias per filter.",
        "(96 * 16 + 16) + (16 * 64 + 64) + (9 * 16 * 64 + 64)",
    ],
    solution="1,552 + 1,088 + 9,280 = 11,920 "
    "(squeezenet().get_layer('fire2_squeeze').count_params() and the two expands).",
)

q4 = Question(
    "Q4 the channel shuffle's order: input channel at each output position",
    expected=_shuffle,
    test_cases=[(6, 2), (6, 3), (12, 3), (8, 4), (12, 4), (4, 1), (5, 5)],
    mistakes=[
        (
            _is_inverse,
            "That is the inverse permutation (the groups and the channels per group "
            "swapped): output channel b * g + a is input channel a * n + b.",
        ),
        (
            lambda case: (
                list(case[1]) == list(range(case[0][0]))
                and case[0][1] not in (1, case[0][0])
            ),
            "The shuffle moves channels: position 1 takes group 2's first channel.",
        ),
    ],
    hints=[
        "View the channels as a grid of g rows (groups) and n = C / g columns, "
        "transpose it to n x g and read it row by row.",
        "n = channels // groups; [a * n + b for b in range(n) for a in range(groups)]",
    ],
    solution="def shuffled(channels, groups):\n"
    "    n = channels // groups\n"
    "    return [a * n + b for b in range(n) for a in range(groups)]\n"
    "# np.arange(channels).reshape(groups, n).T.ravel().tolist()",
)

q5 = Question(
    "Q5 SqueezeNet 1.0's size in MB (10**6 bytes) with 16-bit weights",
    expected=Q5_PARAMS * 2 / 1e6,
    rtol=1e-3,
    mistakes=[
        (
            lambda a: (
                isinstance(a, (int, float)) and abs(a - Q5_PARAMS * 4 / 1e6) < 0.01
            ),
            "That is 32-bit floats (4 bytes each); 16-bit floats take 2 bytes.",
        ),
        (
            lambda a: (
                isinstance(a, (int, float)) and abs(a - Q5_PARAMS * 2 / 2**20) < 0.01
            ),
            "That is MiB (2**20 bytes); the question asks for MB, 10**6 bytes.",
        ),
        (
            lambda a: (
                isinstance(a, (int, float)) and abs(a - Q5_PARAMS * 16 / 1e6) < 0.1
            ),
            "16 bits are 2 bytes, not 16.",
        ),
    ],
    hints=[
        "Size = parameters x bytes per parameter; a 16-bit float is 2 bytes.",
        "squeezenet().count_params() * 2 / 1e6",
    ],
    solution="1,248,424 x 2 bytes = 2,496,848 bytes = 2.50 MB (4.99 MB in 32-bit).",
)
