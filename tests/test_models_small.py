"""Tests for the models lessons 05 and 06 train beside the paper networks.

course_lib.models.small_convnets (keras-io's MNIST convnet, the ReLU-vs-tanh network)
and course_lib.models.stems (lesson 06b's first-layer experiment). The registry-wide
tests of tests/test_models.py cover the registered builders too; these check what
the lessons and benchmarks/full_runs.py rely on: layers, parameter counts (the same
as the recorded results), initialisation, and the experiment's helpers.
"""

import keras
import numpy as np
import pytest

from course_lib import data, results
from course_lib.models import (
    build,
    high_frequency_share,
    keras_io_convnet,
    relu_tanh_convnet,
    stem_net,
    upsample,
)

try:  # only to compare upsample with tf.image.resize where TensorFlow is installed
    import tensorflow as tf
except ImportError:
    tf = None


def _output_shapes(model, names):
    return {name: tuple(model.get_layer(name).output.shape[1:]) for name in names}


# --- keras-io's simple MNIST convnet ------------------------------------------------


def test_keras_io_convnet_is_keras_ios_model():
    model = keras_io_convnet()
    assert model.name == "keras_io_convnet"
    assert [layer.name for layer in model.layers] == [
        "input",
        "block1_conv1",
        "block1_pool",
        "block2_conv1",
        "block2_pool",
        "head_flatten",
        "head_dropout",
        "predictions",
    ]
    assert _output_shapes(model, ["block1_conv1", "block1_pool", "block2_pool"]) == {
        "block1_conv1": (26, 26, 32),
        "block1_pool": (13, 13, 32),
        "block2_pool": (5, 5, 64),
    }
    assert model.get_layer("head_dropout").rate == 0.5
    # 3*3*32 + 32, 3*3*32*64 + 64, 5*5*64*10 + 10: keras-io's 34,826.
    assert model.count_params() == 320 + 18_496 + 16_010 == 34_826
    assert model.count_params() == results.load("keras_io_mnist")["params"]


def test_keras_io_convnet_knobs():
    assert "head_dropout" not in [
        layer.name for layer in keras_io_convnet(dropout=0.0).layers
    ]
    model = keras_io_convnet(input_shape=(32, 32, 3), num_classes=4, name="kio")
    assert (model.name, model.output_shape) == ("kio", (None, 4))
    with pytest.raises(ValueError, match="in \\[0, 1\\)"):
        keras_io_convnet(dropout=1.0)


# --- the ReLU-vs-tanh network -------------------------------------------------------


@pytest.mark.parametrize("setting", ["paper", "modern"])
def test_relu_tanh_convnet_layers_and_count(setting):
    model = relu_tanh_convnet(activation="tanh", setting=setting)
    assert model.name == "convnet_tanh"
    names = [layer.name for layer in model.layers]
    assert ("mean_subtraction" in names) == (setting == "paper")
    assert _output_shapes(model, ["block1_pool", "block2_pool", "block3_pool"]) == {
        "block1_pool": (16, 16, 32),
        "block2_pool": (8, 8, 32),
        "block3_pool": (4, 4, 64),
    }
    for block in (1, 2, 3):
        conv = model.get_layer(f"block{block}_conv1")
        assert conv.kernel_size == (5, 5) and conv.padding == "same"
        assert conv.activation is keras.activations.tanh
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    recorded = results.load("relu_vs_tanh")["settings"][setting]["runs"]["tanh"]
    assert model.count_params() == recorded["params"] == 89_578
    assert build("relu_tanh_convnet", setting=setting).name == "convnet_relu"


def test_relu_tanh_paper_setting_subtracts_the_mean_and_draws_from_n_0_001():
    model = relu_tanh_convnet(setting="paper")
    mean_pixel = np.float32([255.0 * m for m in data.MEAN["cifar10"]])
    image = np.broadcast_to(mean_pixel, (1, 32, 32, 3))
    centred = keras.Model(model.input, model.get_layer("mean_subtraction").output)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(centred(image)), 0.0, atol=1e-4
    )
    for layer_name in ("block3_conv1", "predictions"):
        layer = model.get_layer(layer_name)
        assert isinstance(layer.kernel_initializer, keras.initializers.RandomNormal)
        assert layer.kernel_initializer.stddev == 0.01
    kernel = keras.ops.convert_to_numpy(model.get_layer("block3_conv1").kernel)
    assert abs(kernel.std() - 0.01) < 0.0005  # 51,200 draws
    modern = relu_tanh_convnet(setting="modern")
    initializer = modern.get_layer("block3_conv1").kernel_initializer
    assert isinstance(initializer, keras.initializers.GlorotUniform)


