"""course_lib.data's small helpers of lessons 01-03: shift_images and the O/X shapes.

(They lived in course_lib.experiments before it was split up.)
"""

import numpy as np
import pytest

from course_lib import data
from course_lib.data import synthetic, transforms


def test_the_helpers_are_exported_by_the_package():
    assert data.shift_images is transforms.shift_images
    assert data.ox_shapes is synthetic.ox_shapes
    assert data.OX_SHAPES == synthetic.OX_SHAPES == ("O", "X", "\\", "/")


def test_shift_images_moves_content_and_fills_with_zeros():
    image = np.arange(1, 17).reshape(4, 4)
    right = data.shift_images(image, dx=1)
    assert right[:, 0].tolist() == [0, 0, 0, 0]
    assert np.array_equal(right[:, 1:], image[:, :-1])
    up = data.shift_images(image[None, ..., None], dy=-2)[0, ..., 0]
    assert np.array_equal(up[:2], image[2:]) and not up[2:].any()
    assert not data.shift_images(image, dx=5).any()
    assert np.array_equal(data.shift_images(image), image)
    batch = np.ones((3, 5, 5, 2), np.uint8)
    out = data.shift_images(batch, dx=-1, dy=1)
    assert out.dtype == np.uint8 and out.shape == batch.shape
    assert out.sum() == 3 * 4 * 4 * 2


def test_shift_images_rejects_bad_shapes():
    with pytest.raises(ValueError, match="Received: shape"):
        data.shift_images(np.zeros(5))


def test_ox_shapes_are_balanced_reproducible_and_drawn_where_expected():
    images, labels = data.ox_shapes(40, seed=3, noise=0.0)
    again, _ = data.ox_shapes(40, seed=3, noise=0.0)
    assert images.shape == (40, 16, 16) and images.dtype == np.float32
    assert np.array_equal(images, again)
    assert np.bincount(labels).tolist() == [10] * len(data.OX_SHAPES)
    down = images[labels == data.OX_SHAPES.index("\\")]
    up = images[labels == data.OX_SHAPES.index("/")]
    # "\" lies on a falling diagonal: its pixels satisfy row - col = constant.
    for image in down:
        rows, cols = np.nonzero(image)
        assert len(set(rows - cols)) == 1
    for image in up:
        rows, cols = np.nonzero(image)
        assert len(set(rows + cols)) == 1
    with pytest.raises(ValueError):
        data.ox_shapes(4, size=8)
