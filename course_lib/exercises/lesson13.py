"""Checked exercises of lesson 13 (scaling up): a layer's activation memory in 16-bit
floats, the global batch and learning rate of 8 replicas under the linear scaling
rule, the replicas a target batch needs, and the loss scale that saves a small
gradient from float16's underflow."""

import math

from course_lib.checks import Question

# Q1: one convolution's output, 32x32x64, for a batch of 128, in float16.
Q1_BATCH, Q1_SIZE, Q1_CHANNELS = 128, 32, 64
_Q1_NUMBERS = Q1_BATCH * Q1_SIZE * Q1_SIZE * Q1_CHANNELS

# Q2: 8 replicas of 64 images each; Goyal et al.'s reference 0.1 for a batch of 256.
Q2_REPLICAS, Q2_PER_REPLICA, Q2_BASE_LR, Q2_BASE_BATCH = 8, 64, 0.1, 256
_Q2_BATCH = Q2_REPLICAS * Q2_PER_REPLICA

# Q4: a gradient of 1e-8 and float16's smallest normal number, 2**-14.
Q4_GRADIENT = 1e-8
Q4_SMALLEST_NORMAL = 2.0**-14


def _replicas_needed(global_batch, per_replica):
    """The fewest replicas holding ``global_batch`` images at ``per_replica`` each."""
    return math.ceil(global_batch / per_replica)


def _smallest_scale():
    exponent = 0
    while Q4_GRADIENT * 2.0**exponent < Q4_SMALLEST_NORMAL:
        exponent += 1
    return 2**exponent


q1 = Question(
    "Q1 MB (10**6 bytes) of a 32x32x64 output for a batch of 128 in float16",
    expected=_Q1_NUMBERS * 2 / 1e6,
    rtol=1e-3,
    mistakes=[
        (
            lambda a: math.isclose(a, _Q1_NUMBERS * 4 / 1e6, rel_tol=1e-3),
            "That is float32 (4 bytes per number); float16 takes 2.",
        ),
        (
            lambda a: math.isclose(a, _Q1_NUMBERS * 2 / 2**20, rel_tol=1e-3),
            "That is in MiB (2**20 bytes); the question asks for MB, 10**6 bytes.",
        ),
        (
            lambda a: math.isclose(a, _Q1_NUMBERS * 2 / Q1_BATCH / 1e6, rel_tol=1e-3),
            "That is one image; the batch has 128 of them, all kept for the "
            "backward pass.",
        ),
        (
            lambda a: math.isclose(a, _Q1_NUMBERS * 16 / 1e6, rel_tol=1e-3),
            "16 is the number of bits; a byte holds 8 of them.",
        ),
    ],
    hints=[
        "Count the numbers (batch x height x width x channels), then multiply by the "
        "bytes per number.",
        "128 * 32 * 32 * 64 * 2 / 1e6",
    ],
    solution="128 * 32 * 32 * 64 = 8,388,608 numbers x 2 bytes = 16.78 MB "
    "(33.55 MB in float32); scaling.activation_bytes() adds it up for every layer.",
)

q2 = Question(
    "Q2 (global batch, learning rate) of 8 replicas x 64 images, 0.1 per 256 images",
    expected=(_Q2_BATCH, Q2_BASE_LR * _Q2_BATCH / Q2_BASE_BATCH),
    mistakes=[
        (
            lambda a: a[0] == Q2_PER_REPLICA,
            "The global batch is all replicas' images together: 8 x 64.",
        ),
        (
            lambda a: a[0] == _Q2_BATCH and math.isclose(a[1], Q2_BASE_LR),
            "The batch grew, so the learning rate must grow with it (linear scaling).",
        ),
        (
            lambda a: a[0] == _Q2_BATCH and math.isclose(a[1], Q2_BASE_LR * 8),
            "Scale by the batch ratio (512 / 256), not by the number of replicas.",
        ),
        (
            lambda a: (
                a[0] == _Q2_BATCH
                and math.isclose(a[1], Q2_BASE_LR * Q2_BASE_BATCH / _Q2_BATCH)
            ),
            "The ratio is upside down: a larger batch takes a larger learning rate.",
        ),
    ],
    hints=[
        "Global batch = replicas x per-replica batch. Linear scaling: the learning "
        "rate is multiplied by global batch / 256.",
        "(8 * 64, 0.1 * 8 * 64 / 256)",
    ],
    solution="(512, 0.2): scaling.global_batch_size(64, 8) and "
    "scaling.scaled_learning_rate(0.1, base_batch=256, batch=512).",
)

q3 = Question(
    "Q3 replicas needed for a global batch when each holds at most per_replica",
    expected=_replicas_needed,
    test_cases=[(1024, 128), (1000, 128), (8192, 32), (256, 256), (100, 64)],
    mistakes=[
        (
            lambda case: (
                case[1] == case[0][0] // case[0][1] and case[0][0] % case[0][1]
            ),
            "Integer division rounds down: the last images need one more replica.",
        ),
        (
            lambda case: isinstance(case[1], float) and not case[1].is_integer(),
            "A number of replicas is a whole number: round up.",
        ),
    ],
    hints=[
        "Divide, then round up: 1000 images at 128 each need 8 replicas (7 hold 896).",
        "math.ceil(global_batch / per_replica)",
    ],
    solution="def replicas_needed(global_batch, per_replica):\n"
    "    return math.ceil(global_batch / per_replica)",
)

q4 = Question(
    "Q4 the smallest power-of-two loss scale that lifts a 1e-8 gradient to float16's "
    "normal range (>= 2**-14)",
    expected=_smallest_scale(),
    mistakes={
        2**15: "That is Keras's initial scale (LossScaleOptimizer starts high and "
        "halves on overflow); a smaller power of two is enough here.",
        2**12: "1e-8 x 4096 is still below 2**-14 = 6.1e-5.",
        Q4_SMALLEST_NORMAL / Q4_GRADIENT: "That is the exact factor; loss scales "
        "are powers of two so that scaling back is exact.",
    },
    hints=[
        "Find the exponent k with 1e-8 x 2**k >= 2**-14 = 6.1e-5, i.e. 2**k >= 6,104.",
        "2**13 = 8,192",
    ],
    solution="8192 (2**13): 1e-8 x 8192 = 8.2e-5 >= 6.1e-5 (2**12 gives 4.1e-5). "
    "Multiplying by a power of two only changes the exponent, so dividing the "
    "gradients by it again loses nothing.",
)
