"""course_lib.arithmetic.local_response_normalization: the NumPy reference of the
formula of Krizhevsky et al. (2012), section 3.3, in TensorFlow's convention.

test_layers.py compares the course's layer (and tf.nn, where installed) with it; here
it is checked by hand.
"""

import numpy as np
import pytest

from course_lib.arithmetic import local_response_normalization


def test_one_position_by_hand():
    a = np.array([1.0, 0.0, 3.0, 2.0])
    out = local_response_normalization(a, depth_radius=1, bias=1.0, alpha=1.0, beta=1.0)
    # Windows of up to 3 channels, cut at the ends of the channel axis.
    expected = [1 / (1 + 1), 0.0, 3 / (1 + 0 + 9 + 4), 2 / (1 + 9 + 4)]
    np.testing.assert_allclose(out, expected)


def test_the_papers_constants_on_a_batch():
    rng = np.random.default_rng(0)
    x = np.maximum(rng.normal(scale=30.0, size=(2, 3, 3, 8)), 0)
    out = local_response_normalization(
        x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75
    )
    assert out.shape == x.shape and out.dtype == np.float64
    c = 4  # a channel whose window (channels 2..6) lies inside the axis
    sqr_sum = (x[..., 2:7] ** 2).sum(axis=-1)
    np.testing.assert_allclose(out[..., c], x[..., c] / (2.0 + 1e-4 * sqr_sum) ** 0.75)


def test_radius_zero_normalises_each_channel_by_itself():
    x = np.array([[2.0, -3.0]])
    out = local_response_normalization(x, depth_radius=0, bias=1.0, alpha=1.0, beta=0.5)
    np.testing.assert_allclose(out, x / np.sqrt(1 + x**2))


@pytest.mark.parametrize("radius", [-1, 1.5, True])
def test_rejects_a_bad_radius(radius):
    with pytest.raises(ValueError, match=f"Received: depth_radius={radius!r}"):
        local_response_normalization(
            np.ones(4), depth_radius=radius, bias=1.0, alpha=1.0, beta=1.0
        )


def test_rejects_a_scalar():
    with pytest.raises(ValueError, match="channel axis"):
        local_response_normalization(
            np.float64(1.0), depth_radius=1, bias=1.0, alpha=1.0, beta=1.0
        )
