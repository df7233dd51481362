"""Scaling up training: 16-bit floats, XLA, the input pipeline, several devices.

What lesson 13 and ``benchmarks/scaling.py`` compute and measure:

- memory: the bytes of a model's weights and of its activations (the layer outputs a
  training step keeps for the backward pass) at 32 or 16 bits, computed from the
  layers' output shapes (:func:`activation_bytes`) and measured on real tensors
  (:func:`measured_activation_bytes`, :func:`variable_bytes`);
- speed: training steps under a dtype policy (``float32``, ``mixed_float16``) with XLA
  on or off (:func:`time_training`), and the input pipeline's images/s
  (:func:`pipeline_images_per_second`);
- data parallelism: global and per-replica batch, the linear learning-rate scaling
  rule with warm-up (Goyal et al., 2017), and one SGD step on one device against the
  same step split over replicas (:func:`one_step`).

    >>> from course_lib import scaling
    >>> model = scaling.small_convnet()
    >>> scaling.activation_bytes(model, batch_size=128, bits=16) / 1e6  # MB
    >>> scaling.scaled_learning_rate(0.1, base_batch=256, batch=1024)
    0.4

See: lessons/13_scaling_up.ipynb
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

import keras
import numpy as np

from course_lib import measure
from course_lib._util import check_bool, check_choice, check_positive_int, is_int

__all__ = [
    "POLICIES",
    "ActivationRow",
    "activation_bytes",
    "activation_rows",
    "cpu_strategy",
    "dtype_policy",
    "global_batch_size",
    "measured_activation_bytes",
    "one_step",
    "per_replica_batch_size",
    "pipeline_images_per_second",
    "replica_batch_shapes",
    "replicas_needed",
    "results_table",
    "scaled_learning_rate",
    "small_convnet",
    "time_training",
    "variable_bytes",
    "warmup_learning_rates",
]

POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
_BITS = (8, 16, 32, 64)


def _positive_number(argument: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(
            f"{argument} must be a number > 0. Received: {argument}={value!r}"
        )
    return float(value)


def _check_model(model: Any) -> None:
    if not isinstance(model, keras.Model):
        raise ValueError(
            "Expected a keras.Model (e.g. scaling.small_convnet()). "
            f"Received: {type(model).__name__}"
        )


# --------------------------------------------------------------------------------------
# Dtype policies and a small model to try them on
# --------------------------------------------------------------------------------------
@contextlib.contextmanager
def dtype_policy(name: str):
    """Builds layers under the Keras dtype policy ``name``, then restores the old one.

    ``"mixed_float16"``: layers compute in float16 and keep their variables in
    float32 (the *master weights*); ``compile`` then wraps the optimizer in a
    ``keras.optimizers.LossScaleOptimizer``.

    Example:
        >>> with dtype_policy("mixed_float16"):
        ...     model = small_convnet()
    """
    check_choice("policy", name, POLICIES)
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(name)
    try:
        yield name
    finally:
        keras.mixed_precision.set_global_policy(previous)


def small_convnet(
    *,
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    width: int = 32,
    batch_norm: bool = True,
    name: str = "small_convnet",
) -> keras.Model:
    """Four 3x3 convolutions with batch norm (``width``, ``width``, 2x, 2x filters,
    a 2x2 pooling after each pair), global average pooling and a softmax layer.

    ``batch_norm=False`` leaves out the batch normalisation (and gives the
    convolutions biases): then each image's gradient depends on that image alone, as
    the comparison of one device with several replicas needs.

    The softmax is computed in float32 whatever the policy (``dtype="float32"``), as
    the Keras mixed-precision guide advises: probabilities near 0 or 1 need more than
    float16's 10 bits of mantissa.

    Example:
        >>> small_convnet(width=16).count_params()
        17274
    """
    check_positive_int("width", width)
    check_positive_int("num_classes", num_classes)
    check_bool("batch_norm", batch_norm)
    inputs = keras.Input(input_shape, name="input")
    x = inputs
    for stage, filters in enumerate((width, 2 * width), start=1):
        for index in (1, 2):
            prefix = f"stage{stage}_conv{index}"
            x = keras.layers.Conv2D(
                filters, 3, padding="same", use_bias=not batch_norm, name=prefix
            )(x)
            if batch_norm:
                x = keras.layers.BatchNormalization(name=f"{prefix}_bn")(x)
            x = keras.layers.ReLU(name=f"{prefix}_relu")(x)
        x = keras.layers.MaxPooling2D(2, name=f"stage{stage}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
    x = keras.layers.Dense(num_classes, name="logits")(x)
    outputs = keras.layers.Activation("softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


# --------------------------------------------------------------------------------------
# Memory: computed from shapes, measured on tensors
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ActivationRow:
    """One layer's output for a batch: shape (batch included), dtype, bytes."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    bytes: int


