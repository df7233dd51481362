"""Tests for each family of course_lib.models: LeNet-5, AlexNet and ZFNet, VGG.

What the papers (and keras.applications, torchvision) fix: layer shapes, kernel sizes,
parameter and multiply-add counts, each family's knobs, and VGG's building blocks. The
registry-wide tests are in tests/test_models.py.
"""

import inspect

import keras
import numpy as np
import pytest
from test_models import PINNED_PARAMS, free_memory, heavy  # noqa: F401 - fixture

from course_lib.arithmetic import count_macs
from course_lib.layers import LocalResponseNormalization
from course_lib.models import build, config_blocks, vgg16, vgg_block
from course_lib.models.alexnet import ARCHITECTURES
from course_lib.models.vgg import VGG_CONFIGS

# --- LeNet-5 -----------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_lenet5_shapes(variant):
    model = build("lenet5", variant=variant)
    shapes = {
        "input": (32, 32, 1),
        "block1_conv1": (28, 28, 6),  # C1
        "block1_pool": (14, 14, 6),  # S2
        "block2_conv1": (10, 10, 16),  # C3
        "block2_pool": (5, 5, 16),  # S4
        "fc1": (120,),  # C5
        "fc2": (84,),  # F6
        "predictions": (10,),
    }
    for layer_name, shape in shapes.items():
        assert tuple(model.get_layer(layer_name).output.shape[1:]) == shape, layer_name
    assert model.count_params() == 61_706


def test_lenet5_variants_differ_in_activation_and_pooling():
    classic, modern = build("lenet5"), build("lenet5", variant="modern")
    assert classic.get_layer("block1_conv1").activation is keras.activations.tanh
    assert classic.get_layer("fc2").activation is keras.activations.tanh
    assert isinstance(classic.get_layer("block1_pool"), keras.layers.AveragePooling2D)
    assert modern.get_layer("block1_conv1").activation is keras.activations.relu
    assert isinstance(modern.get_layer("block2_pool"), keras.layers.MaxPooling2D)


# --- AlexNet and ZFNet -------------------------------------------------------------


def _conv_params(kernel, c_in, c_out, groups=1):
    return kernel * kernel * c_in // groups * c_out + c_out


def _dense_params(n_in, n_out):
    return n_in * n_out + n_out


@heavy
def test_alexnet_counts_by_formula(free_memory):
    convs = [(11, 3, 96), (5, 96, 256), (3, 256, 384), (3, 384, 384), (3, 384, 256)]
    grouped = {1, 3, 4}  # conv2, conv4, conv5 (0-based) on the paper's two GPUs
    dense = _dense_params(6 * 6 * 256, 4096) + _dense_params(4096, 4096)
    dense += _dense_params(4096, 1000)
    one_stream = sum(_conv_params(*conv) for conv in convs) + dense
    two_streams = dense + sum(
        _conv_params(*conv, groups=2 if i in grouped else 1)
        for i, conv in enumerate(convs)
    )
    assert one_stream == PINNED_PARAMS["alexnet"] == 62_378_344  # "~62.4 M"
    assert two_streams == 60_965_224  # the paper's "60 million"
    two_stream_model = build("alexnet", two_stream=True)
    assert two_stream_model.count_params() == two_streams
    # Multiply-adds quoted in the module docstring.
    assert round(count_macs(two_stream_model).total / 1e9, 2) == 0.72
    del two_stream_model
    assert round(count_macs(build("alexnet")).total / 1e9, 1) == 1.1


def test_alexnet_structure():
    model = build("alexnet", include_top=False)  # the convs only: cheap to build
    shapes = {
        "block1_conv1": (55, 55, 96),
        "block1_pool": (27, 27, 96),
        "block2_conv1": (27, 27, 256),
        "block2_pool": (13, 13, 256),
        "block3_conv1": (13, 13, 384),
        "block4_conv1": (13, 13, 384),
        "block5_conv1": (13, 13, 256),
        "block5_pool": (6, 6, 256),
    }
    for layer_name, shape in shapes.items():
        assert tuple(model.get_layer(layer_name).output.shape[1:]) == shape, layer_name
    conv1 = model.get_layer("block1_conv1")
    assert conv1.kernel_size == (11, 11) and conv1.strides == (4, 4)
    pool = model.get_layer("block1_pool")
    assert pool.pool_size == (3, 3) and pool.strides == (2, 2)  # overlapping
    lrn_layers = [
        layer for layer in model.layers if isinstance(layer, LocalResponseNormalization)
    ]
    assert [layer.name for layer in lrn_layers] == ["block1_lrn", "block2_lrn"]
    for layer in lrn_layers:  # the paper's k=2, n=5, alpha=1e-4, beta=0.75
        assert (layer.bias, layer.depth_radius, layer.alpha, layer.beta) == (
            2.0,
            2,
            1e-4,
            0.75,
        )


