"""Tests for course_lib.layers: local response normalisation, channel shuffle, split.

LocalResponseNormalization is compared with the NumPy reference of the formula,
``course_lib.arithmetic.local_response_normalization``, on every backend, and with
``tf.nn.local_response_normalization`` where TensorFlow is installed.
"""

import keras
import numpy as np
import pytest

from course_lib.arithmetic import local_response_normalization as reference_lrn
from course_lib.layers import (
    ChannelShuffle,
    ChannelSplit,
    LocalResponseNormalization,
)

try:  # the reference implementation the layer's arguments follow
    import tensorflow as tf
except ImportError:
    tf = None

needs_tf = pytest.mark.skipif(
    tf is None,
    reason="compares with tf.nn.local_response_normalization; TensorFlow is not "
    "installed (the NumPy-reference tests cover this backend)",
)

# The AlexNet paper's constants (section 3.3), and the same in TensorFlow's convention:
# the paper's alpha multiplies the plain sum of squares, as TensorFlow's does.
PAPER = {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75}
PAPER_TF = {"depth_radius": 2, "bias": 2.0, "alpha": 1e-4, "beta": 0.75}


def _activations(shape, seed=0, scale=10.0):
    """ReLU-like activations, large enough for the normalisation to matter."""
    rng = np.random.default_rng(seed)
    return np.maximum(rng.normal(scale=scale, size=shape), 0).astype("float32")


def test_defaults_are_the_papers_constants_in_tensorflows_convention():
    layer = LocalResponseNormalization()
    assert layer.depth_radius == (PAPER["n"] - 1) // 2 == PAPER_TF["depth_radius"]
    assert layer.bias == PAPER["k"] == PAPER_TF["bias"]
    assert layer.alpha == PAPER["alpha"] == PAPER_TF["alpha"]
    assert layer.beta == PAPER["beta"] == PAPER_TF["beta"]


ARGUMENTS = pytest.mark.parametrize(
    "kwargs",
    [
        {"depth_radius": 2, "bias": 2.0, "alpha": 1e-4, "beta": 0.75},  # the paper's
        {"depth_radius": 0, "bias": 1.0, "alpha": 1.0, "beta": 0.5},
        {"depth_radius": 1, "bias": 0.5, "alpha": 0.01, "beta": 1.0},
        {"depth_radius": 5, "bias": 1.0, "alpha": 1e-3, "beta": 0.75},
        {"depth_radius": 9, "bias": 2.0, "alpha": 1e-3, "beta": 0.75},  # window > C
    ],
    ids=["paper", "radius0", "radius1", "radius5", "window_wider_than_channels"],
)


@ARGUMENTS
def test_matches_the_numpy_reference(kwargs):
    x = _activations((2, 5, 6, 8))
    expected = reference_lrn(x, **kwargs)
    actual = keras.ops.convert_to_numpy(LocalResponseNormalization(**kwargs)(x))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@needs_tf
@ARGUMENTS
def test_matches_tf_nn_local_response_normalization(kwargs):
    x = _activations((2, 5, 6, 8))
    expected = tf.nn.local_response_normalization(x, **kwargs).numpy()
    actual = keras.ops.convert_to_numpy(LocalResponseNormalization(**kwargs)(x))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@needs_tf
def test_numpy_reference_is_tfs_formula():
    # So that the NumPy comparison, which runs on every backend, checks the same
    # formula as the TensorFlow one.
    x = _activations((2, 3, 3, 12), seed=2, scale=30.0)
    expected = tf.nn.local_response_normalization(
        x, depth_radius=3, bias=1.5, alpha=1e-3, beta=0.6
    ).numpy()
    reference = reference_lrn(x, depth_radius=3, bias=1.5, alpha=1e-3, beta=0.6)
    np.testing.assert_allclose(reference, expected, rtol=1e-5, atol=1e-6)


@needs_tf
def test_defaults_match_tf_with_the_papers_constants():
    # tf.nn.local_response_normalization's own defaults (5, 1, 1, 0.5) are not the
    # paper's; this layer's are.
    x = _activations((2, 5, 6, 96), seed=1)
    expected = tf.nn.local_response_normalization(
        x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75
    ).numpy()
    actual = keras.ops.convert_to_numpy(LocalResponseNormalization()(x))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_defaults_implement_the_papers_formula():
    # The paper multiplies the plain sum of squares by alpha (no division by n), which
    # is TensorFlow's convention, so (k, n, alpha, beta) map to (bias, 2r + 1, alpha,
    # beta) directly.
    x = _activations((2, 4, 4, 16), scale=30.0)
    expected = reference_lrn(x, **PAPER_TF)
    actual = keras.ops.convert_to_numpy(LocalResponseNormalization()(x))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_from_caffe_divides_alpha_by_the_window_size():
    # Caffe, torch.nn.LocalResponseNorm and MXNet use alpha / n.
    layer = LocalResponseNormalization.from_caffe(size=5, alpha=1e-4, beta=0.75, k=1.0)
    assert layer.depth_radius == 2
    assert layer.alpha == pytest.approx(1e-4 / 5)
    assert layer.bias == 1.0
    x = _activations((2, 4, 4, 16), scale=30.0)
    expected = reference_lrn(x, depth_radius=2, bias=1.0, alpha=1e-4 / 5, beta=0.75)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6
    )


