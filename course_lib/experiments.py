"""Small measuring tools the early lessons run experiments with.

- :func:`shift_images` moves images by whole pixels, filling with zeros (no
  wrap-around): the shift experiments of lessons 01 and 02.
- :func:`shift_accuracy` measures a classifier's accuracy on shifted test images.
- :func:`top_k_error` is the ILSVRC metric, computed from class scores.
- :func:`fit_classifier` compiles and fits the small models of these experiments in one
  call (Adam, cross-entropy on logits, accuracy), quietly.
- :func:`best_time` times a function the way ``timeit`` does (best of several runs).
- :func:`gradient_receptive_field`, :func:`effective_receptive_field` and
  :func:`mask_extent` measure which input pixels one output unit of a feature map
  depends on, from gradients: the theoretical receptive field (every pixel with a
  non-zero gradient) and the effective receptive field of Luo et al. (2016), the mean
  gradient magnitude, a heat map.
- :func:`mass_extent` summarises a heat map by the side of the smallest centred square
  that holds a given share of its mass.
- :func:`ox_shapes` draws the little synthetic data set of lesson 03: noisy images of
  "O", "X", "\\" and "/", for hand-made versus learned diagonal filters.

See: lessons/01_image_classification.ipynb, lessons/02_mlp_to_cnn.ipynb,
lessons/03_convolution_arithmetic.ipynb, lessons/04_receptive_fields.ipynb
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

__all__ = [
    "best_time",
    "effective_receptive_field",
    "fit_classifier",
    "gradient_receptive_field",
    "mask_extent",
    "mass_extent",
    "OX_SHAPES",
    "ox_shapes",
    "shift_accuracy",
    "shift_images",
    "top_k_error",
]


def shift_images(images: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Shifts images by whole pixels, filling the uncovered border with zeros.

    Pixels pushed past the edge are lost (no wrap-around, unlike ``np.roll``), as when
    an object moves out of the frame.

    Args:
        images: (N, H, W) or (N, H, W, C) array (a single (H, W) image also works).
        dx: pixels to the right (negative: to the left).
        dy: pixels down (negative: up).

    Returns:
        A new array of the same shape and dtype.

    Example:
        >>> shift_images(np.eye(3)[None], dx=1)[0]
        array([[0., 1., 0.],
               [0., 0., 1.],
               [0., 0., 0.]])
    """
    images = np.asarray(images)
    single = images.ndim == 2
    batch = images[None] if single else images
    if batch.ndim not in (3, 4):
        raise ValueError(
            "shift_images expects (H, W), (N, H, W) or (N, H, W, C) arrays. "
            f"Received: shape={images.shape}"
        )
    height, width = batch.shape[1:3]
    out = np.zeros_like(batch)
    if abs(dx) < width and abs(dy) < height:
        src_rows = slice(max(0, -dy), height - max(0, dy))
        dst_rows = slice(max(0, dy), height - max(0, -dy))
        src_cols = slice(max(0, -dx), width - max(0, dx))
        dst_cols = slice(max(0, dx), width - max(0, -dx))
        out[:, dst_rows, dst_cols] = batch[:, src_rows, src_cols]
    return out[0] if single else out


