"""Tests for course_lib.models: the registry, every registered builder, each family.

The first tests are parametrised over the registry, so a newly registered builder is
built, run and checked without editing this file; only its reference parameter count
must be added to PINNED_PARAMS (with where the number comes from).
"""

import gc
import re

import keras
import numpy as np
import pytest

from course_lib.arithmetic import count_macs
from course_lib.layers import LocalResponseNormalization
from course_lib.models import _registry, available, build, get_builder, register_model
from course_lib.models.alexnet import ARCHITECTURES
from course_lib.models.vgg import VGG_CONFIGS

MODEL_NAMES = [info.name for info in available()]
INFO = {info.name: info for info in available()}

# Parameter counts of every registered builder with its defaults (ImageNet-sized
# models for AlexNet, ZFNet and VGG), and where each number comes from.
PINNED_PARAMS = {
    # 156 + 2,416 + 48,120 + 10,164 + 850: C1, C3 (fully connected), C5, F6, output.
    "lenet5": 61_706,
    # The paper's widths, one stream: ~62.4 M (test_alexnet_counts_by_formula).
    "alexnet": 62_378_344,
    # AlexNet with a 7x7 conv1: 62,378,344 - 11*11*3*96 + 7*7*3*96.
    "zfnet": 62_357_608,
    # torchvision.models.vgg11 / vgg13 (same layers); torchvision's docs list
    # vgg13_bn at 133,053,736 = vgg13 + 2 x 2,944 batch-norm channels (tested below).
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    # keras.applications.VGG16 / VGG19(weights=None); compared live below too.
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
}

# Names Keras gives layers that were not named: snake_case class name, maybe "_<n>".
AUTO_NAME = re.compile(
    r"^(conv2d|dense|max_pooling2d|average_pooling2d|activation|dropout|flatten"
    r"|batch_normalization|input_layer|zero_padding2d|global_average_pooling2d"
    r"|global_max_pooling2d|local_response_normalization)(_\d+)?$"
)


