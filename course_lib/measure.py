"""Speed and size of a model, measured the way the course measures them.

Latency (one forward pass) and training throughput (images per second of training
steps) are the two speeds lessons 11-13 and ``make bench`` compare. Both are timed on
random inputs already in memory, so the input pipeline does not enter them (lesson 13
measures it separately), after a warm-up call that compiles the step, and reported as
the best of a few repeats (see :mod:`course_lib.timing`: the figure least disturbed by
other programs on a shared machine).

    >>> from course_lib import measure
    >>> from course_lib.models import build
    >>> model = build("resnet_cifar", depth=20)
    >>> seconds = measure.latency(model, batch_size=1)
    >>> measure.training_throughput(model, batch_size=32).images_per_second
    ...
"""

from __future__ import annotations

import datetime
import os
import platform
import time
from typing import Any, NamedTuple

import keras
import numpy as np

from course_lib._util import check_positive_int
from course_lib.timing import best_time

__all__ = [
    "Throughput",
    "hardware",
    "latency",
    "random_batch",
    "training_throughput",
    "weight_bytes",
]


def _fixed_input_shape(model: Any) -> tuple[int, ...]:
    """The model's input shape without the batch axis; every size must be known."""
    if not isinstance(model, keras.Model):
        raise ValueError(
            "Expected a keras.Model (e.g. build('resnet_cifar')). "
            f"Received: {type(model).__name__}"
        )
    shape = model.input_shape
    if isinstance(shape, list):
        raise ValueError(
            f"Model {model.name!r} has {len(shape)} inputs; the course measures "
            "single-input image models."
        )
    shape = tuple(shape[1:])
    if any(size is None for size in shape):
        raise ValueError(
            f"Model {model.name!r} has an input of unknown size {shape}. Fix: build it "
            "with a fixed input_shape, e.g. build(name, input_shape=(224, 224, 3))."
        )
    return shape


def random_batch(model: Any, batch_size: int, *, seed: int = 0):
    """Random images in [0, 1) and random labels that fit ``model``'s input and output.

    Returns ``(x, y)``: float32 images of the model's input shape and integer labels
    below its number of outputs (the last axis of its output).
    """
    batch_size = check_positive_int("batch_size", batch_size)
    shape = _fixed_input_shape(model)
    rng = np.random.default_rng(seed)
    x = rng.random((batch_size, *shape), dtype="float32")
    output_shape = model.output_shape
    if isinstance(output_shape, list):  # auxiliary heads: the main output is first
        output_shape = output_shape[0]
    classes = int(output_shape[-1])
    y = rng.integers(0, classes, size=batch_size)
    return x, y


def latency(
    model: Any, batch_size: int = 1, *, repeat: int = 3, seed: int = 0
) -> float:
    """Seconds one forward pass of a batch takes (``predict_on_batch``).

    The first call compiles the function and is not counted; then the best of
    ``repeat`` calls. Divide by ``batch_size`` for the time per image.

    Example:
        >>> ms = 1e3 * latency(build("mobilenet_v2", input_shape=(96, 96, 3)))
    """
    repeat = check_positive_int("repeat", repeat)
    x, _ = random_batch(model, batch_size, seed=seed)
    model.predict_on_batch(x)  # warm-up: traces and compiles
    # predict_on_batch returns NumPy arrays: the work has finished when it returns.
    return best_time(lambda: model.predict_on_batch(x), repeat=repeat)


class Throughput(NamedTuple):
    """Training speed measured by :func:`training_throughput`."""

    images_per_second: float
    step_seconds: float  # one training step, best of the repeats
    first_step_seconds: float | None  # tracing + compiling + one step (if warmed up)
    batch_size: int
    steps: int  # steps per timed repeat


def training_throughput(
    model: Any,
    *,
    batch_size: int,
    steps: int = 5,
    repeat: int = 3,
    seed: int = 0,
    jit_compile: Any = "auto",
    warm_up: bool = True,
) -> Throughput:
    """Images per second of training steps (``train_on_batch``) on one random batch.

    A model that is not compiled yet is compiled with SGD (momentum 0.9) and sparse
    categorical cross-entropy, with ``jit_compile``; a compiled model is used as it is,
    so a lesson can compile it itself (a mixed-precision policy, XLA on or off). Each
    repeat runs ``steps`` steps; the best repeat gives the figure. The first step
    (tracing and compiling) is timed apart; ``warm_up=False`` skips it for a model
    that has already trained on a batch of this shape.

    Example:
        >>> training_throughput(build("vgg11", input_shape=(32, 32, 3)), batch_size=64)
    """
    steps = check_positive_int("steps", steps)
    repeat = check_positive_int("repeat", repeat)
    x, y = random_batch(model, batch_size, seed=seed)
    if not model.compiled:
        model.compile(
            optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
            loss="sparse_categorical_crossentropy",
            jit_compile=jit_compile,
        )
    first = None
    if warm_up:
        start = time.perf_counter()
        model.train_on_batch(x, y)  # returns the loss as a Python float: work is done
        first = time.perf_counter() - start

    def run_steps():
        for _ in range(steps):
            model.train_on_batch(x, y)

    best = best_time(run_steps, repeat=repeat) / steps
    return Throughput(
        images_per_second=batch_size / best,
        step_seconds=best,
        first_step_seconds=first,
        batch_size=int(batch_size),
        steps=steps,
    )


def weight_bytes(model: Any, bits: int = 32) -> int:
    """The model's size when each parameter is stored in ``bits`` bits (32, 16 or 8)."""
    if bits not in (8, 16, 32, 64):
        raise ValueError(
            f"bits must be 8, 16, 32 or 64 (the sizes of stored numbers). Received: "
            f"bits={bits!r}"
        )
    return model.count_params() * bits // 8


def hardware() -> dict:
    """What a results file records about where it was measured.

    The accelerator (or the CPU's name and cores), the Keras backend and versions, the
    Python and NumPy versions and the date.
    """
    from course_lib import _backend, runtime

    return {
        "hardware": runtime.device_summary(),
        "backend": _backend.name(),
        "backend_version": _backend.version(),
        "keras_version": keras.__version__,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "date": datetime.date.today().isoformat(),
    }