def test_the_two_alpha_conventions_differ():
    # Same constants, read per element (paper, TF) or per window (Caffe): different
    # outputs once activations are large; the mapping matters.
    x = _activations((1, 2, 2, 16), scale=100.0)
    paper = keras.ops.convert_to_numpy(LocalResponseNormalization()(x))
    caffe = keras.ops.convert_to_numpy(
        LocalResponseNormalization.from_caffe(size=5, alpha=1e-4, beta=0.75, k=2.0)(x)
    )
    assert not np.allclose(paper, caffe, rtol=1e-3)


def test_keeps_shape_and_works_on_any_rank():
    layer = LocalResponseNormalization()
    assert layer(np.ones((3, 7, 10), "float32")).shape == (3, 7, 10)
    assert layer.compute_output_shape((None, 5, 5, 12)) == (None, 5, 5, 12)


def test_mixed_precision_does_not_overflow():
    # Squares of activations above 256 overflow float16; the layer sums in float32.
    layer = LocalResponseNormalization(dtype="mixed_float16")
    x = np.full((1, 2, 2, 8), 300.0, "float32")
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.dtype == np.float16
    assert np.all(np.isfinite(y))
    expected = reference_lrn(x, **PAPER_TF)
    np.testing.assert_allclose(y.astype("float32"), expected, rtol=1e-2)


def test_get_config_is_complete():
    layer = LocalResponseNormalization(
        depth_radius=3, bias=1.5, alpha=2e-4, beta=0.5, name="lrn"
    )
    config = layer.get_config()
    expected = {"depth_radius": 3, "bias": 1.5, "alpha": 2e-4, "beta": 0.5}
    assert {key: config[key] for key in expected} == expected
    clone = LocalResponseNormalization.from_config(config)
    assert clone.get_config() == config


def test_is_registered_for_serialisation():
    assert (
        keras.saving.get_registered_name(LocalResponseNormalization)
        == "course_lib>LocalResponseNormalization"
    )


def test_save_and_load_round_trip(tmp_path):
    inputs = keras.Input((6, 6, 3), name="input")
    x = keras.layers.Conv2D(8, 3, activation="relu", name="block1_conv1")(inputs)
    lrn = LocalResponseNormalization(depth_radius=1, alpha=1e-2, name="block1_lrn")
    x = lrn(x)
    model = keras.Model(inputs, x, name="lrn_model")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # no custom_objects needed
    assert isinstance(loaded.get_layer("block1_lrn"), LocalResponseNormalization)
    assert loaded.get_layer("block1_lrn").get_config() == (
        model.get_layer("block1_lrn").get_config()
    )
    x = _activations((2, 6, 6, 3), scale=1.0)
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"depth_radius": -1}, "Received: depth_radius=-1"),
        ({"depth_radius": 1.5}, "Received: depth_radius=1.5"),
        ({"depth_radius": True}, "Received: depth_radius=True"),
        ({"bias": 0.0}, "Received: bias=0.0"),
        ({"bias": "2"}, "Received: bias='2'"),
        ({"alpha": -1e-4}, "Received: alpha=-0.0001"),
        ({"beta": -0.5}, "Received: beta=-0.5"),
        ({"beta": float("nan")}, "Received: beta=nan"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    argument = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"`{argument}` must be") as error:
        LocalResponseNormalization(**kwargs)
    assert message in str(error.value)


@pytest.mark.parametrize("size", [4, 0, 2.5])
def test_from_caffe_requires_an_odd_window(size):
    with pytest.raises(ValueError, match="`size` must be an odd integer") as error:
        LocalResponseNormalization.from_caffe(size=size)
    assert f"Received: size={size!r}" in str(error.value)


def test_integer_arguments_may_be_numpy_integers():
    layer = LocalResponseNormalization(depth_radius=np.int64(3))
    assert layer.depth_radius == 3 and type(layer.depth_radius) is int
    assert LocalResponseNormalization.from_caffe(size=np.int32(5)).depth_radius == 2


# --- ChannelShuffle and ChannelSplit (ShuffleNet) ----------------------------------


def _channels(count):
    """One pixel whose channel c holds the value c, so outputs show the order."""
    return np.arange(count, dtype="float32").reshape(1, 1, 1, count)


