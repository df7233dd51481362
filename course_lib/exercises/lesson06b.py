"""Checked exercises of lesson 06b (ZFNet): ZFNet's first layer, the Nyquist limit of
a stride, its cost, and where aliased stripes appear."""

import math

from course_lib.checks import Question


def _aliased_period(period, stride):
    """Period, in input pixels, of cosine stripes of ``period`` pixels seen by a
    layer that samples every ``stride`` pixels (``math.inf``: a constant)."""
    frequency = 1 / period  # cycles per pixel
    # Sampling every `stride` pixels cannot tell frequencies apart that differ by a
    # multiple of 1 / stride: the nearest such alias in [0, 1 / (2 * stride)] shows.
    alias = abs(frequency - round(frequency * stride) / stride)
    return math.inf if alias == 0 else 1 / alias


q1 = Question(
    "Q1 ZFNet's conv1 output side",
    expected=110,
    mistakes={
        109: "That is without padding ((224 - 7) // 2 + 1): ZFNet's conv1 pads by one "
        "pixel.",
        112: "That is 224 / 2, what 'same' padding would give; conv1 pads by one "
        "pixel on each side: (224 - 7 + 2) // 2 + 1.",
        55: "That is after the first pooling; the question asks for conv1's own "
        "output.",
        54: "That is AlexNet's conv1 on a 224x224 input (11x11, stride 4); ZFNet's is "
        "7x7 with stride 2.",
    },
    hints=[
        "Output side = (W - K + 2P) // S + 1 with W = 224, K = 7, S = 2, P = 1.",
        "arithmetic.conv_output_size(224, 7, 2, 1)",
    ],
    solution="(224 - 7 + 2) // 2 + 1 = 110 (arithmetic.conv_output_size(224, 7, 2, "
    "1)), the 110x110 maps of the paper's Figure 3.",
)

q2 = Question(
    "Q2 the shortest period a stride-4 layer represents",
    expected=8,
    mistakes={
        4: "A pattern whose period equals the stride is sampled once per period: "
        "every sample sees the same phase, so it looks constant. Each period needs at "
        "least two samples.",
        2: "Sampling every 4 pixels, each period needs at least two samples: "
        "2 x 4 pixels.",
        16: "Two samples per period are enough (the Nyquist limit): 2 x 4, not 4 x 4.",
        0.125: "That is the Nyquist frequency in cycles per pixel; the question asks "
        "for the period in pixels, its inverse.",
    },
    hints=[
        "Sampling every s pixels represents a pattern only if each of its periods "
        "holds at least two samples (the Nyquist limit).",
        "2 * 4",
    ],
    solution="2 x 4 = 8 pixels: the Nyquist frequency of stride 4 is 1 / (2 * 4) = "
    "0.125 cycles per pixel. Stripes with a shorter period alias.",
)

q3 = Question(
    "Q3 multiply-adds of ZFNet's conv1",
    expected=110 * 110 * 7 * 7 * 3 * 96,
    mistakes={
        110 * 110 * 7 * 7 * 96: "Each filter sees all 3 input channels: multiply by 3.",
        55 * 55 * 7 * 7 * 3 * 96: "55x55 are the maps after the first pooling; conv1 "
        "computes 110x110 outputs.",
        55 * 55 * 11 * 11 * 3 * 96: "That is AlexNet's conv1 (55x55 outputs of "
        "11x11x3 filters); ZFNet's conv1 has 110x110 outputs of 7x7x3 filters.",
        7 * 7 * 3 * 96 + 96: "That is conv1's parameter count; multiply-adds count one "
        "multiplication per weight per output position.",
    },
    hints=[
        "Each of the 110 x 110 output positions of each of the 96 filters takes one "
        "multiply-add per weight of the filter (7 x 7 x 3).",
        "110 * 110 * 7 * 7 * 3 * 96",
    ],
    solution="110 * 110 * 7 * 7 * 3 * 96 = 170,755,200, about 1.6 times AlexNet's "
    "conv1 (55 * 55 * 11 * 11 * 3 * 96 = 105,415,200): "
    "arithmetic.count_macs(zfnet) lists both.",
)

q4 = Question(
    "Q4 where aliased stripes appear",
    expected=_aliased_period,
    test_cases=[(5, 2), (5, 4), (3, 2), (3, 4), (10, 4), (6, 4), (12, 2)],
    rtol=1e-3,
    mistakes=[
        (
            lambda case: case[0] == (5, 4) and case[1] == 5,
            "Stripes of 5 pixels are shorter than the Nyquist limit of stride 4 "
            "(2 x 4 = 8 pixels): sampled every 4 pixels they fold into a slower "
            "pattern.",
        ),
        (
            lambda case: case[0] == (5, 2) and abs(case[1] - 5) > 0.01,
            "Stripes of 5 pixels are longer than the Nyquist limit of stride 2 "
            "(2 x 2 = 4 pixels): they keep their period.",
        ),
    ],
    hints=[
        "Work in frequencies: f = 1 / period cycles per pixel. Sampling every s "
        "pixels cannot tell f from f - k / s for any integer k; the one that shows "
        "is the nearest to zero.",
        "alias = abs(f - round(f * stride) / stride); the period is 1 / alias.",
    ],
    solution=(
        "def aliased_period(period, stride):\n"
        "    f = 1 / period\n"
        "    alias = abs(f - round(f * stride) / stride)\n"
        "    return math.inf if alias == 0 else 1 / alias\n"
        "# aliased_period(5, 4) = 20: what the lesson's 11x11/4 filter measured."
    ),
)
