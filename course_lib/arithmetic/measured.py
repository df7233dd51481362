"""Receptive fields measured with gradients, to test the formulas and go beyond them.

- :func:`gradient_receptive_field`: the pixels one output unit depends on, found by
  back-propagation: every pixel with a non-zero gradient. It must agree with the
  formula of :func:`~course_lib.arithmetic.receptive_field`.
- :func:`effective_receptive_field`: the mean gradient magnitude per pixel, a heat
  map (Luo, Li, Urtasun & Zemel, "Understanding the Effective Receptive Field in Deep
  Convolutional Neural Networks", NeurIPS 2016).
- :func:`mask_extent` and :func:`mass_extent` sum a mask or a heat map up in pixels.

Gradients come from ``course_lib._backend.input_gradient`` and the model is read with
``keras.ops``, so these run on TensorFlow and JAX alike.

See: lessons/04_receptive_fields.ipynb
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_lib._util import is_int
from course_lib.arithmetic._args import check_positive

__all__ = [
    "effective_receptive_field",
    "gradient_receptive_field",
    "input_gradient",
    "mask_extent",
    "mass_extent",
]


def input_gradient(fn, x) -> np.ndarray:
    """The gradient of a scalar ``fn(x)`` with respect to the input ``x``, as NumPy.

    ``fn`` takes the input as a backend tensor and returns a scalar computed with Keras
    layers and ``keras.ops``, e.g. one unit of a layer's output. Works on TensorFlow
    and JAX (it replaces ``tf.GradientTape`` in backend-neutral code).

    Example:
        >>> conv = keras.layers.Conv2D(1, 3)
        >>> g = input_gradient(lambda t: keras.ops.sum(conv(t)[0, 5, 5]), image)

    See: lessons/02_mlp_to_cnn.ipynb, lessons/04_receptive_fields.ipynb.
    """
    from course_lib import _backend

    return _backend.input_gradient(fn, x)


def _unit_position(position: Any, size: tuple[int, int]) -> tuple[int, int]:
    """``position`` checked against the feature map's ``(height, width)``."""
    if position is None:
        return size[0] // 2, size[1] // 2
    inside = (
        isinstance(position, (tuple, list))
        and len(position) == 2
        and all(is_int(p) and 0 <= p < n for p, n in zip(position, size, strict=True))
    )
    if not inside:
        # JAX clamps an index past the end instead of failing, so check it here.
        raise ValueError(
            "`position` must be a (row, col) pair of ints inside the output feature "
            f"map, of size {tuple(size)}. Received: position={position!r}"
        )
    return int(position[0]), int(position[1])


def _centre_unit_gradients(model: Any, inputs: np.ndarray, position: Any) -> np.ndarray:
    """Gradients of one output location (summed over channels) w.r.t. the inputs.

    Returns:
        A float32 array shaped like ``inputs``: for each input, the gradient of its
        own unit (the inputs of a batch do not interact in inference mode).
    """
    # Imported here, as in the rest of the package: importing course_lib.arithmetic
    # needs NumPy only, and Keras starts its backend only when a model is involved.
    import keras

    from course_lib import _backend

    def unit(x):
        y = model(x, training=False)
        if len(y.shape) != 4:
            raise ValueError(
                "The model must output a feature map (batch, height, width, "
                "channels), e.g. keras.Model(net.inputs, net.get_layer(name).output)."
                f" Received: output shape {tuple(y.shape)}"
            )
        row, col = _unit_position(position, tuple(y.shape[1:3]))
        return keras.ops.sum(y[:, row, col, :])

    return _backend.input_gradient(unit, inputs)