def test_alexnet_knobs():
    model = build("alexnet", include_top=False, lrn=False, two_stream=True)
    assert not any(
        isinstance(layer, LocalResponseNormalization) for layer in model.layers
    )
    groups = [model.get_layer(f"block{i}_conv1").groups for i in range(1, 6)]
    assert groups == [1, 2, 1, 2, 2]
    assert model.name == "alexnet_two_stream"
    model = build("alexnet", variant="cifar10", dropout=0.0)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    model = build("alexnet", variant="cifar10")
    rates = [model.get_layer(name).rate for name in ("fc1_dropout", "fc2_dropout")]
    assert rates == [0.5, 0.5]


def test_alexnet_cifar10_variant():
    model = build("alexnet", variant="cifar10")
    assert model.name == "alexnet_cifar10"
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 10)
    conv1 = model.get_layer("block1_conv1")
    assert conv1.kernel_size == (5, 5) and conv1.strides == (1, 1)
    assert tuple(model.get_layer("block5_pool").output.shape[1:]) == (3, 3, 256)
    assert model.count_params() == 5_871_434  # "about 5.9 million" (module docstring)
    assert round(count_macs(model).total / 1e9, 2) == 0.18  # "0.18 billion"


def test_zfnet_follows_the_papers_figure():
    model = build("zfnet", include_top=False)
    shapes = {
        "block1_conv1": (110, 110, 96),
        "block1_pool": (55, 55, 96),
        "block2_conv1": (26, 26, 256),
        "block2_pool": (13, 13, 256),
        "block3_conv1": (13, 13, 384),
        "block4_conv1": (13, 13, 384),
        "block5_conv1": (13, 13, 256),
        "block5_pool": (6, 6, 256),
    }
    for layer_name, shape in shapes.items():
        assert tuple(model.get_layer(layer_name).output.shape[1:]) == shape, layer_name
    conv1 = model.get_layer("block1_conv1")
    assert conv1.kernel_size == (7, 7) and conv1.strides == (2, 2)
    assert model.get_layer("block2_conv1").strides == (2, 2)
    assert all(model.get_layer(f"block{i}_conv1").groups == 1 for i in range(1, 6))
    # Only conv1 differs from AlexNet's parameters.
    conv1_difference = (11 * 11 - 7 * 7) * 3 * 96
    assert PINNED_PARAMS["alexnet"] - PINNED_PARAMS["zfnet"] == conv1_difference


def test_family_table_is_consistent():
    for architecture in ARCHITECTURES.values():
        assert len(architecture.conv_layers) == len(architecture.filters) == 5


# --- VGG ---------------------------------------------------------------------------


@heavy
@pytest.mark.parametrize(
    "builder, application", [("vgg16", "VGG16"), ("vgg19", "VGG19")]
)
def test_vgg_matches_keras_applications(builder, application, free_memory):
    reference = getattr(keras.applications, application)(weights=None)
    reference_shapes = {
        layer.name: [tuple(w.shape) for w in layer.weights]
        for layer in reference.layers
        if layer.weights
    }
    reference_count = reference.count_params()
    del reference
    model = build(builder)
    assert model.count_params() == reference_count == PINNED_PARAMS[builder]
    shapes = {
        layer.name: [tuple(w.shape) for w in layer.weights]
        for layer in model.layers
        if layer.weights
    }
    assert shapes == reference_shapes  # same names, same weight shapes


