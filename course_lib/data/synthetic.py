"""Synthetic images: the smoke-mode stand-in for a missing dataset, and the little
O/X/diagonals data set of lesson 03.

See: lessons/03_convolution_arithmetic.ipynb
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from course_lib.data import catalog, store

__all__ = ["OX_SHAPES", "ox_shapes", "synthetic_standin"]


def synthetic_standin(
    name: str, *, reason: str | None = None, stacklevel: int = 2
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Smoke mode only: class-dependent random patterns with the real shapes and dtypes.

    Warns loudly (a ``UserWarning`` and a line on stderr) that what follows is not
    about the real dataset.

    Args:
        name: ``"mnist"`` or ``"cifar10"``.
        reason: why the real data could not be used, when it is worth saying (e.g. a
            read-only cache); the default message says it was not found.
        stacklevel: passed to ``warnings.warn``, so that the warning points at the
            lesson's call.

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` of :data:`catalog.SMOKE_SIZES`, uint8.
    """
    why = reason or f"no real {name} data was found"
    message = (
        f"SYNTHETIC STAND-IN: {why}, so smoke mode is using random class patterns "
        f"instead. Accuracies and plots below are NOT about {name}. "
        + catalog.HOW_TO_GET.format(name=name, cache=store.cache_dir() / name)
    )
    warnings.warn(message, stacklevel=stacklevel)
    print(f"WARNING: {message}", file=sys.stderr)
    shape = (28, 28) if name == "mnist" else (32, 32, 3)
    rng = np.random.default_rng(catalog.SMOKE_SEED)
    templates = rng.integers(0, 256, size=(10, *shape))

    def make(n):
        y = np.arange(n) % 10
        noise = rng.normal(0, 40, size=(n, *shape))
        images = np.clip(templates[y] + noise, 0, 255).astype(np.uint8)
        return images, y.astype(np.uint8)

    n_train, n_test = catalog.SMOKE_SIZES[name]
    return make(n_train), make(n_test)


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

    Example:
        >>> images, labels = ox_shapes(40, seed=3)
        >>> images.shape, [OX_SHAPES[i] for i in labels[:4]]
        ((40, 16, 16), ['O', 'X', '\\', '/'])
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