def gradient_receptive_field(
    model: Any,
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
        model: A Keras model whose output is a feature map ``(N, h, w, c)``, e.g.
            ``keras.Model(net.inputs, net.get_layer(name).output)``.
        position: ``(row, col)`` of the output unit; default the centre.
        n_samples: Random inputs (standard normal) to combine.
        seed: Their seed.
        inputs: Use these inputs ``(N, H, W, C)`` instead of random ones.

    Returns:
        A boolean ``(H, W)`` mask over the input image.

    Raises:
        ValueError: If the model's input size is not fixed (and no ``inputs`` are
            given), its output is not a feature map, or ``position`` lies outside it.

    Example:
        >>> mask = gradient_receptive_field(feature_map, n_samples=4)
        >>> mask_extent(mask)  # three 3x3 convolutions with "same" padding
        (7, 7)

    See: lessons/04_receptive_fields.ipynb
    """
    if inputs is None:
        n_samples = check_positive("n_samples", n_samples)
        shape = tuple(model.input_shape[1:])
        if any(s is None for s in shape):
            raise ValueError(
                "gradient_receptive_field draws random inputs, so the model needs a "
                "fixed input shape (or pass `inputs`). "
                f"Received: model.input_shape={model.input_shape}"
            )
        rng = np.random.default_rng(seed)
        inputs = rng.standard_normal((n_samples, *shape)).astype("float32")
    grads = _centre_unit_gradients(model, inputs, position)
    magnitude = np.abs(grads)
    if magnitude.ndim == 4:
        magnitude = magnitude.sum(axis=-1)
    return (magnitude > 0).any(axis=0)


def effective_receptive_field(
    model: Any,
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
        model: A Keras model whose output is a feature map.
        inputs: Float images ``(N, H, W, C)``, preprocessed as the model expects.
        position: ``(row, col)`` of the output unit; default the centre.
        batch_size: Inputs per gradient computation.

    Returns:
        A float ``(H, W)`` map that sums to one (all zeros if no pixel matters).

    Example:
        >>> heat = effective_receptive_field(feature_map, x_test[:256])
        >>> mass_extent(heat, 0.95)  # side of the square holding 95% of the mass

    See: lessons/04_receptive_fields.ipynb
    """
    inputs = np.asarray(inputs, dtype="float32")
    batch_size = check_positive("batch_size", batch_size)
    if inputs.ndim < 3 or len(inputs) == 0:
        raise ValueError(
            "effective_receptive_field needs a non-empty batch of images "
            f"(N, H, W, C). Received: inputs.shape={inputs.shape}"
        )
    total = 0.0
    for start in range(0, len(inputs), batch_size):
        batch = inputs[start : start + batch_size]
        grads = np.abs(_centre_unit_gradients(model, batch, position))
        total = total + (grads.sum(axis=(0, -1)) if grads.ndim == 4 else grads.sum(0))
    mass = total.sum()
    return total / mass if mass > 0 else total


def mask_extent(mask: np.ndarray) -> tuple[int, int]:
    """Height and width of the bounding box of the True pixels of a 2-D mask.

    Args:
        mask: A boolean ``(H, W)`` array, e.g. from ``gradient_receptive_field``.

    Returns:
        ``(height, width)`` in pixels; ``(0, 0)`` for an empty mask.

    Example:
        >>> m = np.zeros((5, 5), bool); m[1:4, 2] = True
        >>> mask_extent(m)
        (3, 1)
    """
    mask = np.asarray(mask, bool)
    if mask.ndim != 2:
        raise ValueError(
            f"mask_extent expects a 2-D mask. Received: mask.shape={mask.shape}"
        )
    if not mask.any():
        return (0, 0)
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def mass_extent(
    heat: np.ndarray, share: float = 0.95, centre: tuple[int, int] | None = None
) -> int:
    """Side of the smallest square around ``centre`` that holds ``share`` of the mass.

    One number for the size of an effective receptive field. Squares grow one pixel
    on every side at a time, so the side is odd; parts outside the map hold nothing.

    Args:
        heat: Non-negative ``(H, W)`` map, e.g. from ``effective_receptive_field``.
        share: Fraction of the mass the square must hold, in ``(0, 1]``.
        centre: ``(row, col)`` of the square's centre; default the map's centre
            pixel.

    Returns:
        The side in pixels (0 for a map without mass).

    Example:
        >>> heat = np.zeros((5, 5)); heat[2, 2] = 0.6; heat[1, 1] = 0.4
        >>> mass_extent(heat, 0.5), mass_extent(heat, 1.0)
        (1, 3)
    """
    heat = np.asarray(heat, dtype=float)
    if heat.ndim != 2 or (heat < 0).any():
        raise ValueError(
            "mass_extent expects a non-negative 2-D map. Received: "
            f"heat.shape={heat.shape}, min={heat.min() if heat.size else None}"
        )
    if not 0 < share <= 1:
        raise ValueError(f"`share` must be in (0, 1]. Received: share={share!r}")
    total = heat.sum()
    if total == 0:
        return 0
    if centre is None:
        centre = (heat.shape[0] // 2, heat.shape[1] // 2)
    row, col = centre
    for half in range(max(heat.shape)):
        rows = slice(max(0, row - half), row + half + 1)
        cols = slice(max(0, col - half), col + half + 1)
        if heat[rows, cols].sum() >= share * total - 1e-12:
            return 2 * half + 1
    return 2 * max(heat.shape) - 1
