"""Predictions and accuracy measures: classes and probabilities, top-k, shifted inputs.

One implementation of each measure: :func:`top_k_error` works on NumPy scores, and
:func:`evaluate_top_k` and :func:`predict_classes` feed it from a model.

See: lessons/01_image_classification.ipynb, lessons/02_mlp_to_cnn.ipynb,
lessons/05_lenet5.ipynb.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from course_lib import data as course_data
from course_lib._util import is_int

__all__ = [
    "SHIFT_DIRECTIONS",
    "evaluate_top_k",
    "outputs_probabilities",
    "predict_classes",
    "shift_accuracy",
    "top_k_error",
]

TOP_K = 5

SHIFT_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))
"""Right, left, down, up: the directions :func:`shift_accuracy` averages over."""


def outputs_probabilities(model) -> bool:
    """True when the model ends in a softmax, False when it outputs logits."""
    activation = getattr(model.layers[-1], "activation", None)
    name = getattr(activation, "__name__", "")
    if name == "softmax" or isinstance(model.layers[-1], keras.layers.Softmax):
        return True
    if name == "linear":
        return False
    # Unknown output layer: check whether rows of outputs are distributions.
    shape = tuple(d or 8 for d in model.input_shape[1:])
    probe = np.random.default_rng(0).uniform(size=(2, *shape)).astype("float32")
    out = ops.convert_to_numpy(model(probe, training=False)).astype("float64")
    return bool(np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1.0, atol=1e-3))


def top_k_error(y_true, scores, k: int = 5) -> float:
    """The share of examples whose true class is not among the ``k`` highest scores.

    Top-1 error is the ordinary error rate; ILSVRC ranked classification entries by
    top-5 error. Ties are broken by class index, as ``np.argsort`` does.

    Args:
        y_true: integer labels, shape (N,).
        scores: class scores or probabilities, shape (N, num_classes).
        k: how many guesses count.

    Returns:
        A float in [0, 1].

    Example:
        >>> top_k_error([2, 0], np.array([[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]), k=1)
        0.5
    """
    y_true = np.asarray(y_true).reshape(-1)
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[0] != y_true.shape[0]:
        raise ValueError(
            "top_k_error expects labels (N,) and scores (N, num_classes). "
            f"Received: y_true.shape={y_true.shape}, scores.shape={scores.shape}"
        )
    if not (is_int(k) and 1 <= k <= scores.shape[1]):
        raise ValueError(
            f"k must be an integer between 1 and the number of classes "
            f"({scores.shape[1]}). Received: k={k!r}"
        )
    top_k = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    hit = (top_k == y_true[:, None]).any(axis=1)
    return float(1.0 - hit.mean())


def predict_classes(
    model: keras.Model,
    x,
    *,
    recipe=None,
    normalization="unit",
    pad_to: int | None = None,
    batch_size: int = 256,
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted classes and class probabilities, for confusion matrices and mistakes.

    Args:
        model: A trained classifier (softmax or logits output).
        x: uint8 images as the loaders return them (preprocessed here, as training
            did), float images already preprocessed, or batches from
            :func:`course_lib.data.pipeline`.
        recipe: Take ``normalization`` and ``pad_to`` from this recipe (or name).
        normalization: As :func:`course_lib.data.pipeline` (for uint8 images).
        pad_to: As :func:`course_lib.data.pipeline` (for uint8 images).
        batch_size: Images per prediction batch.

    Returns:
        ``(predictions, probabilities)``: int64 classes (N,) and float32 (N, classes).

    Example:
        >>> y_pred, probs = predict_classes(model, x_test, recipe="lenet5_mnist")

    See: lessons/05_lenet5.ipynb.
    """
    from course_lib.training.recipes import get_recipe

    if isinstance(recipe, str):
        recipe = get_recipe(recipe)
    if recipe is not None:
        normalization, pad_to = recipe.normalization, recipe.pad_to
    if isinstance(x, np.ndarray) and x.dtype == np.uint8:
        x = course_data.pipeline(
            x,
            np.zeros(len(x), np.int32),
            batch_size=batch_size,
            normalization=normalization,
            pad_to=pad_to,
        )
    elif isinstance(x, np.ndarray):
        x = x.astype(np.float32)
        x = x[..., None] if x.ndim == 3 else x
    outputs = np.asarray(
        model.predict(x, batch_size=batch_size, verbose=0)
        if isinstance(x, np.ndarray)
        else model.predict(x, verbose=0),
        dtype=np.float32,
    )
    if not outputs_probabilities(model):
        outputs = ops.convert_to_numpy(ops.softmax(outputs, axis=-1))
    return outputs.argmax(axis=-1), outputs


def evaluate_top_k(model: keras.Model, dataset, k: int = 5) -> float:
    """Top-k accuracy of ``model`` on batches of ``(images, integer labels)``.

    Args:
        model: A classifier.
        dataset: Batches of ``(images, labels)``, e.g. from
            :func:`course_lib.data.pipeline` (either engine).
        k: How many of the highest-scoring classes may hold the label.

    Returns:
        The fraction of images whose label is among the top ``k``, 0..1
        (``1 - top_k_error``).

    Example:
        >>> top5 = evaluate_top_k(model, test_ds, k=5)

    See: lessons/01_image_classification.ipynb.
    """
    if not (is_int(k) and k >= 1):
        raise ValueError(f"k must be an integer >= 1. Received: k={k!r}")
    labels, scores = [], []
    for images, batch_labels in dataset:
        scores.append(ops.convert_to_numpy(model(images, training=False)))
        labels.append(ops.convert_to_numpy(batch_labels).reshape(-1))
    if not labels:
        raise ValueError("The dataset yielded no batches: nothing to evaluate.")
    return 1.0 - top_k_error(np.concatenate(labels), np.concatenate(scores), k)


def shift_accuracy(
    model,
    images: np.ndarray,
    labels: np.ndarray,
    shifts=range(7),
    *,
    batch_size: int = 1024,
) -> np.ndarray:
    """A classifier's accuracy on test images shifted by each of ``shifts`` pixels.

    Every image is shifted right, left, down and up (:data:`SHIFT_DIRECTIONS`) with
    :func:`course_lib.data.shift_images`, and the four accuracies are averaged.

    Args:
        model: a Keras model (or anything with ``predict``) returning class scores,
            fed ``images`` exactly as given (so include any rescaling in the model).
        images: test images as the model takes them, (N, H, W) or (N, H, W, C).
        labels: their integer labels, (N,).
        shifts: shift sizes in pixels.
        batch_size: prediction batch size.

    Returns:
        A float array, one accuracy per shift size.

    See: lessons/01_image_classification.ipynb, lessons/02_mlp_to_cnn.ipynb.
    """
    labels = np.asarray(labels).reshape(-1)
    truth = np.tile(labels, len(SHIFT_DIRECTIONS))
    accuracies = []
    for shift in shifts:
        batch = np.concatenate(
            [
                course_data.shift_images(images, dx=shift * dx, dy=shift * dy)
                for dx, dy in SHIFT_DIRECTIONS
            ]
        )
        scores = model.predict(batch, batch_size=batch_size, verbose=0)
        predicted = np.asarray(scores).argmax(axis=1)
        accuracies.append(float(np.mean(predicted == truth)))
    return np.array(accuracies)