def _outputs_of(layer) -> list:
    return keras.tree.flatten(layer.output)


def activation_rows(
    model: keras.Model, batch_size: int, *, bits: int | None = None
) -> list[ActivationRow]:
    """Every layer's output for a batch of ``batch_size``, from the layers' shapes.

    Args:
        model: a built functional or sequential model with a fixed input size.
        batch_size: images per batch.
        bits: bits per number (16 or 32 ...); ``None`` uses each output's own dtype
            (what the model really produces under its dtype policy).

    The input layer is not counted (it is the batch itself, not an activation).
    """
    _check_model(model)
    batch_size = check_positive_int("batch_size", batch_size)
    if bits is not None and bits not in _BITS:
        raise ValueError(
            f"bits must be one of {_BITS} or None (each output's own dtype). "
            f"Received: bits={bits!r}"
        )
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        for tensor in _outputs_of(layer):
            shape = (batch_size, *tensor.shape[1:])
            if any(size is None for size in shape):
                raise ValueError(
                    f"Layer {layer.name!r} has an output of unknown size {shape}. "
                    "Fix: build the model with a fixed input_shape."
                )
            dtype = str(tensor.dtype) if bits is None else f"float{bits}"
            itemsize = np.dtype(dtype).itemsize
            rows.append(
                ActivationRow(layer.name, shape, dtype, math.prod(shape) * itemsize)
            )
    return rows


def activation_bytes(
    model: keras.Model, batch_size: int, *, bits: int | None = None
) -> int:
    """Bytes of all layer outputs for one batch (see :func:`activation_rows`).

    Example:
        >>> activation_bytes(small_convnet(), 128, bits=16) / 1e6
        78.664704
    """
    return sum(row.bytes for row in activation_rows(model, batch_size, bits=bits))


def measured_activation_bytes(model: keras.Model, x: np.ndarray) -> int:
    """Bytes of the real tensors every layer outputs on the batch ``x``.

    Runs a model that returns every layer's output (the input layer excepted) and
    sums the ``nbytes`` of the arrays it gives back, so the dtypes are the ones the
    backend really computed in.
    """
    _check_model(model)
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    outputs = [tensor for layer in layers for tensor in _outputs_of(layer)]
    probe = keras.Model(model.input, outputs, name=f"{model.name}_every_output")
    arrays = probe(np.asarray(x), training=False)
    return sum(keras.ops.convert_to_numpy(a).nbytes for a in keras.tree.flatten(arrays))


def variable_bytes(model: keras.Model) -> dict[str, int]:
    """Bytes of the model's variables by dtype, e.g. ``{"float32": 60_040}``.

    Under ``mixed_float16`` the variables stay float32: they are the master weights
    that the optimizer updates; each layer casts them to float16 when it computes.
    """
    _check_model(model)
    found: dict[str, int] = {}
    for variable in model.weights:
        dtype = str(variable.dtype)
        size = math.prod(variable.shape) * np.dtype(dtype).itemsize
        found[dtype] = found.get(dtype, 0) + size
    return found


