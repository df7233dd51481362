"""Checked exercises of lesson 01 (image classification): top-k error by hand and in
code, the cost of nearest-neighbour search, the size of a linear classifier."""

import numpy as np

from course_lib.checks import Question

# Q1's little table: five images (rows), five classes (columns).
Q1_SCORES = np.array(
    [
        [0.10, 0.50, 0.20, 0.15, 0.05],
        [0.60, 0.10, 0.10, 0.10, 0.10],
        [0.30, 0.25, 0.20, 0.15, 0.10],
        [0.05, 0.05, 0.10, 0.20, 0.60],
        [0.10, 0.10, 0.70, 0.05, 0.05],
    ]
)
Q1_LABELS = np.array([2, 0, 3, 3, 2])


def _top_k_error(y_true, scores, k):
    """Reference: the share of rows whose true class is not among the k best scores."""
    y_true = np.asarray(y_true).reshape(-1)
    top_k = np.argsort(-np.asarray(scores), axis=1, kind="stable")[:, :k]
    return float(1.0 - (top_k == y_true[:, None]).any(axis=1).mean())


q1 = Question(
    "Q1 top-2 error by hand",
    expected=0.2,
    mistakes={
        0.6: "That is the top-1 error: with two guesses, an image counts as right when "
        "its class has the highest or the second-highest score.",
        0.8: "That is the top-2 *accuracy*; the error is 1 minus it.",
        1: "That is the number of misses; the error is a share of the five images.",
        0.4: "That is the top-1 accuracy. Count the images whose class is not among "
        "the two best.",
    },
    hints=[
        "For each row, find the two classes with the highest scores. Is the true label "
        "one of them?",
        "Rows 0 and 3 are top-1 misses but top-2 hits; only one row misses even with "
        "two guesses.",
    ],
    solution="Only image 2 (true class 3, ranked 4th) misses with two guesses: "
    "1 / 5 = 0.2. In code: top_k_error(Q1_LABELS, Q1_SCORES, k=2).",
)


def _differs_and_equals(case, wrong):
    (y_true, scores, k), result = case
    expected = _top_k_error(y_true, scores, k)
    return not np.isclose(result, expected) and np.isclose(result, wrong)


def _predicts_from_smallest(case):
    (y_true, scores, k), _ = case
    smallest = np.argsort(np.asarray(scores), axis=1)[:, :k]
    hits = (smallest == np.asarray(y_true)[:, None]).any(axis=1)
    return _differs_and_equals(case, 1.0 - hits.mean())


def _returns_accuracy(case):
    (y_true, scores, k), _ = case
    return _differs_and_equals(case, 1.0 - _top_k_error(y_true, scores, k))


def _returns_count(case):
    (y_true, scores, k), _ = case
    return _differs_and_equals(case, _top_k_error(y_true, scores, k) * len(y_true))


_rng = np.random.default_rng(1)
_CASES = [
    (Q1_LABELS, Q1_SCORES, 1),
    (Q1_LABELS, Q1_SCORES, 2),
    (Q1_LABELS, Q1_SCORES, 5),
    (_rng.integers(0, 10, 50), _rng.random((50, 10)), 5),
    (_rng.integers(0, 10, 50), _rng.random((50, 10)), 3),
]

q2 = Question(
    "Q2 a top-k error function",
    expected=_top_k_error,
    test_cases=_CASES,
    mistakes=[
        (
            _predicts_from_smallest,
            "You took the k *smallest* scores: sort in decreasing order "
            "(np.argsort(-scores, axis=1)) or take the last k columns of "
            "np.argsort(scores).",
        ),
        (
            _returns_accuracy,
            "You returned the top-k accuracy; the error is 1 minus it.",
        ),
        (
            _returns_count,
            "You returned the number of misses; divide by the number of images.",
        ),
    ],
    hints=[
        "np.argsort(-scores, axis=1)[:, :k] gives, per row, the k classes with the "
        "highest scores.",
        "Compare them with y_true[:, None], use .any(axis=1) for a hit, and return "
        "1 - hits.mean().",
    ],
    solution=(
        "def top_k_error(y_true, scores, k):\n"
        "    top_k = np.argsort(-scores, axis=1)[:, :k]\n"
        "    hits = (top_k == np.asarray(y_true)[:, None]).any(axis=1)\n"
        "    return 1 - hits.mean()"
    ),
)

q3 = Question(
    "Q3 the cost of 1-nearest-neighbour search",
    expected=10_000 * 60_000 * 784,
    mistakes={
        10_000 * 60_000: "That is the number of image pairs; each distance needs one "
        "operation per pixel (28 x 28 = 784).",
        60_000 * 784: "That is the cost of classifying *one* test image: there are "
        "10,000.",
        10_000 * 784: "A nearest-neighbour search compares each test image with "
        "*every* training image.",
        10_000 * 60_000 * 28: "An image has 28 x 28 pixels, not 28.",
    },
    hints=[
        "Brute-force 1-NN compares every test image with every training image.",
        "pairs = 10,000 x 60,000; work per pair = one operation per pixel (784).",
    ],
    solution="10,000 x 60,000 x 784 = 470,400,000,000 pixel operations, about half a "
    "trillion, and it grows with every training image you add.",
)

q4 = Question(
    "Q4 parameters of a linear classifier on CIFAR-10",
    expected=32 * 32 * 3 * 10 + 10,
    mistakes={
        32 * 32 * 3 * 10: "You counted the weights but not the 10 biases (one per "
        "class).",
        32 * 32 * 10 + 10: "CIFAR-10 images have 3 colour channels: 32 x 32 x 3 "
        "inputs.",
        32 * 32 * 3: "That is the number of inputs; each of the 10 classes has its own "
        "template.",
        32 * 32 * 3 + 10: "Each class has a full template of 3,072 weights, not one "
        "shared template.",
    },
    hints=[
        "A Dense(10) layer on flattened images has one weight per (pixel value, class) "
        "pair, plus a bias per class.",
        "inputs = 32 * 32 * 3 = 3,072; parameters = 3,072 * 10 + 10.",
    ],
    solution="32 * 32 * 3 * 10 + 10 = 30,730: ten templates of 3,072 numbers, plus ten "
    "biases. keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), "
    "keras.layers.Dense(10)]).count_params() says the same.",
)
