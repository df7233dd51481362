"""Image transforms in NumPy, on whole batches at once (no Python loop over images).

- :func:`shift_images` moves images by whole pixels, filling with zeros (no
  wrap-around): the shift experiments of lessons 01 and 02.
- :func:`pad_images` zero-pads images symmetrically to a size (LeNet-5's 32x32 input).
- :func:`random_crop_flip` is the CIFAR-10 augmentation of He et al. (2016): pad with
  zeros, crop a random window of the original size and flip left-right with
  probability 1/2, drawn independently for every image of the batch.

See: lessons/01_image_classification.ipynb, lessons/02_mlp_to_cnn.ipynb
"""

from __future__ import annotations

import numpy as np

__all__ = ["pad_images", "random_crop_flip", "shift_images"]


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


def pad_images(images: np.ndarray, size: int) -> np.ndarray:
    """Zero-pads (N, H, W, C) images symmetrically to ``size`` x ``size``.

    Args:
        images: (N, H, W, C) array.
        size: the new side; it must exceed H and W by an even number of pixels.

    Returns:
        A new (N, size, size, C) array of the same dtype.

    Example:
        >>> pad_images(np.ones((1, 28, 28, 1), np.uint8), 32).shape
        (1, 32, 32, 1)
    """
    extra_h, extra_w = size - images.shape[1], size - images.shape[2]
    if extra_h < 0 or extra_w < 0 or extra_h % 2 or extra_w % 2:
        raise ValueError(
            "pad_to must exceed the image size by an even number of pixels. "
            f"Received: pad_to={size} for images of "
            f"{images.shape[1]}x{images.shape[2]}"
        )
    top, left = extra_h // 2, extra_w // 2
    out = np.zeros((images.shape[0], size, size, images.shape[3]), images.dtype)
    out[:, top : top + images.shape[1], left : left + images.shape[2]] = images
    return out


def random_crop_flip(
    images: np.ndarray, rng: np.random.Generator, *, pad: int = 4
) -> np.ndarray:
    """Pads by ``pad`` zeros, crops a random window of the original size and flips it
    left-right with probability 1/2, drawing offsets and flips for each image.

    One gather does the whole batch: the rows and columns each output pixel comes
    from are computed as index arrays, the flip reversing the column order. (Unlike
    ``keras.layers.RandomCrop``, which draws one offset for the whole batch.)

    Args:
        images: (N, H, W, C) array.
        rng: the random generator (same state, same crops).
        pad: zeros added on each side; offsets range over -pad..pad pixels.

    Returns:
        A new (N, H, W, C) array of the same dtype.

    Example:
        >>> out = random_crop_flip(x, np.random.default_rng(0))
    """
    n, height, width, channels = images.shape
    padded = np.zeros((n, height + 2 * pad, width + 2 * pad, channels), images.dtype)
    padded[:, pad : pad + height, pad : pad + width] = images
    top = rng.integers(0, 2 * pad + 1, size=n)
    left = rng.integers(0, 2 * pad + 1, size=n)
    flip = rng.random(n) < 0.5
    rows = top[:, None] + np.arange(height)  # (N, H)
    steps = np.where(flip[:, None], np.arange(width - 1, -1, -1), np.arange(width))
    cols = left[:, None] + steps  # (N, W)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