# --------------------------------------------------------------------------------------
# Speed: training steps, input pipelines
# --------------------------------------------------------------------------------------
def time_training(
    build: Callable[[], keras.Model],
    *,
    policy: str = "float32",
    jit_compile: bool = True,
    batch_size: int = 32,
    steps: int = 5,
    repeat: int = 3,
    learning_rate: float = 0.01,
) -> measure.Throughput:
    """Builds a model under ``policy``, compiles it with ``jit_compile`` and measures
    its training throughput with :func:`course_lib.measure.training_throughput`.

    ``first_step_seconds`` includes tracing and compiling (XLA's cost); the steady
    step time is ``step_seconds``. On JAX, Keras always compiles the step with XLA
    unless ``jit_compile=False``, which runs it eagerly, op by op (slow).

    Example:
        >>> time_training(small_convnet, policy="mixed_float16", batch_size=64)
    """
    check_choice("policy", policy, POLICIES)
    if not isinstance(jit_compile, bool):
        raise ValueError(
            f"jit_compile must be True or False. Received: jit_compile={jit_compile!r}"
        )
    if isinstance(build, keras.Model) or not callable(build):
        raise ValueError(
            "build must be a function that returns a new model (built under the "
            "policy), e.g. scaling.small_convnet, not a model. "
            f"Received: {type(build).__name__}"
        )
    with dtype_policy(policy):
        model = build()
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate, momentum=0.9),
            loss="sparse_categorical_crossentropy",
            jit_compile=jit_compile,
        )
    return measure.training_throughput(
        model, batch_size=batch_size, steps=steps, repeat=repeat
    )


def _forever(batches: Iterable):
    while True:
        yielded = False
        for batch in batches:
            yielded = True
            yield batch
        if not yielded:
            raise ValueError("The pipeline gave no batch: is the dataset empty?")


def pipeline_images_per_second(batches: Iterable, *, count: int, warmup: int = 2):
    """Images per second an input pipeline delivers, over ``count`` batches.

    ``batches`` is anything that gives ``(images, labels)`` pairs, e.g.
    :func:`course_lib.data.pipeline` of either engine; it is restarted when an epoch
    ends. The first ``warmup`` batches (filling buffers) are not counted.
    """
    count = check_positive_int("count", count)
    if not (is_int(warmup) and warmup >= 0):
        raise ValueError(f"warmup must be an integer >= 0. Received: warmup={warmup!r}")
    stream = _forever(batches)
    for _ in range(warmup):
        next(stream)
    images, start = 0, time.perf_counter()
    for _ in range(count):
        images += int(np.shape(next(stream)[0])[0])
    return images / (time.perf_counter() - start)


# --------------------------------------------------------------------------------------
# Data parallelism: batches, learning rates, one step on one device and on several
# --------------------------------------------------------------------------------------
def global_batch_size(per_replica: int, replicas: int) -> int:
    """The batch one synchronous step trains on: every replica's batch together."""
    return check_positive_int("per_replica", per_replica) * check_positive_int(
        "replicas", replicas
    )


def per_replica_batch_size(global_batch: int, replicas: int) -> int:
    """The images each replica gets from a global batch (it must divide evenly)."""
    global_batch = check_positive_int("global_batch", global_batch)
    replicas = check_positive_int("replicas", replicas)
    if global_batch % replicas:
        raise ValueError(
            f"The global batch ({global_batch}) must be a multiple of the replicas "
            f"({replicas}) so that every replica gets the same number of images. Fix: "
            f"use {replicas * math.ceil(global_batch / replicas)}. "
            f"Received: global_batch={global_batch}, replicas={replicas}"
        )
    return global_batch // replicas


def replicas_needed(global_batch: int, per_replica: int) -> int:
    """The fewest replicas that together hold ``global_batch`` images when each holds
    at most ``per_replica`` (e.g. what fits in one GPU's memory)."""
    return math.ceil(
        check_positive_int("global_batch", global_batch)
        / check_positive_int("per_replica", per_replica)
    )


def scaled_learning_rate(base_lr: float, *, base_batch: int, batch: int) -> float:
    """The linear scaling rule (Goyal et al., 2017): multiply the batch by k, multiply
    the learning rate by k. Their reference: 0.1 for a batch of 256.

    Example:
        >>> scaled_learning_rate(0.1, base_batch=256, batch=8192)
        3.2
    """
    base_lr = _positive_number("base_lr", base_lr)
    batch = check_positive_int("batch", batch)
    factor = batch / check_positive_int("base_batch", base_batch)
    return base_lr * factor