def test_relu_and_tanh_start_from_the_same_weights():
    # The experiment compares activations only: same seed, same initial weights.
    keras.utils.set_random_seed(0)
    relu = relu_tanh_convnet(activation="relu")
    keras.utils.set_random_seed(0)
    tanh = relu_tanh_convnet(activation="tanh")
    for a, b in zip(relu.get_weights(), tanh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_relu_tanh_convnet_rejects_bad_settings():
    with pytest.raises(ValueError, match="'paper', 'modern'") as error:
        relu_tanh_convnet(setting="papper")
    assert "did you mean 'paper'" in str(error.value)
    with pytest.raises(ValueError, match="needs that many channels") as error:
        relu_tanh_convnet(input_shape=(32, 32, 1))
    assert str(error.value).endswith("Received: input_shape=(32, 32, 1)")
    model = relu_tanh_convnet(input_shape=(28, 28, 1), setting="modern")
    assert model.input_shape == (None, 28, 28, 1)
    with pytest.raises(ValueError, match="Received: activation=None"):
        relu_tanh_convnet(activation=None)


# --- the stem experiment ------------------------------------------------------------


@pytest.mark.parametrize(
    "stem, kernel, stride, padding, maps",
    [("alexnet", 11, 4, "valid", 14), ("zfnet", 7, 2, "same", 32)],
)
def test_stem_net_matches_the_recorded_runs(stem, kernel, stride, padding, maps):
    model = stem_net(kernel, stride, padding, name=f"stem_{stem}")
    assert model.name == f"stem_{stem}"
    assert [layer.name for layer in model.layers] == [
        "input",
        "stem_conv",
        "stem_pool",
        "block1_conv1",
        "head_pool",
        "predictions",
    ]
    conv = model.get_layer("stem_conv")
    assert conv.kernel_size == (kernel, kernel) and conv.strides == (stride, stride)
    assert tuple(conv.output.shape[1:]) == (maps, maps, 48)
    recorded = results.load("zfnet_stems")["runs"][stem]
    assert (recorded["kernel_size"], recorded["stride"]) == (kernel, stride)
    assert model.count_params() == recorded["params"]
    assert model.output_shape == (None, 10)


def test_stem_net_checks_its_arguments():
    assert stem_net(3, 1).name == "stem_net"
    with pytest.raises(ValueError, match="at least") as error:
        stem_net(11, 4, input_shape=(12, 12, 3))
    assert str(error.value).endswith("Received: input_shape=(12, 12, 3)")
    with pytest.raises(ValueError, match="Received: padding='full'"):
        stem_net(7, 2, "full")
    with pytest.raises(ValueError, match="Received: stride=0"):
        stem_net(7, 0)


def _bilinear_reference(images, size):
    """Half-pixel-centre bilinear resizing, edges clamped (tf.image.resize's)."""

    def axis_weights(n_in, n_out):
        source = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        low = np.floor(source).astype(int)
        high = np.minimum(low + 1, n_in - 1)
        return low, high, source - low

    x = images.astype("float64")
    low, high, w = axis_weights(x.shape[1], size)
    x = x[:, low] * (1 - w)[None, :, None, None] + x[:, high] * w[None, :, None, None]
    low, high, w = axis_weights(x.shape[2], size)
    return (
        x[:, :, low] * (1 - w)[None, None, :, None]
        + x[:, :, high] * w[None, None, :, None]
    )


def test_upsample_is_bilinear():
    images = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    resized = upsample(images)
    assert resized.shape == (5, 64, 64, 3) and resized.dtype == np.uint8
    expected = np.clip(np.round(_bilinear_reference(images, 64)), 0, 255)
    difference = np.abs(resized.astype(int) - expected.astype(int))
    assert difference.max() <= 1  # float32 rounding may flip a .5
    assert (difference == 0).mean() > 0.99
    np.testing.assert_array_equal(upsample(images, chunk=2), resized)
    flat = np.full((1, 32, 32, 3), 77, np.uint8)
    np.testing.assert_array_equal(upsample(flat, size=48), 77)
    assert upsample(images[:0]).shape == (0, 64, 64, 3)


@pytest.mark.skipif(
    tf is None, reason="compares with tf.image.resize; TensorFlow is not installed"
)
def test_upsample_matches_tf_image_resize():
    # benchmarks/full_runs.py used tf.image.resize before upsample moved here.
    images = np.random.default_rng(1).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    reference = tf.image.resize(images, (64, 64), method="bilinear").numpy()
    reference = np.clip(np.round(reference), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(upsample(images), reference)


def test_upsample_rejects_single_images():
    with pytest.raises(ValueError, match="batch of images") as error:
        upsample(np.zeros((32, 32, 3), np.uint8))
    assert str(error.value).endswith("Received: images with shape (32, 32, 3)")


@pytest.mark.parametrize("stem", ["alexnet", "zfnet"])
def test_high_frequency_share_reproduces_the_recorded_values(stem):
    run = results.load("zfnet_stems")["runs"][stem]
    share = high_frequency_share(np.array(run["kernel"], "float32"), run["stride"])
    assert share.shape == (len(run["bias"]),)
    # The recorded kernels are rounded to 5 decimals.
    np.testing.assert_allclose(share, run["high_frequency_share"], atol=1e-3)


def test_high_frequency_share_separates_fine_from_coarse_patterns():
    r = np.arange(7)
    checkerboard = ((-1.0) ** (r[:, None] + r[None, :]))[:, :, None, None]
    smooth = np.exp(-((r[:, None] - 3) ** 2 + (r[None, :] - 3) ** 2) / 8.0)
    kernels = np.concatenate([checkerboard, smooth[:, :, None, None]], axis=3)
    share = high_frequency_share(kernels, stride=2)
    # The checkerboard is all Nyquist; the blob keeps a little high-frequency energy
    # from the edges of its 7x7 window.
    assert share[0] > 0.99 and share[1] < 0.15
    # Stride 1 samples every pixel: nothing lies above its Nyquist frequency.
    np.testing.assert_array_equal(high_frequency_share(kernels, stride=1), 0.0)
    with pytest.raises(ValueError, match="conv weights"):
        high_frequency_share(kernels[..., 0], stride=2)
    with pytest.raises(ValueError, match="Received: pad_to=4"):
        high_frequency_share(kernels, stride=2, pad_to=4)
