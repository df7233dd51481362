"""Checked exercises of lesson 08 (GoogLeNet): the channels of an inception module, the
multiply-adds of a reduced 5x5 branch, the size of the maps after the stem, and the
parameters of an auxiliary classifier."""

from course_lib.checks import Question

# Inception 4a, the paper's Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5,
# pool proj.
WIDTHS_4A = (192, 96, 208, 16, 48, 64)
# The auxiliary classifier on inception 4a at 224x224: 14x14x512 maps, 5x5/3 average
# pooling to 4x4, a 1x1 convolution with 128 filters, a dense layer of 1024 units and
# a classifier of 1000 classes (all with biases).
AUX_IN_CHANNELS, AUX_POOLED, AUX_CONV, AUX_FC, CLASSES = 512, 4, 128, 1024, 1000


def _aux_params(pooled=AUX_POOLED, biases=True):
    b = 1 if biases else 0
    conv = (AUX_IN_CHANNELS + b) * AUX_CONV
    fc = (pooled * pooled * AUX_CONV + b) * AUX_FC
    classifier = (AUX_FC + b) * CLASSES
    return conv + fc + classifier


def _reduced_branch_macs(size, c_in, reduce, c_out):
    """Multiply-adds of a 1x1 reduction then a 5x5 convolution, stride 1, "same"."""
    return size * size * (c_in * reduce + 5 * 5 * reduce * c_out)


q1 = Question(
    "Q1 output channels of inception 4a",
    expected=192 + 208 + 48 + 64,
    mistakes={
        sum(WIDTHS_4A): "You added all six columns. The two reductions (96 and 16) "
        "feed the 3x3 and 5x5 convolutions; only the four branch outputs are "
        "concatenated.",
        192 + 208 + 48: "The pooling branch is concatenated too: add its 64-filter "
        "projection.",
        480: "480 is the input of 4a (the output of 3b); the question asks for its "
        "output.",
        192 + 96 + 16 + 64: "You added the convolutions that read the input; the "
        "output is the last layer of each branch: 1x1, 3x3, 5x5 and pool proj.",
    },
    hints=[
        "The output concatenates the last layer of each of the four branches.",
        "#1x1 + #3x3 + #5x5 + pool proj",
    ],
    solution="192 + 208 + 48 + 64 = 512 (GOOGLENET_TABLE['4a'].out_channels).",
)

q2 = Question(
    "Q2 multiply-adds of a 1x1 reduction followed by a 5x5 convolution",
    expected=_reduced_branch_macs,
    test_cases=[(28, 192, 16, 32), (14, 480, 16, 48), (7, 832, 48, 128), (1, 1, 1, 1)],
    mistakes=[
        (
            lambda case: case[1] == 25 * case[0][0] ** 2 * case[0][2] * case[0][3],
            "The 1x1 reduction costs multiply-adds too: H x W x C_in x reduce.",
        ),
        (
            lambda case: case[1] == 25 * case[0][0] ** 2 * case[0][1] * case[0][3],
            "That is the 5x5 convolution on all C_in channels, without the reduction.",
        ),
    ],
    hints=[
        "A convolution costs H_out x W_out x K x K x C_in x C_out multiply-adds; "
        "with stride 1 and 'same' padding H_out = H_in.",
        "size**2 * (c_in * reduce) + size**2 * (25 * reduce * c_out)",
    ],
    solution="def branch_macs(size, c_in, reduce, c_out):\n"
    "    return size * size * (c_in * reduce + 5 * 5 * reduce * c_out)\n"
    "# for 3a: branch_macs(28, 192, 16, 32) = 12,443,648, against "
    "28 * 28 * 25 * 192 * 32 = 120,422,400 without the reduction.",
)

q3 = Question(
    "Q3 side of the maps after GoogLeNet's stem at 224x224",
    expected=28,
    mistakes={
        27: "The paper's (and Caffe's) poolings round up: 3x3/2 pooling of 112 gives "
        "56, of 56 gives 28 ('same' padding in Keras).",
        56: "There are two 3x3/2 poolings in the stem, after the 7x7 convolution and "
        "after the 3x3 one.",
        14: "The stem halves the size three times (the 7x7/2 convolution and two "
        "poolings), not four: 224 / 8.",
        112: "Only the 7x7/2 convolution? The two 3x3/2 poolings halve it twice more.",
    },
    hints=[
        "Stride 2 halves the size (rounding up with 'same' padding); the 1x1 and 3x3 "
        "convolutions have stride 1.",
        "224 -> 112 (conv 7x7/2) -> 56 (pool) -> 56 -> 56 -> 28 (pool)",
    ],
    solution="224 / 2 / 2 / 2 = 28: "
    "arithmetic.conv_output_size(224, 7, 2, 3) = 112, then two 3x3/2 poolings "
    "with 'same' padding.",
)

q4 = Question(
    "Q4 parameters of the auxiliary classifier on inception 4a",
    expected=_aux_params(),
    mistakes={
        _aux_params(biases=False): "Add the biases: 128 for the convolution, 1024 "
        "for the dense layer and 1000 for the classifier.",
        _aux_params(pooled=14): "The 5x5 average pooling with stride 3 shrinks the "
        "14x14 maps to 4x4 before the convolution and the dense layer.",
        _aux_params(pooled=10): "The pooling has stride 3, not 1: (14 - 5) // 3 + 1 "
        "= 4.",
        (AUX_FC + 1) * CLASSES: "That is the classifier only; add the 1x1 "
        "convolution and the dense layer of 1024 units.",
    },
    hints=[
        "After the pooling the maps are 4x4x512; the 1x1 convolution gives 4x4x128, "
        "flattened to 2048 values.",
        "(512 + 1) * 128 + (4 * 4 * 128 + 1) * 1024 + (1024 + 1) * 1000",
    ],
    solution="65,664 + 2,098,176 + 1,025,000 = 3,188,840 "
    "(the layers aux1_conv, aux1_fc and aux1_predictions of "
    "googlenet(aux_heads=True)).",
)
