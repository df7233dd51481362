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

q3 = Question(
    "Q3 the same layer's connections",
    expected=32 * 32 * 64 * 5 * 5 * 3,
    mistakes={
        5 * 5 * 3 * 64: "That is the number of distinct weights; each is used at every "
        "one of the 32 x 32 positions.",
        32 * 32 * 64 * (5 * 5 * 3 + 1): "A bias is not a connection to an input value: "
        "count only input-to-output links.",
        32 * 32 * 3 * 32 * 32 * 64: "That would be a dense layer: each output unit "
        "connects only to the 5 x 5 x 3 inputs under its window (sparse connectivity).",
        32 * 32 * 5 * 5 * 3: "There are 64 output channels, each with its own 32 x 32 "
        "map.",
    },
    hints=[
        "Output units: 32 x 32 positions x 64 channels ('same' padding keeps 32 x 32).",
        "Each output unit connects to the 5 x 5 x 3 input values under its window.",
    ],
    solution="32 * 32 * 64 = 65,536 output units, each connected to 5 * 5 * 3 = 75 "
    "inputs: 4,915,200 connections served by only 4,800 shared weights.",
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
