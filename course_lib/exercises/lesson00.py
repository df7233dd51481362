"""Checked exercises of lesson 00 (set-up): modes, the data layout, verification."""

import hashlib

from course_lib.checks import Question

# Q3 hashes a small file that the lesson writes with these bytes.
Q3_CONTENT = b"hello, course"

q1 = Question(
    "Q1 epochs in full mode",
    expected=50,
    mistakes={2: "That is the smoke-mode value; the question asks about full mode."},
    hints=[
        "runtime.pick(smoke=..., full=...) returns one of its two arguments.",
        "Full mode is the default when COURSE_MODE is unset.",
    ],
    solution="50: pick(smoke=2, full=50) returns its full= argument in full mode.",
)

q2 = Question(
    "Q2 bytes per CIFAR-10 record",
    expected=3073,
    mistakes={
        3072: "You counted the pixels but not the label byte that starts each record.",
        1025: "Each record holds all three colour planes, not one.",
        3074: "The label takes one byte, not two.",
    },
    hints=[
        "A record is one label byte, then 32x32 red, 32x32 green and 32x32 blue bytes.",
        "1 + 3 * 32 * 32",
    ],
    solution="1 + 3 * 32 * 32 = 3073 bytes (data.CIFAR10_RECORD).",
)

q3 = Question(
    "Q3 SHA-256 of a file",
    expected=hashlib.sha256(Q3_CONTENT).hexdigest(),
    mistakes=[
        (
            lambda a: isinstance(a, str) and len(a) == 32,
            "That is 32 hex digits: an MD5, not a SHA-256 (64).",
        ),
        (
            lambda a: isinstance(a, bytes),
            "Return the hex digest (a str), not the raw bytes: use .hexdigest().",
        ),
    ],
    hints=[
        "course_lib.data has a function that hashes a file in chunks.",
        "data.sha256_of(path)",
    ],
    solution="data.sha256_of(path), or hashlib.sha256(path.read_bytes()).hexdigest()",
)

q4 = Question(
    "Q4 images per class in the smoke subset",
    expected=200,
    mistakes={
        2000: "That is the whole smoke training set; divide by the number of classes.",
        5000: "That is the full training set's count per class.",
    },
    hints=[
        "data.SMOKE_SIZES['cifar10'] gives (train, test) sizes.",
        "The subset is stratified: the same count for each of the 10 classes.",
    ],
    solution="data.SMOKE_SIZES['cifar10'][0] // 10 = 200",
)