def _snake_case(class_name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _is_auto_named(layer):
    generic = re.compile(rf"^{re.escape(_snake_case(type(layer).__name__))}(_\d+)?$")
    return bool(AUTO_NAME.match(layer.name) or generic.match(layer.name))


def _small_shape(name):
    info = INFO[name]
    return (info.min_input_size, info.min_input_size, info.input_shape[-1])


@pytest.fixture
def free_memory():
    """Releases ImageNet-sized models (hundreds of MB of weights) after a test."""
    yield
    gc.collect()


# --- every registered builder ------------------------------------------------------


def test_registry_holds_the_course_models():
    for name in ["lenet5", "alexnet", "zfnet", "vgg11", "vgg13", "vgg16", "vgg19"]:
        assert name in MODEL_NAMES


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_builds_at_smallest_input_and_runs(name):
    shape = _small_shape(name)
    model = build(name, input_shape=shape, num_classes=3)
    assert isinstance(model, keras.Model)
    assert model.name and not model.name.startswith("functional")
    assert model.input_shape == (None, *shape)
    assert model.output_shape == (None, 3)
    batch = np.random.default_rng(0).normal(size=(2, *shape)).astype("float32")
    probabilities = keras.ops.convert_to_numpy(model(batch, training=False))
    assert probabilities.shape == (2, 3)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_layer_is_named_by_its_place(name):
    model = build(name, input_shape=_small_shape(name), num_classes=3)
    auto_named = [layer.name for layer in model.layers if _is_auto_named(layer)]
    assert not auto_named, f"{name} has layers with generated names: {auto_named}"
    assert model.layers[0].name == "input"
    assert model.layers[-1].name == "predictions"


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_rejects_input_below_its_minimum_size(name):
    size = INFO[name].min_input_size
    shape = (size - 1, size - 1, INFO[name].input_shape[-1])
    with pytest.raises(ValueError, match=f"at least {size}x{size}") as error:
        build(name, input_shape=shape)
    assert f"Received: input_shape={shape}" in str(error.value)


@pytest.mark.parametrize("pooling", [None, "avg", "max"])
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_include_top_false_gives_features(name, pooling):
    shape = _small_shape(name)
    model = build(name, input_shape=shape, include_top=False, pooling=pooling)
    names = [layer.name for layer in model.layers]
    assert "predictions" not in names and "head_flatten" not in names
    if pooling is None:
        assert len(model.output_shape) == 4
    else:
        assert len(model.output_shape) == 2
        assert model.layers[-1].name == "head_pool"
        pool_type = {
            "avg": keras.layers.GlobalAveragePooling2D,
            "max": keras.layers.GlobalMaxPooling2D,
        }[pooling]
        assert isinstance(model.layers[-1], pool_type)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_default_parameter_count_is_pinned(name, free_memory):
    assert name in PINNED_PARAMS, (
        f"Add {name}'s default parameter count, with its provenance, to PINNED_PARAMS"
    )
    model = build(name)
    assert model.input_shape == (None, *INFO[name].input_shape)
    assert model.count_params() == PINNED_PARAMS[name]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_arguments_are_keyword_only(name):
    with pytest.raises(TypeError):
        get_builder(name)(_small_shape(name))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_description_is_first_docstring_line(name):
    builder = get_builder(name)
    assert INFO[name].description == builder.__doc__.strip().splitlines()[0]
    assert "Returns:" in builder.__doc__ and "Example:" in builder.__doc__
    assert "See: lessons/" in builder.__doc__


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_logits_with_classifier_activation_none(name):
    model = build(
        name, input_shape=_small_shape(name), num_classes=4, classifier_activation=None
    )
    assert model.get_layer("predictions").activation is keras.activations.linear
    model = build(name, input_shape=_small_shape(name), num_classes=4)
    assert model.get_layer("predictions").activation is keras.activations.softmax


# --- the registry ------------------------------------------------------------------


def test_available_sorts_naturally_and_filters():
    vggs = ["vgg11", "vgg13", "vgg16", "vgg19"]
    assert [info.name for info in available("vgg*")] == vggs
    assert [info.name for info in available("VGG1?")] == vggs
    assert [info.name for info in available("*net*")] == ["alexnet", "lenet5", "zfnet"]
    assert available("resnet*") == []
    names = ["resnet101", "resnet18", "resnet50", "resnet152", "resnet34"]
    assert sorted(names, key=_registry._natural_key) == [
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"
    ]


def test_available_lists_name_description_and_sizes():
    info = available("vgg16")[0]
    assert info.name == "vgg16"
    assert info.description.startswith("VGG-16")
    assert info.input_shape == (224, 224, 3)
    assert info.min_input_size == 32


def test_build_drops_none_overrides():
    model = build("lenet5", input_shape=None, num_classes=None, variant=None, name=None)
    assert model.name == "lenet5"
    assert model.input_shape == (None, 32, 32, 1)
    assert model.output_shape == (None, 10)
    model = build("lenet5", input_shape=(28, 28, 1), variant="modern", name=None)
    assert model.name == "lenet5_modern"
    assert model.input_shape == (None, 28, 28, 1)


def test_build_passes_overrides_to_the_builder():
    model = build(
        "vgg11", input_shape=(32, 32, 3), num_classes=10, fc_units=64, name="v"
    )
    assert model.name == "v"
    assert model.get_layer("fc1").units == 64
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize(
    "name, close", [("vgg15", ["vgg16", "vgg13", "vgg19"]), ("alexnett", ["alexnet"])]
)
def test_unknown_name_lists_the_closest_names(name, close):
    with pytest.raises(ValueError, match="Unknown model name") as error:
        build(name)
    message = str(error.value)
    for candidate in close:
        assert repr(candidate) in message
    assert "available()" in message
    assert f"Received: name={name!r}" in message


def test_unknown_name_without_close_match_says_how_to_list():
    with pytest.raises(ValueError, match="No registered name is close") as error:
        get_builder("transformer")
    assert "available()" in str(error.value)


def test_register_refuses_duplicates():
    def vgg16(**kwargs):
        """A second vgg16."""

    with pytest.raises(ValueError, match="registered only once") as error:
        register_model(input_shape=(32, 32, 3), min_input_size=32)(vgg16)
    assert "Received:" in str(error.value)
    assert get_builder("vgg16").__module__ == "course_lib.models.vgg"


def test_register_adds_a_buildable_model(monkeypatch):
    monkeypatch.setattr(_registry, "_BUILDERS", dict(_registry._BUILDERS))
    monkeypatch.setattr(_registry, "_INFO", dict(_registry._INFO))

    @register_model(input_shape=(8, 8, 1), min_input_size=1)
    def tiny_net(*, input_shape=(8, 8, 1), num_classes=2):
        """A one-layer net for this test."""
        inputs = keras.Input(input_shape, name="input")
        outputs = keras.layers.Dense(num_classes, name="predictions")(
            keras.layers.Flatten(name="head_flatten")(inputs)
        )
        return keras.Model(inputs, outputs, name="tiny_net")

    assert available("tiny*")[0].description == "A one-layer net for this test."
    assert build("tiny_net", num_classes=None).output_shape == (None, 2)


# --- validation: every ValueError names its rule and the received value -----------


# (builder, overrides, the argument the message must quote, words of the rule)
INVALID_ARGUMENTS = [
    ("vgg16", {"input_shape": (32, 32)}, "input_shape", "three positive integers"),
    ("vgg16", {"input_shape": (32, 32, 0)}, "input_shape", "three positive integers"),
    ("lenet5", {"input_shape": (32.0, 32, 1)}, "input_shape", "three positive int"),
    ("lenet5", {"input_shape": "32x32"}, "input_shape", "three positive integers"),
    ("vgg16", {"input_shape": (16, 16, 3)}, "input_shape", "at least 32x32"),
    ("alexnet", {"input_shape": (32, 32, 3)}, "input_shape", "variant='cifar10'"),
    (
        "alexnet",
        {"variant": "cifar10", "input_shape": (14, 14, 3)},
        "input_shape",
        "at least 15x15",
    ),
    ("zfnet", {"input_shape": (52, 52, 3)}, "input_shape", "at least 53x53"),
    ("lenet5", {"input_shape": (15, 15, 1)}, "input_shape", "at least 16x16"),
    ("lenet5", {"num_classes": 1}, "num_classes", "integer >= 2"),
    ("vgg11", {"num_classes": 10.0}, "num_classes", "integer >= 2"),
    ("lenet5", {"include_top": False, "pooling": "mean"}, "pooling", "'avg' or 'max'"),
    ("lenet5", {"name": ""}, "name", "non-empty string"),
    ("lenet5", {"variant": "lecun"}, "variant", "'classic', 'modern'"),
    ("alexnet", {"variant": "imagenet22k"}, "variant", "'imagenet', 'cifar10'"),
    ("vgg16", {"config": "E"}, "config", "'C', 'D'"),
    ("vgg16", {"config": "X"}, "config", "'C', 'D'"),
    (
        "alexnet",
        {"two_stream": True, "filters": (96, 255, 384, 384, 256)},
        "filters",
        "block2_conv1 has 96 in and 255 out",
    ),
    (
        "alexnet",
        {"two_stream": True, "filters": (95, 256, 384, 384, 256)},
        "filters",
        "block2_conv1 has 95 in",
    ),
    (
        "alexnet",
        {"two_stream": True, "filters": (96, 256, 383, 384, 256)},
        "filters",
        "block4_conv1 has 383 in",
    ),
    ("alexnet", {"filters": (96, 256, 384, 384)}, "filters", "tuple of 5 integers"),
    ("alexnet", {"fc_units": 0}, "fc_units", "integer > 0"),
    ("vgg19", {"fc_units": 512.0}, "fc_units", "integer > 0"),
    ("alexnet", {"dropout": 1.0}, "dropout", "in [0, 1)"),
    ("vgg13", {"dropout": -0.1}, "dropout", "in [0, 1)"),
]


@pytest.mark.parametrize("name, kwargs, argument, rule", INVALID_ARGUMENTS)
def test_invalid_arguments_raise_value_errors(name, kwargs, argument, rule):
    with pytest.raises(ValueError) as error:
        build(name, **kwargs)
    message = str(error.value)
    assert rule in message
    assert message.endswith(f"Received: {argument}={kwargs[argument]!r}")


def test_num_classes_is_ignored_without_top():
    model = build("lenet5", include_top=False, num_classes=1)
    assert model.output_shape == (None, 5, 5, 16)


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
            2.0, 2, 1e-4, 0.75
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