@pytest.mark.parametrize(
    "builder, kwargs, config, weight_layers",
    [
        ("vgg11", {}, "A", 11),
        ("vgg11", {"lrn": True}, "A-LRN", 11),
        ("vgg13", {}, "B", 13),
        ("vgg16", {"config": "C"}, "C", 16),
        ("vgg16", {}, "D", 16),
        ("vgg19", {}, "E", 19),
    ],
    ids=["A", "A-LRN", "B", "C", "D", "E"],
)
def test_vgg_configurations(builder, kwargs, config, weight_layers):
    model = build(builder, input_shape=(32, 32, 3), fc_units=16, **kwargs)
    assert model.name == {"A-LRN": "vgg11_lrn", "C": "vgg16_c"}.get(config, builder)
    layers = model.layers
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    assert len(convs) + len(dense) == weight_layers  # the "-11" of VGG-11
    expected = [entry for entry in VGG_CONFIGS[config] if entry not in ("M", "LRN")]
    assert [(conv.kernel_size[0], conv.filters) for conv in convs] == [
        entry if isinstance(entry, tuple) else (3, entry) for entry in expected
    ]
    lrn = [layer for layer in layers if isinstance(layer, LocalResponseNormalization)]
    expected_lrn = ["block1_lrn"] if config == "A-LRN" else []
    assert [layer.name for layer in lrn] == expected_lrn
    pools = [layer for layer in layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert [pool.name for pool in pools] == [f"block{b}_pool" for b in range(1, 6)]


@heavy
def test_vgg_config_c_has_1x1_convs_and_paper_count(free_memory):
    model = build("vgg16", config="C", include_top=False)
    assert [model.get_layer(f"block{b}_conv3").kernel_size for b in (3, 4, 5)] == [
        (1, 1)
    ] * 3
    # Table 2 of the paper: C has 134 million parameters.
    assert round(build("vgg16", config="C").count_params() / 1e6) == 134


def test_vgg_batch_norm():
    small = {"input_shape": (32, 32, 3), "num_classes": 10, "fc_units": 16}
    plain = build("vgg16", **small)
    bn = build("vgg16", batch_norm=True, **small)
    assert bn.name == "vgg16_bn"
    for suffix in ("conv1", "bn1", "relu1"):
        assert bn.get_layer(f"block1_{suffix}")
    convs = [layer for layer in bn.layers if isinstance(layer, keras.layers.Conv2D)]
    conv_channels = sum(conv.filters for conv in convs)
    assert conv_channels == 4224
    # Gamma and beta are trained; the moving mean and variance are not.
    trainable = sum(int(np.prod(w.shape)) for w in bn.trainable_weights)
    plain_trainable = sum(int(np.prod(w.shape)) for w in plain.trainable_weights)
    assert trainable - plain_trainable == 2 * conv_channels
    assert bn.count_params() - plain.count_params() == 4 * conv_channels
    # So the ImageNet vgg16 with batch norm has torchvision vgg16_bn's 138,365,992
    # trainable parameters (torchvision keeps the conv biases too).
    assert PINNED_PARAMS["vgg16"] + 2 * conv_channels == 138_365_992
    vgg13_channels = sum(c for c in VGG_CONFIGS["B"] if isinstance(c, int))
    assert PINNED_PARAMS["vgg13"] + 2 * vgg13_channels == 133_053_736  # vgg13_bn


def test_vgg_cifar10_head():
    model = build("vgg16", input_shape=(32, 32, 3), num_classes=10, fc_units=512)
    convs = keras.applications.VGG16(
        weights=None, include_top=False, input_shape=(32, 32, 3)
    ).count_params()
    head = 512 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10
    assert model.count_params() == convs + head == 15_245_130  # "about 15 million"
    wide = build("vgg16", input_shape=(32, 32, 3), num_classes=10)
    assert round(wide.count_params() / 1e6) == 34  # "34 million with 4096 units"


def test_config_blocks_split_the_table_at_its_poolings():
    assert config_blocks("D") == (
        (64, 64),
        (128, 128),
        (256, 256, 256),
        (512, 512, 512),
        (512, 512, 512),
    )
    assert config_blocks("A-LRN")[0] == (64, "LRN")
    for config, table in VGG_CONFIGS.items():
        rebuilt = tuple(e for block in config_blocks(config) for e in (*block, "M"))
        assert rebuilt == table
    with pytest.raises(ValueError, match="`config` must be one of") as error:
        config_blocks("F")
    assert str(error.value).endswith("Received: config='F'")


def test_vgg_block_keeps_the_size_then_halves_it():
    inputs = keras.Input((32, 32, 3))
    outputs = vgg_block(inputs, (64, 64), block=2)
    assert tuple(outputs.shape) == (None, 16, 16, 64)
    model = keras.Model(inputs, outputs)
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["block2_conv1", "block2_conv2", "block2_pool"]
    conv = model.get_layer("block2_conv1")
    assert conv.kernel_size == (3, 3) and conv.padding == "same"
    assert conv.activation is keras.activations.relu
    # On an array it runs at once, as lesson 07 shows.
    images = np.zeros((1, 8, 8, 3), "float32")
    assert tuple(vgg_block(images, (16,), block=1).shape) == (1, 4, 4, 16)


def test_vgg_block_takes_1x1_convs_lrn_and_batch_norm():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(
        inputs, vgg_block(inputs, (8, "LRN", (1, 4)), block=3, batch_norm=True)
    )
    names = [layer.name for layer in model.layers[1:]]
    assert names == [
        "block3_conv1",
        "block3_bn1",
        "block3_relu1",
        "block3_lrn",
        "block3_conv2",
        "block3_bn2",
        "block3_relu2",
        "block3_pool",
    ]
    assert model.get_layer("block3_conv2").kernel_size == (1, 1)
    assert model.output_shape == (None, 4, 4, 4)


@pytest.mark.parametrize("entries", [(64, "M"), (64, 0), ((3, 3, 64),), (64.0,)])
def test_vgg_block_rejects_unknown_entries(entries):
    with pytest.raises(ValueError, match="Each entry of a VGG block") as error:
        vgg_block(keras.Input((8, 8, 3)), entries, block=1)
    assert str(error.value).endswith(f"Received: entries={entries!r}")


def test_vgg_builders_are_made_of_vgg_blocks():
    # The lesson shows vgg_block's source; the builders must really use it.
    source = inspect.getsource(vgg_block)
    assert "MaxPooling2D(2, strides=2" in source
    assert "vgg_block(" in inspect.getsource(inspect.getmodule(vgg16))