SHIFT_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))
"""Right, left, down, up: the directions :func:`shift_accuracy` averages over."""


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
    :func:`shift_images`, and the four accuracies are averaged.

    Args:
        model: a Keras model (or anything with ``predict``) returning class scores,
            fed ``images`` exactly as given (so include any rescaling in the model).
        images: test images as the model takes them, (N, H, W) or (N, H, W, C).
        labels: their integer labels, (N,).
        shifts: shift sizes in pixels.
        batch_size: prediction batch size.

    Returns:
        A float array, one accuracy per shift size.
    """
    labels = np.asarray(labels).reshape(-1)
    accuracies = []
    for shift in shifts:
        batch = np.concatenate(
            [
                shift_images(images, dx=shift * dx, dy=shift * dy)
                for dx, dy in SHIFT_DIRECTIONS
            ]
        )
        scores = model.predict(batch, batch_size=batch_size, verbose=0)
        predicted = np.asarray(scores).argmax(axis=1)
        truth = np.tile(labels, len(SHIFT_DIRECTIONS))
        accuracies.append(float(np.mean(predicted == truth)))
    return np.array(accuracies)


def top_k_error(y_true: np.ndarray, scores: np.ndarray, k: int = 5) -> float:
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
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(
            f"k must be between 1 and the number of classes. Received: k={k}"
        )
    top_k = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    hit = (top_k == y_true[:, None]).any(axis=1)
    return float(1.0 - hit.mean())


def fit_classifier(
    model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    validation_data: tuple | None = None,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    verbose: int = 0,
):
    """Compiles and fits a small classifier that outputs logits; returns the History.

    The one training set-up of the early lessons' experiments: Adam, sparse
    categorical cross-entropy on logits, accuracy. (The architecture lessons use the
    recipes of :mod:`course_lib.training` instead.)

    Example:
        >>> history = fit_classifier(model, x_train, y_train, epochs=5,
        ...                          validation_data=(x_test, y_test))
    """
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=verbose,
    )


def best_time(fn: Callable[[], object], *, repeat: int = 3) -> float:
    """Seconds one call of ``fn`` takes: the best of ``repeat`` runs.

    The minimum, not the mean, is the figure least disturbed by other programs on a
    shared machine (the advice of Python's ``timeit``).
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1. Received: repeat={repeat}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _centre_unit_gradients(model, inputs, position):
    """Gradients of one output location (summed over channels) w.r.t. the inputs."""
    import tensorflow as tf

    x = tf.convert_to_tensor(inputs, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x, training=False)
        if len(y.shape) != 4:
            raise ValueError(
                "The model must output a feature map (batch, height, width, channels). "
                f"Received: output shape {tuple(y.shape)}"
            )
        if position is None:
            position = (y.shape[1] // 2, y.shape[2] // 2)
        row, col = position
        unit = tf.reduce_sum(y[:, row, col, :])
    return tape.gradient(unit, x).numpy()


def gradient_receptive_field(
    model,
    *,
    position: tuple[int, int] | None = None,
    n_samples: int = 8,
    seed: int = 0,
    inputs: np.ndarray | None = None,
) -> np.ndarray:
    """Which input pixels one output unit depends on, found by back-propagation.

    The unit is the output location ``position`` (default: the centre) of ``model``'s
    feature map, summed over channels. A pixel belongs to its receptive field when the
    unit's gradient with respect to that pixel is non-zero for at least one of the
    inputs: ReLUs and max pooling pass gradient through only some paths for one input,
    so several random inputs are combined.

    Args:
        model: a Keras model whose output is a feature map (N, h, w, c), e.g.
            ``keras.Model(net.inputs, net.get_layer(name).output)``.
        position: (row, col) of the output unit; default the centre.
        n_samples: random inputs (standard normal) to combine.
        seed: their seed.
        inputs: use these inputs instead of random ones.

    Returns:
        A boolean (H, W) mask over the input image.
    """
    if inputs is None:
        shape = tuple(model.input_shape[1:])
        if any(s is None for s in shape):
            raise ValueError(
                f"The model needs a fixed input shape. Received: {model.input_shape}"
            )
        rng = np.random.default_rng(seed)
        inputs = rng.standard_normal((n_samples, *shape)).astype("float32")
    grads = _centre_unit_gradients(model, inputs, position)
    magnitude = np.abs(grads)
    if magnitude.ndim == 4:
        magnitude = magnitude.sum(axis=-1)
    return (magnitude > 0).any(axis=0)


def effective_receptive_field(
    model,
    inputs: np.ndarray,
    *,
    position: tuple[int, int] | None = None,
    batch_size: int = 32,
) -> np.ndarray:
    """The effective receptive field of Luo et al. (2016): mean |gradient| per pixel.

    For each input, the gradient of one output unit (``position``, default the centre,
    summed over channels) with respect to the input pixels; the magnitudes (summed over
    colour channels) are averaged over the inputs and scaled so the map sums to one.

    Args:
        model: a Keras model whose output is a feature map.
        inputs: float images (N, H, W, C), preprocessed as the model expects.
        position: (row, col) of the output unit; default the centre.
        batch_size: inputs per gradient computation.

    Returns:
        A float (H, W) map that sums to one.
    """
    inputs = np.asarray(inputs, dtype="float32")
    total = None
    for start in range(0, len(inputs), batch_size):
        batch = inputs[start : start + batch_size]
        grads = np.abs(_centre_unit_gradients(model, batch, position))
        part = grads.sum(axis=(0, -1)) if grads.ndim == 4 else grads.sum(axis=0)
        total = part if total is None else total + part
    mass = total.sum()
    return total / mass if mass > 0 else total


def mask_extent(mask: np.ndarray) -> tuple[int, int]:
    """Height and width of the bounding box of the True pixels of a 2-D mask.

    Example:
        >>> m = np.zeros((5, 5), bool); m[1:4, 2] = True
        >>> mask_extent(m)
        (3, 1)
    """
    mask = np.asarray(mask, bool)
    if not mask.any():
        return (0, 0)
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def mass_extent(
    heat: np.ndarray, share: float = 0.95, centre: tuple[int, int] | None = None
) -> int:
    """Side (in pixels, odd) of the smallest square around ``centre`` that holds
    ``share`` of the map's total mass: one number for the size of an effective
    receptive field.

    Args:
        heat: non-negative (H, W) map.
        share: fraction of the mass the square must hold, in (0, 1].
        centre: (row, col) of the square's centre; default the map's centre pixel.
    """
    heat = np.asarray(heat, dtype=float)
    if heat.ndim != 2 or (heat < 0).any():
        raise ValueError("mass_extent expects a non-negative 2-D map.")
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1]. Received: share={share}")
    total = heat.sum()
    if total == 0:
        return 0
    if centre is None:
        centre = (heat.shape[0] // 2, heat.shape[1] // 2)
    row, col = centre
    for half in range(max(heat.shape)):
        rows = slice(max(0, row - half), row + half + 1)
        cols = slice(max(0, col - half), col + half + 1)
        window = heat[rows, cols]
        if window.sum() >= share * total - 1e-12:
            return 2 * half + 1
    return 2 * max(heat.shape) - 1


OX_SHAPES = ("O", "X", "\\", "/")
"""Class names of :func:`ox_shapes`, indexed by label."""


def ox_shapes(
    n: int, *, size: int = 16, seed: int = 0, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy line drawings of :data:`OX_SHAPES`: O (a diamond), X, "\\" and "/".

    Each image has one shape of random half-size 4 to 6 pixels, drawn with one-pixel
    lines of value 1 near the centre (jitter of one pixel), plus Gaussian noise. The
    labels cycle through the four classes, so every class has ``n / 4`` images.

    Args:
        n: number of images.
        size: image side in pixels (at least 14).
        seed: random seed (same seed, same images).
        noise: standard deviation of the added Gaussian noise.

    Returns:
        ``(images, labels)``: float32 (n, size, size) and int (n,).
    """
    from skimage.draw import line

    if size < 14:
        raise ValueError(f"ox_shapes needs size >= 14. Received: size={size}")
    rng = np.random.default_rng(seed)
    images = np.zeros((n, size, size), np.float32)
    labels = np.arange(n) % len(OX_SHAPES)
    for i, label in enumerate(labels):
        r = int(rng.integers(4, 7))
        cy, cx = size // 2 + rng.integers(-1, 1, size=2)
        down = (cy - r, cx - r, cy + r, cx + r)  # "\\": top-left to bottom-right
        up = (cy - r, cx + r, cy + r, cx - r)  # "/": top-right to bottom-left
        diamond = [(cy - r, cx, cy, cx + r), (cy, cx + r, cy + r, cx),
                   (cy + r, cx, cy, cx - r), (cy, cx - r, cy - r, cx)]  # fmt: skip
        segments = {0: diamond, 1: [down, up], 2: [down], 3: [up]}[int(label)]
        for segment in segments:
            rows, cols = line(*(int(v) for v in segment))
            images[i, rows, cols] = 1.0
        images[i] += rng.normal(0.0, noise, (size, size)).astype(np.float32)
    return images, labels
