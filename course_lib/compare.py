"""Comparing architectures: the cost of every course model, its measured CIFAR-10
results, published ImageNet accuracies, the Pareto front, and the pieces of the
backbone + head pattern (class subsets, weight transfer, a new head).

The cost table (parameters, multiply-adds, size in 32- and 16-bit floats) of every
model in :data:`COST_MODELS` is computed by ``tools/model_costs.py`` and shipped as
``course_lib/results/model_costs.json``, because building all of them takes minutes
on some backends; :func:`cost_table` reads it and :func:`stale_rows` compares it
with a fresh computation, so a stale file is caught.

    >>> from course_lib import compare
    >>> table = compare.cost_table()
    >>> compare.pareto_front([1, 2, 3], [0.5, 0.4, 0.9])
    [0, 2]

See: lessons/12_comparing_architectures.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import keras
import numpy as np

from course_lib import arithmetic, results
from course_lib._util import did_you_mean, is_int
from course_lib.models import available, build

__all__ = [
    "CIFAR10_RUNS",
    "COST_FILE",
    "COST_MODELS",
    "CostModel",
    "PUBLISHED_IMAGENET",
    "attach_head",
    "build_cost_model",
    "cifar10_results",
    "class_subset",
    "compute_cost_rows",
    "cost_row",
    "cost_table",
    "pareto_front",
    "stale_rows",
    "transfer_weights",
]

COST_FILE = "model_costs"
"""The results file ``tools/model_costs.py`` writes (``course_lib/results/``)."""


class CostModel(NamedTuple):
    """One row of the cost table: a registered builder and its arguments."""

    key: str  # the row's name in the table
    builder: str  # a registered builder name
    kwargs: dict  # arguments for build(); {} is the registry default
    configuration: str  # what the row is, in words


_CIFAR = "CIFAR-10 variant"
# Lesson 11's networks, each with a CIFAR-10 variant and a full_runs.py command.
_LIGHTWEIGHT = (
    "mobilenet_v1",
    "mobilenet_v2",
    "squeezenet",
    "shufflenet_v1",
    "shufflenet_v2",
)
_CIFAR_VARIANTS = [
    CostModel("alexnet_cifar10", "alexnet", {"variant": "cifar10"}, _CIFAR),
    CostModel(
        "vgg16_bn_cifar10",
        "vgg16",
        {
            "input_shape": (32, 32, 3),
            "num_classes": 10,
            "fc_units": 512,
            "batch_norm": True,
        },
        "CIFAR-10, batch norm, 512-unit FC (vgg_cifar10 recipe)",
    ),
    CostModel(
        "resnet_cifar56", "resnet_cifar", {"depth": 56}, "ResNet-56, option A shortcuts"
    ),
    CostModel("plain_cifar56", "plain_cifar", {"depth": 56}, "56 layers, no shortcuts"),
    CostModel("lenet5_modern", "lenet5", {"variant": "modern"}, "ReLU, max pooling"),
    *[
        CostModel(f"{name}_cifar10", name, {"variant": "cifar10"}, _CIFAR)
        for name in _LIGHTWEIGHT
    ],
]


COST_MODELS = (
    *[CostModel(info.name, info.name, {}, "registry default") for info in available()],
    *_CIFAR_VARIANTS,
)
"""Every registered builder at its default, then the CIFAR-10 variants the course
trains that the defaults do not cover."""


# The CIFAR-10 runs of benchmarks/full_runs.py: sub-command -> the cost table's row.
CIFAR10_RUNS = {
    "alexnet_cifar10": "alexnet_cifar10",
    "vgg_cifar10": "vgg16_bn_cifar10",
    "resnet_cifar10": "resnet_cifar",  # depth 20, option A: the registry default
    "googlenet_cifar10": "googlenet_cifar",
    "densenet_bc_cifar10": "densenet_bc_cifar",  # L=100, k=12: the default
    **{f"{name}_cifar10": f"{name}_cifar10" for name in _LIGHTWEIGHT},
}

# Published ImageNet (ILSVRC-2012 validation) accuracies, %, for the registry's
# ImageNet builders: (top-1, top-5, source). None where the source gives no figure.
# Errors in the sources are converted as 100 - error.
PUBLISHED_IMAGENET = {
    "alexnet": (59.3, 81.8, "Krizhevsky et al. 2012, Table 2: one CNN (two-GPU net)"),
    "zfnet": (61.7, 83.6, "Zeiler & Fergus 2014, Table 2: one convnet"),
    "vgg16": (71.3, 90.1, "keras.io applications table (keras.applications weights)"),
    "vgg19": (71.3, 90.0, "keras.io applications table (keras.applications weights)"),
    "googlenet": (69.778, 89.53, "torchvision googlenet weights (BN port)"),
    "resnet34": (None, 94.29, "He et al. 2016: single model, top-5 error 5.71 %"),
    "resnet50": (74.9, 92.1, "keras.io applications table (keras.applications v1)"),
    "resnet152": (None, 95.51, "He et al. 2016: single model, top-5 error 4.49 %"),
    "densenet121": (75.0, 92.3, "keras.io applications table"),
    "mobilenet_v1": (70.6, None, "Howard et al. 2017, Table 8"),
    "mobilenet_v2": (72.0, None, "Sandler et al. 2018, Table 4"),
    "squeezenet": (57.5, 80.3, "Iandola et al. 2016, Table 2 (version 1.0)"),
    "shufflenet_v1": (67.8, 87.7, "megvii ShuffleNet-Series README (1x, g=3)"),
    "shufflenet_v2": (69.4, 88.9, "megvii ShuffleNet-Series README (1x)"),
}


def _cost_model(key: str) -> CostModel:
    rows = {row.key: row for row in COST_MODELS}
    if key not in rows:
        raise ValueError(
            f"No cost-table row {key!r}{did_you_mean(key, rows)}. "
            f"Rows: {', '.join(rows)}."
        )
    return rows[key]


def build_cost_model(key: str) -> Any:
    """Builds the model of cost-table row ``key`` (e.g. ``"vgg16_bn_cifar10"``).

    Example:
        >>> model = build_cost_model("resnet_cifar56")
    """
    row = _cost_model(key)
    return build(row.builder, **row.kwargs)


def cost_row(model: Any, *, key: str | None = None, configuration: str = "") -> dict:
    """The cost of a built model: parameters, multiply-adds, size in MB.

    Sizes are parameters x 4 bytes (32-bit floats) and x 2 bytes (16-bit), in MB
    (10**6 bytes), counting every parameter (BatchNorm statistics included).

    Example:
        >>> cost_row(build("lenet5"))["params_total"]
        61706
    """
    if not isinstance(model, keras.Model):
        raise ValueError(
            "cost_row() takes a built keras.Model, e.g. build('lenet5'). "
            f"Received: {type(model).__name__}"
        )
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    total = int(model.count_params())
    return {
        "key": key or model.name,
        "model_name": model.name,
        "configuration": configuration,
        "input_shape": [int(s) for s in model.input_shape[1:]],
        "params_trainable": trainable,
        "params_total": total,
        "macs": int(arithmetic.count_macs(model).total),
        "mb_32bit": round(total * 4 / 1e6, 3),
        "mb_16bit": round(total * 2 / 1e6, 3),
    }


def compute_cost_rows(keys: Sequence[str] | None = None) -> list[dict]:
    """Builds the rows ``keys`` of :data:`COST_MODELS` (all by default) and counts."""
    chosen = [row.key for row in COST_MODELS] if keys is None else list(keys)
    rows = []
    for key in chosen:
        spec = _cost_model(key)
        keras.backend.clear_session()
        row = cost_row(build_cost_model(key), key=key, configuration=spec.configuration)
        rows.append({"builder": spec.builder, "kwargs": _jsonable(spec.kwargs), **row})
    keras.backend.clear_session()
    return rows


def _jsonable(kwargs: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}


def cost_table() -> list[dict]:
    """The rows of ``course_lib/results/model_costs.json`` (``tools/model_costs.py``).

    Each row: ``key``, ``builder``, ``kwargs``, ``model_name``, ``configuration``,
    ``input_shape``, ``params_trainable``, ``params_total``, ``macs``, ``mb_32bit``,
    ``mb_16bit``.
    """
    return results.load(COST_FILE)["rows"]


_COMPARED = ("input_shape", "params_trainable", "params_total", "macs")


def stale_rows(table: Sequence[dict], fresh: Sequence[dict]) -> list[str]:
    """Where a stored cost table disagrees with freshly computed rows.

    Args:
        table: Rows as :func:`cost_table` returns them.
        fresh: Rows computed now (:func:`compute_cost_rows` or :func:`cost_row`),
            matched to ``table`` by ``key``.

    Returns:
        One line per disagreement (empty when the file agrees with the builders).

    Example:
        >>> stale_rows(cost_table(), compute_cost_rows(["lenet5"]))
        []
    """
    stored = {row["key"]: row for row in table}
    problems = []
    for row in fresh:
        old = stored.get(row["key"])
        if old is None:
            problems.append(f"{row['key']}: not in the table")
            continue
        for field in _COMPARED:
            if list(np.ravel(old[field])) != list(np.ravel(row[field])):
                problems.append(
                    f"{row['key']}: {field} is {old[field]} in the file, "
                    f"{row[field]} built now"
                )
    return problems


def _run_summary(name: str, record: dict) -> dict:
    return {
        "file": name,
        "label": record.get("label", ""),
        "accuracy_0_999": record.get("test_accuracy_images_0_999"),
        "accuracy_full_test_set": record.get("test_accuracy"),
        "test_images": record.get("test_images"),
        "train_seconds": record.get("seconds", record.get("train_seconds")),
        "images_per_second": record.get("images_per_second"),
        "hardware": record.get("hardware"),
        "backend": record.get("backend"),
        "epochs_run": record.get("epochs_run"),
        "command": record.get("command"),
    }


def cifar10_results() -> dict[str, dict]:
    """Each CIFAR-10 run of ``benchmarks/full_runs.py`` with its measured results.

    Returns:
        ``{run: {"cost_key": ..., "runs": [...], "command": ...}}`` for every run of
        :data:`CIFAR10_RUNS`. ``runs`` holds one summary per results file
        (``<run>.json``, ``<run>_<tag>.json``): ``accuracy_0_999`` (test images
        0-999; ``None`` when the file predates that field), ``accuracy_full_test_set``,
        ``train_seconds``, ``images_per_second``, ``hardware``, ``backend``,
        ``label`` ("full recipe" or a partial run), ``command``. An empty list
        means not measured; ``command`` then produces it on a GPU.
    """
    present = results.available()
    table = {}
    for run, cost_key in CIFAR10_RUNS.items():
        files = [n for n in present if n == run or n.startswith(run + "_")]
        table[run] = {
            "cost_key": cost_key,
            "runs": [_run_summary(n, results.load(n)) for n in files],
            "command": results.full_run_command(run),
        }
    return table


def pareto_front(costs: Sequence[float], accuracies: Sequence[float]) -> list[int]:
    """Indices of the points no other point dominates (lower cost, higher accuracy).

    A point is dominated when another costs no more and is at least as accurate,
    and is strictly better in one of the two.

    Args:
        costs: One cost per model (parameters, multiply-adds, latency), >= 0.
        accuracies: One accuracy per model, same length.

    Returns:
        The indices on the front, sorted by cost.

    Raises:
        ValueError: For sequences of different lengths, empty ones, or values that
            are not finite numbers.

    Example:
        >>> pareto_front([1, 2, 3], [0.5, 0.4, 0.9])
        [0, 2]
    """
    try:
        x = np.asarray(costs, dtype=float)
        y = np.asarray(accuracies, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            "pareto_front() takes two sequences of numbers. "
            f"Received: costs={costs!r}, accuracies={accuracies!r}"
        ) from error
    if x.ndim != 1 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
        raise ValueError(
            "costs and accuracies must be two non-empty flat sequences of the same "
            f"length, one value per model. Received: {np.shape(x)} and {np.shape(y)}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(
            "costs and accuracies must be finite; drop models that were not "
            f"measured first. Received: costs={x.tolist()}, accuracies={y.tolist()}"
        )
    front = []
    for i in range(len(x)):
        dominated = np.any((x <= x[i]) & (y >= y[i]) & ((x < x[i]) | (y > y[i])))
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: (x[i], -y[i]))


# ------------------------------------------------------------------------------
# Backbone + head
# ------------------------------------------------------------------------------
def class_subset(
    images: Any, labels: Any, classes: Sequence[int], *, per_class: int | None = None
):
    """The images of ``classes``, relabelled 0, 1, ... in the order given.

    Args:
        images: Array of images, one per label.
        labels: Integer labels (shape ``(n,)`` or ``(n, 1)``).
        classes: The original labels to keep, e.g. ``[5, 6, 7, 8, 9]``;
            ``classes[i]`` becomes label ``i``.
        per_class: Keep only the first ``per_class`` images of each class.

    Returns:
        ``(images, new_labels)``, in the original order.

    Raises:
        ValueError: For mismatched lengths, repeated or absent classes, or a bad
            ``per_class``.

    Example:
        >>> x5, y5 = class_subset(x_train, y_train, [5, 6, 7, 8, 9], per_class=100)
    """
    labels = np.asarray(labels).reshape(-1)
    if len(images) != len(labels):
        raise ValueError(
            "images and labels must have the same length. "
            f"Received: {len(images)} images, {len(labels)} labels"
        )
    classes = list(classes)
    if not classes or not all(is_int(c) for c in classes):
        raise ValueError(
            f"classes must be a non-empty list of ints. Received: {classes}"
        )
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes must not repeat. Received: {classes}")
    missing = [c for c in classes if not np.any(labels == c)]
    if missing:
        raise ValueError(
            f"No image has label {missing}; labels present: "
            f"{sorted(set(labels.tolist()))}. Received: classes={classes}"
        )
    if per_class is not None and not (is_int(per_class) and per_class >= 1):
        raise ValueError(
            f"per_class must be None or an int >= 1. Received: per_class={per_class!r}"
        )
    keep = []
    for c in classes:
        index = np.flatnonzero(labels == c)
        keep.append(index if per_class is None else index[:per_class])
    keep = np.sort(np.concatenate(keep))
    mapping = {c: i for i, c in enumerate(classes)}
    new_labels = np.array([mapping[int(c)] for c in labels[keep]], dtype=labels.dtype)
    return images[keep], new_labels


def transfer_weights(source: Any, target: Any) -> int:
    """Copies the weights of every layer of ``target`` from ``source``'s layer of
    the same name: a trained classifier's body into a ``include_top=False`` build.

    Args:
        source: The trained model.
        target: A model whose weighted layers all exist in ``source`` with the
            same weight shapes (the same builder with ``include_top=False``).

    Returns:
        The number of layers copied.

    Raises:
        ValueError: If a weighted layer of ``target`` is missing in ``source`` or
            its weights have other shapes.

    Example:
        >>> backbone = build("resnet_cifar", include_top=False, pooling="avg")
        >>> transfer_weights(trained, backbone)
    """
    for name, model in (("source", source), ("target", target)):
        if not isinstance(model, keras.Model):
            raise ValueError(
                f"{name} must be a keras.Model. Received: {type(model).__name__}"
            )
    by_name = {layer.name: layer for layer in source.layers}
    copied = 0
    for layer in target.layers:
        if not layer.weights:
            continue
        match = by_name.get(layer.name)
        if match is None:
            raise ValueError(
                f"Layer {layer.name!r} of {target.name!r} has no counterpart in "
                f"{source.name!r}{did_you_mean(layer.name, by_name)}. Build both "
                "with the same builder and arguments (include_top aside)."
            )
        shapes = [tuple(w.shape) for w in match.weights]
        if shapes != [tuple(w.shape) for w in layer.weights]:
            raise ValueError(
                f"Layer {layer.name!r}: weight shapes differ, {shapes} in the source, "
                f"{[tuple(w.shape) for w in layer.weights]} in the target."
            )
        layer.set_weights(match.get_weights())
        copied += 1
    return copied


def attach_head(
    backbone: Any, num_classes: int, *, freeze: bool, name: str | None = None
) -> Any:
    """A classifier: ``backbone``, global average pooling if it outputs maps, and a
    new softmax layer of ``num_classes`` named ``new_predictions``.

    Args:
        backbone: A ``keras.Model`` without its classifier (``include_top=False``).
        num_classes: Classes of the new task, >= 2.
        freeze: ``True`` sets ``backbone.trainable = False``: only the head learns,
            and its BatchNorm layers keep their statistics. ``False`` fine-tunes it.
        name: The new model's name.

    Example:
        >>> model = attach_head(backbone, 5, freeze=True)
    """
    if not isinstance(backbone, keras.Model):
        raise ValueError(
            "backbone must be a keras.Model, e.g. build('resnet_cifar', "
            f"include_top=False). Received: {type(backbone).__name__}"
        )
    if not (is_int(num_classes) and num_classes >= 2):
        raise ValueError(
            f"num_classes must be an int >= 2. Received: num_classes={num_classes!r}"
        )
    if not isinstance(freeze, bool):
        raise ValueError(f"freeze must be True or False. Received: {freeze!r}")
    backbone.trainable = not freeze
    inputs = keras.Input(backbone.input_shape[1:])
    features = backbone(inputs)
    if len(features.shape) == 4:
        features = keras.layers.GlobalAveragePooling2D(name="new_pool")(features)
    outputs = keras.layers.Dense(
        num_classes, activation="softmax", name="new_predictions"
    )(features)
    return keras.Model(inputs, outputs, name=name or f"{backbone.name}_new_head")