def warmup_learning_rates(
    target_lr: float, *, warmup_steps: int, steps: int, start_lr: float | None = None
) -> np.ndarray:
    """The learning rate of each step with a gradual warm-up: a straight line from
    ``start_lr`` to ``target_lr`` over ``warmup_steps`` steps, then constant.

    Goyal et al. (2017) start from the base rate of the small batch (0.1) and reach
    the scaled rate after 5 epochs (their decay comes after, unchanged); without
    ``start_lr`` the line starts at ``target_lr / warmup_steps``.

    Example:
        >>> warmup_learning_rates(3.2, warmup_steps=780, steps=1560, start_lr=0.1)[0]
        0.1
    """
    target_lr = _positive_number("target_lr", target_lr)
    warmup_steps = check_positive_int("warmup_steps", warmup_steps)
    steps = check_positive_int("steps", steps)
    start = target_lr / warmup_steps if start_lr is None else start_lr
    start = _positive_number("start_lr", start)
    step = np.arange(steps, dtype="float64")
    ramp = start + (target_lr - start) * step / warmup_steps
    return np.where(step < warmup_steps, ramp, target_lr)


def one_step(
    build: Callable[[], keras.Model],
    x: np.ndarray,
    y: np.ndarray,
    *,
    weights: list[np.ndarray],
    strategy=None,
    learning_rate: float = 0.1,
) -> tuple[float, list[np.ndarray]]:
    """One plain SGD step on the global batch ``(x, y)``, from the given weights.

    With ``strategy`` (:func:`course_lib.runtime.strategy`), the model is built and
    compiled in its scope and ``fit`` splits the batch over the replicas, each
    computing the gradient of its share; the replicas' gradients are combined before
    the update. Without it, one device does the whole batch. Data parallelism is the
    same computation, so both return the same loss and weights (up to rounding).

    Returns:
        ``(loss, weights_after)``: the loss on the batch before the update and the
        weights after it, as NumPy arrays.
    """
    learning_rate = _positive_number("learning_rate", learning_rate)
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model = build()
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate),
            loss="sparse_categorical_crossentropy",
        )
        model.set_weights(weights)
    history = model.fit(
        np.asarray(x),
        np.asarray(y),
        batch_size=len(x),
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    after = [np.array(keras.ops.convert_to_numpy(w)) for w in model.get_weights()]
    return float(history.history["loss"][0]), after


def cpu_strategy():
    """Data parallelism over the CPU's devices, even where an accelerator exists.

    The lesson's fallback when :func:`course_lib.runtime.strategy` finds a single
    device (one GPU): the CPU split by ``startup.quiet_start(cpu_devices=4)`` still
    shows several replicas. TensorFlow: ``MirroredStrategy`` over the logical CPUs;
    JAX: ``keras.distribution.DataParallel`` over the CPU devices.
    """
    from course_lib import _backend

    return _backend.cpu_distribution()


def replica_batch_shapes(strategy, x: np.ndarray) -> list[tuple[str, tuple]]:
    """``(device, batch shape)`` of each replica when ``strategy`` splits ``x``, the
    way ``model.fit`` splits every global batch."""
    from course_lib import _backend

    if np.ndim(x) < 1 or len(x) == 0:
        raise ValueError(
            f"x must be a batch with at least one image. Received: shape {np.shape(x)}"
        )
    return _backend.replica_batch_shapes(strategy, x)


# --------------------------------------------------------------------------------------
# Results files of benchmarks/scaling.py
# --------------------------------------------------------------------------------------
def results_table(record: dict) -> str:
    """A markdown table of a ``scaling_<tag>`` results file: images/s per model,
    dtype policy and XLA setting, with the speed-up over float32 with XLA."""
    if not isinstance(record, dict) or "models" not in record:
        raise ValueError(
            "Expected a results record written by benchmarks/scaling.py (a dict with "
            f"'models'). Received: {type(record).__name__}"
        )
    lines = [
        "| model | policy | jit_compile | images/s | step (ms) | first step (s) "
        "| vs float32 + XLA |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, entry in record["models"].items():
        rows = entry["training"]
        base = next(
            (r for r in rows if r["policy"] == "float32" and r["jit_compile"]), rows[0]
        )
        for row in rows:
            lines.append(
                f"| {name} | {row['policy']} | {row['jit_compile']} "
                f"| {row['images_per_second']:,.0f} | {1e3 * row['step_seconds']:,.1f} "
                f"| {row['first_step_seconds']:.1f} "
                f"| {row['images_per_second'] / base['images_per_second']:.2f}x |"
            )
    return "\n".join(lines)
