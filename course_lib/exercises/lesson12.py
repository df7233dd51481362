"""Checked exercises of lesson 12 (comparing architectures): a model's size in 16-bit
floats, the Pareto front of a small table, the multiply-adds of one convolution and
the output shape of a CIFAR-10 ResNet's backbone."""

from course_lib.checks import Question

# Q1: ResNet-50 (the registry default, Keras layout with conv biases), every
# parameter counted, BatchNorm statistics included.
Q1_PARAMS = 25_636_712

# Q3: a 3x3 'same' convolution, 64 -> 128 channels, on a 16x16 map, no bias.
Q3_SIZE, Q3_IN, Q3_OUT, Q3_K = 16, 64, 128, 3
_Q3_WEIGHTS = Q3_K * Q3_K * Q3_IN * Q3_OUT

# Q4: build("resnet_cifar", depth=20, include_top=False) on 32x32x3: three stages of
# 16, 32 and 64 channels; stages 2 and 3 halve the map.
Q4_SHAPE = (8, 8, 64)

# Q2's small tables: {name: (cost, accuracy)}.
Q2_TABLES = [
    ({"a": (1.0, 0.60), "b": (2.0, 0.70), "c": (3.0, 0.65), "d": (4.0, 0.90)},),
    ({"big": (100.0, 0.80), "small": (1.0, 0.80), "mid": (10.0, 0.85)},),
    ({"x": (5.0, 0.5), "y": (5.0, 0.6), "z": (1.0, 0.4), "w": (9.0, 0.6)},),
    ({"only": (1.0, 0.1)},),
]


def _front(table):
    """Names of the models no other model dominates, sorted."""
    names = []
    for name, (cost, acc) in table.items():
        dominated = any(
            c <= cost and a >= acc and (c < cost or a > acc)
            for other, (c, a) in table.items()
            if other != name
        )
        if not dominated:
            names.append(name)
    return sorted(names)


def _weak_front(table):
    """The front if 'dominated' needed strictly better on both axes."""
    return sorted(
        name
        for name, (cost, acc) in table.items()
        if not any(c < cost and a > acc for c, a in table.values())
    )


q1 = Question(
    "Q1 ResNet-50's size in MB (10**6 bytes) with 16-bit parameters",
    expected=Q1_PARAMS * 2 / 1e6,
    rtol=1e-3,
    mistakes=[
        (
            lambda a: (
                isinstance(a, (int, float)) and abs(a - Q1_PARAMS * 4 / 1e6) < 0.1
            ),
            "That is 32-bit floats (4 bytes each); a 16-bit float takes 2 bytes.",
        ),
        (
            lambda a: (
                isinstance(a, (int, float)) and abs(a - Q1_PARAMS * 2 / 2**20) < 0.01
            ),
            "That is MiB (2**20 bytes); the question asks for MB, 10**6 bytes.",
        ),
        (
            lambda a: isinstance(a, (int, float)) and abs(a - Q1_PARAMS * 16 / 1e6) < 1,
            "16 bits are 2 bytes, not 16.",
        ),
    ],
    hints=[
        "Size = parameters x bytes per parameter; a 16-bit float is 2 bytes.",
        "25_636_712 * 2 / 1e6",
    ],
    solution="25,636,712 x 2 bytes = 51,273,424 bytes = 51.27 MB (102.5 MB in "
    "32-bit; compare.cost_table() holds both columns).",
)

q2 = Question(
    "Q2 the Pareto front of {name: (cost, accuracy)}: sorted names",
    expected=_front,
    test_cases=Q2_TABLES,
    mistakes=[
        (
            lambda case: (
                list(case[1]) == _weak_front(case[0][0])
                and _weak_front(case[0][0]) != _front(case[0][0])
            ),
            "A model is also dominated by one that is as good on one axis and better "
            "on the other (equal cost, higher accuracy), not only by one better on "
            "both.",
        ),
        (
            lambda case: len(case[0][0]) > 1 and list(case[1]) == sorted(case[0][0]),
            "Not every model is on the front: drop those that another model beats "
            "on both cost and accuracy.",
        ),
    ],
    hints=[
        "For each model, look for another with cost <= and accuracy >=, and at "
        "least one of the two strictly better. Keep the models for which none exists.",
        "[n for n, (c, a) in t.items() if not any(c2 <= c and a2 >= a and "
        "(c2 < c or a2 > a) for c2, a2 in t.values())], sorted",
    ],
    solution="def front(table):\n"
    "    keep = []\n"
    "    for name, (cost, acc) in table.items():\n"
    "        if not any(c <= cost and a >= acc and (c < cost or a > acc)\n"
    "                   for c, a in table.values()):\n"
    "            keep.append(name)\n"
    "    return sorted(keep)\n"
    "# or compare.pareto_front(costs, accuracies) with the names in order",
)

q3 = Question(
    "Q3 multiply-adds of a 3x3 'same' convolution, 16x16x64 -> 128 channels",
    expected=Q3_SIZE * Q3_SIZE * _Q3_WEIGHTS,
    mistakes={
        _Q3_WEIGHTS: "That is the number of weights, the cost of one output "
        "position; the map has 16 x 16 of them.",
        Q3_SIZE * Q3_SIZE * Q3_IN * Q3_OUT: "That is a 1x1 convolution; a 3x3 one "
        "takes 9 multiply-adds per input channel and output channel.",
        14 * 14 * _Q3_WEIGHTS: "With 'same' padding the output stays 16x16 ('valid' "
        "would give 14x14).",
        8 * 8 * _Q3_WEIGHTS: "Stride 1 keeps the 16x16 map.",
    },
    hints=[
        "Every output position computes 128 filters of 3 x 3 x 64 multiply-adds; "
        "'same' padding and stride 1 keep 16 x 16 positions.",
        "16 * 16 * 3 * 3 * 64 * 128",
    ],
    solution="16 * 16 * (3 * 3 * 64) * 128 = 18,874,368 "
    "(arithmetic.count_macs on the built layer gives the same).",
)

q4 = Question(
    "Q4 output shape of resnet_cifar(depth=20, include_top=False) for one image",
    expected=Q4_SHAPE,
    mistakes={
        (32, 32, 16): "That is after the stem; stages 2 and 3 halve the map and "
        "double the channels.",
        (64,): "Without pooling the backbone outputs maps; (64,) is what "
        "pooling='avg' gives.",
        (10,): "include_top=False removes the 10-way classifier.",
        (4, 4, 64): "Only two stages downsample (stride 2 in their first block): "
        "32 -> 16 -> 8.",
    },
    hints=[
        "The CIFAR ResNet has three stages of 16, 32 and 64 filters; the first "
        "block of stages 2 and 3 has stride 2.",
        "32 / 2 / 2 = 8",
    ],
    solution="(8, 8, 64): build('resnet_cifar', include_top=False).output.shape[1:]",
)
