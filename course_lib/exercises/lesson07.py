"""Checked exercises of lesson 07 (VGG): the conv3-64 notation, stacked 3x3 layers,
where the weights live, and the paper's weight decay in Keras (a steady-state
equivalence)."""

from course_lib.checks import Question

# VGG-16 (configuration D) at 224x224: its three dense layers, by formula.
VGG16_FC_PARAMS = (
    (7 * 7 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
)
VGG16_PARAMS = 138_357_544  # keras.applications.VGG16(weights=None).count_params()


def _stacked_rf(n):
    """Receptive field of ``n`` stacked 3x3 convolutions with stride 1."""
    return 2 * n + 1


q1 = Question(
    "Q1 parameters of a conv3-64 layer on an RGB image",
    expected=1792,
    mistakes={
        64: "'conv3-64' does not mean 64 parameters: it is a 3x3 convolution with 64 "
        "output channels (filters).",
        1728: "You counted the weights (3 x 3 x 3 x 64) but not the 64 biases.",
        576: "Each filter sees all 3 input channels: 3 x 3 x 3 weights, not 3 x 3.",
        192: "A filter is 3 x 3 x 3 = 27 weights, and there are 64 of them.",
    },
    hints=[
        "'conv3-64': receptive field 3x3, 64 output channels. The input has 3 "
        "channels.",
        "(3 * 3 * 3 + 1) * 64",
    ],
    solution="(3 * 3 * 3 + 1) * 64 = 1,792, "
    "vgg16().get_layer('block1_conv1').count_params().",
)

q2 = Question(
    "Q2 two stacked 3x3 layers with 256 channels (weights only)",
    expected=2 * 3 * 3 * 256 * 256,
    mistakes={
        18: "18 = 2 x 9 is the count for one input and one output channel; every layer "
        "here has 256 of each.",
        5 * 5 * 256 * 256: "That is one 5x5 layer with the same field: the question "
        "asks for the two 3x3 layers.",
        3 * 3 * 256 * 256: "That is one 3x3 layer; there are two.",
        2 * 3 * 3 * 256 * 256 + 512: "Leave the biases out: the question counts "
        "weights only.",
    },
    hints=[
        "One 3x3 layer from C to C channels has 3 * 3 * C * C weights.",
        "2 * 3 * 3 * 256 * 256",
    ],
    solution="2 * 9 * 256**2 = 1,179,648 weights, against 25 * 256**2 = 1,638,400 for "
    "one 5x5 layer that sees the same 5x5 window.",
)

q3 = Question(
    "Q3 receptive field of n stacked 3x3 convolutions",
    expected=_stacked_rf,
    test_cases=[(1,), (2,), (3,), (4,), (7,)],
    mistakes=[
        (
            lambda case: case[0] == (2,) and case[1] == 6,
            "The fields overlap: each extra 3x3 layer adds 2 pixels (k - 1), not 3.",
        ),
        (
            lambda case: case[0] == (3,) and case[1] == 9,
            "Three 3x3 layers see 7x7, not 9x9: r grows by k - 1 = 2 per layer.",
        ),
    ],
    hints=[
        "r_out = r_in + (k - 1) * jump, starting from r = 1; with stride 1 the jump "
        "stays 1.",
        "1 + 2 * n",
    ],
    solution="def stacked_rf(n):\n    return 2 * n + 1\n"
    "# arithmetic.receptive_field_recurrence([(3,)] * n)[-1].receptive_field",
)

q4 = Question(
    "Q4 the share of VGG-16's parameters in its three dense layers",
    expected=VGG16_FC_PARAMS / VGG16_PARAMS,
    rtol=1e-3,
    mistakes=[
        (
            lambda a: isinstance(a, (int, float)) and 1 < a <= 100,
            "Give a fraction between 0 and 1, not a percentage.",
        ),
        (
            lambda a: (
                isinstance(a, float)
                and abs(a - (1 - VGG16_FC_PARAMS / VGG16_PARAMS)) < 1e-3
            ),
            "That is the convolutions' share; the question asks for fc1, fc2 and "
            "predictions.",
        ),
        (
            lambda a: (
                isinstance(a, float) and abs(a - 102_764_544 / VGG16_PARAMS) < 1e-3
            ),
            "That is fc1 alone; add fc2 and predictions.",
        ),
    ],
    hints=[
        "Sum the params of the rows named fc1, fc2 and predictions in "
        "arithmetic.parameter_table(vgg16()), and divide by model.count_params().",
        "fc1 alone is 7 * 7 * 512 * 4096 + 4096.",
    ],
    solution="(102,764,544 + 16,781,312 + 4,097,000) / 138,357,544 = 0.894",
)

q5 = Question(
    "Q5 the paper's weight decay as Keras's weight_decay (steady state)",
    expected=5e-3,
    rtol=1e-6,
    mistakes={
        5e-4: "That is the paper's L2 coefficient as is. Keras's SGD decays weights "
        "directly (decoupled); with momentum 0.9 the L2 term is amplified by "
        "1 / (1 - 0.9).",
        5e-5: "Divide by (1 - momentum), do not multiply.",
        4.5e-4: "Divide by (1 - momentum) = 0.1.",
    },
    hints=[
        "With momentum m, an L2 term l2 * w in the gradient shrinks each weight by "
        "lr * l2 / (1 - m) * w per step once the momentum has built up (the steady "
        "state); decoupled weight decay shrinks it by lr * weight_decay * w from the "
        "first step.",
        "training.decoupled_weight_decay(5e-4, momentum=0.9)",
    ],
    solution="5e-4 / (1 - 0.9) = 5e-3 "
    "(training.decoupled_weight_decay(5e-4, momentum=0.9)). The two match in the "
    "steady state only: over the first ~1 / (1 - m) = 10 steps, and whenever the "
    "learning rate or the weights change fast, the L2 term lags behind in the "
    "momentum while the decoupled decay does not.",
)
