"""course_lib.arithmetic.measured: receptive fields measured with gradients.

Backend-neutral: the gradients come from course_lib._backend.input_gradient, so this
file runs under KERAS_BACKEND=tensorflow and KERAS_BACKEND=jax alike.
"""

import keras
import numpy as np
import pytest

from course_lib import arithmetic as A

L = keras.layers


def _stack(spec, size=48):
    """Conv + ReLU and max-pooling layers, from ("conv" | "pool", kernel, stride)."""
    inputs = keras.Input((size, size, 1))
    x = inputs
    for kind, k, s in spec:
        if kind == "conv":
            x = L.ReLU()(L.Conv2D(4, k, strides=s, padding="same")(x))
        else:
            x = L.MaxPooling2D(k, strides=s)(x)
    return keras.Model(inputs, x)


def test_mask_extent_and_mass_extent():
    mask = np.zeros((9, 9), bool)
    mask[2:5, 3:8] = True
    assert A.mask_extent(mask) == (3, 5)
    assert A.mask_extent(np.zeros((3, 3), bool)) == (0, 0)
    heat = np.zeros((9, 9))
    heat[4, 4] = 0.5
    heat[3:6, 3:6] += 0.5 / 9
    assert A.mass_extent(heat, 0.5) == 1
    assert A.mass_extent(heat, 1.0) == 3
    assert A.mass_extent(np.zeros((4, 4))) == 0
    # The docstring's example: the off-centre pixel needs a 3x3 square.
    heat = np.zeros((5, 5))
    heat[2, 2], heat[1, 1] = 0.6, 0.4
    assert (A.mass_extent(heat, 0.5), A.mass_extent(heat, 1.0)) == (1, 3)


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: A.mass_extent(-np.ones((3, 3))), "non-negative 2-D.*Received"),
        (lambda: A.mass_extent(np.ones(3)), "non-negative 2-D.*Received"),
        (lambda: A.mass_extent(np.ones((3, 3)), share=0), "share.*Received"),
        (lambda: A.mask_extent(np.ones(3, bool)), "2-D mask.*Received"),
    ],
)
def test_extent_errors_state_the_rule_and_what_was_received(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize(
    "spec",
    [
        [("conv", 3, 1)] * 3,
        [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("conv", 5, 1)],
        [("conv", 5, 2), ("conv", 3, 1), ("pool", 3, 2), ("conv", 3, 1)],
    ],
)
def test_gradient_receptive_field_matches_the_formula(spec):
    """The measured field of the centre unit is the field receptive_field computes."""
    keras.utils.set_random_seed(0)
    model = _stack(spec)
    mask = A.gradient_receptive_field(model, n_samples=4)
    assert mask.shape == (48, 48) and mask.dtype == bool
    computed = A.receptive_field(model)[-1].receptive_field
    assert A.mask_extent(mask) == computed


def test_gradient_receptive_field_of_a_corner_unit_is_clipped_by_the_image():
    keras.utils.set_random_seed(0)
    model = _stack([("conv", 3, 1)] * 3, size=16)
    inputs = np.random.default_rng(1).standard_normal((8, 16, 16, 1))
    mask = A.gradient_receptive_field(model, position=(0, 0), inputs=inputs)
    # A 7x7 field centred on pixel (0, 0): only its bottom-right 4x4 is in the image.
    assert A.mask_extent(mask) == (4, 4)
    assert mask[:4, :4].all() and mask.sum() == 16


def test_effective_receptive_field_is_a_normalised_centred_map():
    keras.utils.set_random_seed(0)
    model = _stack([("conv", 3, 1)] * 4, size=21)
    inputs = np.random.default_rng(0).standard_normal((8, 21, 21, 1)).astype("float32")
    heat = A.effective_receptive_field(model, inputs, batch_size=3)
    assert heat.shape == (21, 21)
    assert heat.sum() == pytest.approx(1.0)
    peak = np.unravel_index(heat.argmax(), heat.shape)
    assert 9 <= peak[0] <= 11 and 9 <= peak[1] <= 11
    outside = np.ones((21, 21), bool)
    outside[6:15, 6:15] = False  # the 9x9 theoretical field around the centre
    assert heat[outside].sum() == 0
    # Batching changes nothing: each input's gradient is its own.
    whole = A.effective_receptive_field(model, inputs, batch_size=8)
    np.testing.assert_allclose(whole, heat, rtol=1e-5, atol=1e-8)


def test_receptive_field_helpers_need_a_feature_map():
    model = keras.Sequential([keras.Input((8, 8, 1)), L.Flatten(), L.Dense(2)])
    with pytest.raises(ValueError, match="feature map.*Received"):
        A.gradient_receptive_field(model, n_samples=1)
    with pytest.raises(ValueError, match="feature map.*Received"):
        A.effective_receptive_field(model, np.zeros((1, 8, 8, 1)))


def test_measured_helpers_check_their_arguments():
    model = _stack([("conv", 3, 1)], size=8)
    # JAX would clamp an index past the end; the position is checked instead.
    with pytest.raises(ValueError, match="inside the output.*Received: position"):
        A.gradient_receptive_field(model, position=(8, 0), n_samples=1)
    with pytest.raises(ValueError, match="Received: n_samples=0"):
        A.gradient_receptive_field(model, n_samples=0)
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        A.effective_receptive_field(model, np.zeros((2, 8, 8, 1)), batch_size=0)
    with pytest.raises(ValueError, match="non-empty.*Received"):
        A.effective_receptive_field(model, np.zeros((0, 8, 8, 1)))
    open_size = _stack([("conv", 3, 1)], size=None)
    with pytest.raises(ValueError, match="fixed input shape.*Received"):
        A.gradient_receptive_field(open_size)