@pytest.mark.parametrize(
    "groups, expected",
    [
        (2, [0, 3, 1, 4, 2, 5]),  # [0 1 2 | 3 4 5] -> interleaved
        (3, [0, 2, 4, 1, 3, 5]),  # [0 1 | 2 3 | 4 5] -> interleaved
        (1, [0, 1, 2, 3, 4, 5]),  # one group: nothing to shuffle
        (6, [0, 1, 2, 3, 4, 5]),  # one channel per group: the same
    ],
)
def test_channel_shuffle_permutation(groups, expected):
    shuffled = keras.ops.convert_to_numpy(ChannelShuffle(groups)(_channels(6)))
    np.testing.assert_array_equal(shuffled[0, 0, 0], expected)


def test_channel_shuffle_is_the_same_at_every_position_and_batch_item():
    x = np.random.default_rng(0).normal(size=(3, 4, 5, 12)).astype("float32")
    shuffled = keras.ops.convert_to_numpy(ChannelShuffle(4)(x))
    order = np.arange(12).reshape(4, 3).T.ravel()  # the paper's reshape-transpose
    np.testing.assert_array_equal(shuffled, x[..., order])


def test_channel_shuffle_with_n_groups_undoes_g_groups():
    # Shuffling g groups of n channels, then n groups of g, restores the order.
    x = np.random.default_rng(1).normal(size=(2, 3, 3, 12)).astype("float32")
    there = ChannelShuffle(3)(x)
    back = keras.ops.convert_to_numpy(ChannelShuffle(4)(there))
    np.testing.assert_array_equal(back, x)
    assert not np.array_equal(keras.ops.convert_to_numpy(there), x)


def test_channel_shuffle_accepts_unknown_spatial_sizes():
    inputs = keras.Input((None, None, 6))
    model = keras.Model(inputs, ChannelShuffle(2, name="shuffle")(inputs))
    x = np.tile(_channels(6), (2, 3, 5, 1))
    y = model.predict(x, verbose=0)
    assert y.shape == (2, 3, 5, 6)
    np.testing.assert_array_equal(y[1, 2, 4], [0, 3, 1, 4, 2, 5])


def test_channel_split_cuts_consecutive_parts():
    first, second, third = ChannelSplit(3)(_channels(6))
    for part, expected in zip(
        (first, second, third), ([0, 1], [2, 3], [4, 5]), strict=True
    ):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(part)[0, 0, 0], expected
        )
    assert ChannelSplit(2).compute_output_shape((None, 4, 4, 6)) == [
        (None, 4, 4, 3),
        (None, 4, 4, 3),
    ]


@pytest.mark.parametrize("layer_class", [ChannelShuffle, ChannelSplit])
def test_channel_layers_are_registered_and_configured(layer_class):
    assert keras.saving.get_registered_name(layer_class) == (
        f"course_lib>{layer_class.__name__}"
    )
    layer = layer_class(3, name="layer")
    config = layer.get_config()
    argument = "groups" if layer_class is ChannelShuffle else "num_splits"
    assert config[argument] == 3
    assert layer_class.from_config(config).get_config() == config


def test_channel_shuffle_save_and_load_round_trip(tmp_path):
    inputs = keras.Input((5, 5, 3), name="input")
    x = keras.layers.Conv2D(6, 1, groups=3, name="block1_conv1")(inputs)
    x = ChannelShuffle(3, name="block1_shuffle")(x)
    left, right = ChannelSplit(2, name="block1_split")(x)
    x = keras.layers.Conv2D(6, 1, groups=3, name="block1_conv2")(
        keras.layers.Concatenate(name="block1_concat")([right, left])
    )
    model = keras.Model(inputs, x, name="shuffle_model")
    path = tmp_path / "shuffle.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # no custom_objects needed
    assert isinstance(loaded.get_layer("block1_shuffle"), ChannelShuffle)
    assert loaded.get_layer("block1_shuffle").groups == 3
    assert isinstance(loaded.get_layer("block1_split"), ChannelSplit)
    x = np.random.default_rng(2).normal(size=(2, 5, 5, 3)).astype("float32")
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )


@pytest.mark.parametrize("layer_class", [ChannelShuffle, ChannelSplit])
@pytest.mark.parametrize("value", [0, -2, 2.5, True, "2"])
def test_channel_layers_refuse_bad_counts(layer_class, value):
    argument = "groups" if layer_class is ChannelShuffle else "num_splits"
    with pytest.raises(ValueError, match=f"`{argument}` must be an integer >= 1"):
        layer_class(value)


@pytest.mark.parametrize("layer_class", [ChannelShuffle, ChannelSplit])
def test_channel_layers_need_channels_divisible(layer_class):
    argument = "groups" if layer_class is ChannelShuffle else "num_splits"
    with pytest.raises(ValueError, match="must divide the 7 channels") as error:
        layer_class(2)(keras.Input((4, 4, 7)))
    assert f"Received: {argument}=2 for input_shape=(None, 4, 4, 7)" in str(error.value)


def test_channel_shuffle_needs_a_known_channel_count():
    with pytest.raises(ValueError, match="known number of channels"):
        ChannelShuffle(2)(keras.Input((4, 4, None)))
