"""Tests for course_lib.models: the registry and every registered builder.

The first tests are parametrised over the registry, so a newly registered builder is
built, run and checked without editing this file; only its reference parameter count
must be added to PINNED_PARAMS (with where the number comes from). Each family's own
tests are in tests/test_models_families.py, the small convnets' and lesson 06b's stem
experiment's in tests/test_models_small.py.
"""

import gc
import inspect
import pydoc
import re

import keras
import numpy as np
import pytest

from course_lib.models import (
    _registry,
    available,
    build,
    get_builder,
    register_model,
    vgg16,
)

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
    # keras-io's mnist_convnet summary: 320 + 18,496 + 16,010 (and the results file
    # keras_io_mnist.json; tests/test_models_small.py).
    "keras_io_convnet": 34_826,
    # 2,432 + 25,632 + 51,264 + 10,250 (and the results file relu_vs_tanh.json).
    "relu_tanh_convnet": 89_578,
    # keras.applications.ResNet50/101/152(weights=None) (ResNet50 compared live in
    # tests/test_models_resnet_densenet.py). resnet18/34 (no conv bias): torchvision's
    # num_params 11,689,512 / 21,797,672 + 2 x 4,800 / 8,512 batch-norm statistics.
    "resnet18": 11_699_112,
    "resnet34": 21_814_696,
    "resnet50": 25_636_712,
    "resnet101": 44_707_176,
    "resnet152": 60_419_944,
    # He et al. 2015, Table 6 (ResNet-20, option A: 0.27M): 269,722 trainable +
    # 2 x 688 batch-norm statistics; the plain net has the same layers.
    "resnet_cifar": 271_098,
    "plain_cifar": 271_098,
    # keras.applications.DenseNet121/169/201(weights=None) (DenseNet121 compared
    # live in tests/test_models_resnet_densenet.py).
    "densenet121": 8_062_504,
    "densenet169": 14_307_880,
    "densenet201": 20_242_984,
    # Huang et al. 2016, Table 2 (DenseNet-BC, L=100, k=12: 0.8M): 769,162
    # trainable + 2 x 11,994 batch-norm statistics.
    "densenet_bc_cifar": 793_150,
    # keras.applications.MobileNet / MobileNetV2(weights=None), compared live in
    # tests/test_models_lightweight.py.
    "mobilenet_v1": 4_253_864,
    "mobilenet_v2": 3_538_984,
    # torchvision squeezenet1_0's num_params (no batch norm: the counts agree).
    "squeezenet": 1_248_424,
    # Keras totals with batch norm's moving statistics; the learned parameters are
    # the references (tests/test_models_lightweight.py): v1 g=3 1x 1,865,728
    # (megvii's ShuffleNet-Series README: 1.9M) + 24,480 statistics; v2 1x
    # torchvision shufflenet_v2_x1_0's 2,278,604 + 16,180 statistics.
    "shufflenet_v1": 1_890_208,
    "shufflenet_v2": 2_294_784,
    # Szegedy et al. 2014, Table 1, no auxiliary heads, conv biases, no batch norm
    # (the Table's "6.8M" is rounded; torchvision's BN variant, 6,624,904, is
    # checked in tests/test_models_inception.py).
    "googlenet": 6_998_552,
    # The paper's modules on a 3x3/192 stem at 32x32, batch norm: 5,871,914
    # trainable (sum of the layers by formula, tests/test_models_inception.py)
    # + 2 x 7,152 batch-norm statistics.
    "googlenet_cifar": 5_886_218,
}

# The arguments every registered builder takes, in this order, before its own knobs;
# then ``name``, last.
SHARED_ARGUMENTS = [
    "input_shape",
    "num_classes",
    "include_top",
    "pooling",
    "classifier_activation",
]

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


# Tests that build ImageNet-sized models (100+ million parameters) run on TensorFlow
# only: building them takes seconds each on JAX, and parameter counts do not depend
# on the backend (the same Keras layers); every model is still built and run on
# every backend at its smallest input above.
heavy = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="builds ImageNet-sized models; their counts are pinned on TensorFlow",
)


# On JAX, a model's first build compiles its random initialisers once per weight shape:
# seconds for a ResNet, a minute for a DenseNet on a 2-core CPU. The registry-wide
# builds below check that a family's layers run on the backend, so on JAX they skip
# the deeper or wider members of a family, whose blocks a smaller member builds too;
# on TensorFlow every model is built.
TENSORFLOW_ONLY_SIBLINGS = {
    "vgg13",
    "vgg19",
    "resnet34",
    "resnet101",
    "resnet152",
    "densenet169",
    "densenet201",
}


def built_on_this_backend(names):
    """``names`` as pytest parameters, the larger siblings skipped on JAX."""
    skip = pytest.mark.skipif(
        keras.backend.backend() != "tensorflow",
        reason="a larger sibling: its family's blocks are built on this backend by "
        "a smaller member (see TENSORFLOW_ONLY_SIBLINGS)",
    )
    return [
        pytest.param(name, marks=skip) if name in TENSORFLOW_ONLY_SIBLINGS else name
        for name in names
    ]


BUILT_NAMES = built_on_this_backend(MODEL_NAMES)


@pytest.fixture
def free_memory():
    """Releases ImageNet-sized models (hundreds of MB of weights) after a test."""
    yield
    gc.collect()


# --- every registered builder ------------------------------------------------------


def test_registry_holds_the_course_models():
    course = ["lenet5", "alexnet", "zfnet", "vgg11", "vgg13", "vgg16", "vgg19"]
    for name in course + ["keras_io_convnet", "relu_tanh_convnet"]:
        assert name in MODEL_NAMES


@pytest.mark.parametrize("name", BUILT_NAMES)
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


@pytest.mark.parametrize("name", BUILT_NAMES)
def test_every_layer_is_named_by_its_place(name):
    model = build(name, input_shape=_small_shape(name), num_classes=3)
    auto_named = [layer.name for layer in model.layers if _is_auto_named(layer)]
    assert not auto_named, f"{name} has layers with generated names: {auto_named}"
    assert model.layers[0].name == "input"
    assert model.layers[-1].name == "predictions"


# Models whose "same" paddings keep every size have no input too small to reject.
@pytest.mark.parametrize(
    "name", [name for name in MODEL_NAMES if INFO[name].min_input_size > 1]
)
def test_rejects_input_below_its_minimum_size(name):
    size = INFO[name].min_input_size
    shape = (size - 1, size - 1, INFO[name].input_shape[-1])
    with pytest.raises(ValueError, match=f"at least {size}x{size}") as error:
        build(name, input_shape=shape)
    assert f"Received: input_shape={shape}" in str(error.value)


@pytest.mark.parametrize("pooling", [None, "avg", "max"])
@pytest.mark.parametrize("name", BUILT_NAMES)
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


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=heavy) if PINNED_PARAMS.get(name, 0) > 10**7 else name
        for name in MODEL_NAMES
    ],
)
def test_default_parameter_count_is_pinned(name, free_memory):
    assert name in PINNED_PARAMS, (
        f"Add {name}'s default parameter count, with its provenance, to PINNED_PARAMS"
    )
    model = build(name)
    assert model.input_shape == (None, *INFO[name].input_shape)
    assert model.count_params() == PINNED_PARAMS[name]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_arguments_are_keyword_only(name):
    with pytest.raises(TypeError, match="keyword arguments only") as error:
        get_builder(name)(_small_shape(name))
    assert str(error.value).startswith(f"{name}()")


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_signature_shows_every_argument(name):
    builder = get_builder(name)
    parameters = inspect.signature(builder).parameters
    kinds = {parameter.kind for parameter in parameters.values()}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}  # no **kwargs hides any
    names = list(parameters)
    assert names[: len(SHARED_ARGUMENTS)] == SHARED_ARGUMENTS
    assert names[-1] == "name"
    assert parameters["include_top"].default is True
    text = pydoc.render_doc(builder)
    for argument in names:
        assert f"{argument}=" in text  # help() lists it with its default
        assert f"{argument}:" in builder.__doc__  # and the docstring explains it


def test_vgg16_signature_lists_its_knobs():
    parameters = inspect.signature(vgg16).parameters
    assert parameters["num_classes"].default == 1000
    assert parameters["input_shape"].default == (224, 224, 3)
    assert {"config", "batch_norm", "dropout", "fc_units"} <= set(parameters)
    assert "def vgg16(" in inspect.getsource(vgg16)  # the real source, not a wrapper
    assert get_builder("vgg16") is vgg16


@pytest.mark.parametrize("call", ["builder", "build"])
def test_misspelt_keyword_names_the_builder_and_the_closest(call):
    with pytest.raises(ValueError) as error:
        if call == "builder":
            vgg16(num_class=10)
        else:
            build("vgg16", num_class=10)
    message = str(error.value)
    assert message.startswith("vgg16() has no argument `num_class`")
    assert "did you mean 'num_classes'?" in message
    assert "_vgg" not in message  # the public builder, not the private helper
    assert message.endswith("Received: num_class=10")


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_builder_refuses_unknown_keywords(name):
    with pytest.raises(ValueError, match=rf"^{name}\(\) has no argument") as error:
        build(name, input_shape=_small_shape(name), classes=3)
    assert "did you mean 'num_classes'?" in str(error.value)
    assert str(error.value).endswith("Received: classes=3")


# (builder, flag): every argument whose default is True or False.
FLAGS = [
    (name, argument)
    for name in MODEL_NAMES
    for argument, parameter in inspect.signature(get_builder(name)).parameters.items()
    if isinstance(parameter.default, bool)
]


def test_flags_are_found():
    found = {argument for _, argument in FLAGS}
    assert {"include_top", "batch_norm", "lrn", "two_stream"} <= found


@pytest.mark.parametrize("name, flag", FLAGS)
def test_flags_refuse_strings(name, flag):
    # "False" is a non-empty string, hence true: it would silently build the top.
    with pytest.raises(ValueError, match=f"`{flag}` must be True or False") as error:
        build(name, input_shape=_small_shape(name), **{flag: "False"})
    assert str(error.value).endswith(f"Received: {flag}='False'")
    with pytest.raises(ValueError, match=f"`{flag}` must be True or False"):
        build(name, input_shape=_small_shape(name), **{flag: 0})


@pytest.mark.parametrize("name", BUILT_NAMES)
def test_num_classes_accepts_numpy_integers(name):
    model = build(name, input_shape=_small_shape(name), num_classes=np.int64(3))
    assert model.output_shape == (None, 3)
    classifier = model.get_layer("predictions")
    if not hasattr(classifier, "units"):  # a conv classifier (SqueezeNet's conv10)
        classifier = model.get_layer("head_conv")
    units = getattr(classifier, "units", None) or classifier.filters
    assert units == 3 and type(units) is int  # a Python int in the saved config
    shape = tuple(np.int64(dim) for dim in _small_shape(name))
    assert build(name, input_shape=shape, num_classes=3).input_shape == (
        None,
        *_small_shape(name),
    )


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_description_is_first_docstring_line(name):
    builder = get_builder(name)
    assert INFO[name].description == builder.__doc__.strip().splitlines()[0]
    assert "Returns:" in builder.__doc__ and "Example:" in builder.__doc__
    assert "See: lessons/" in builder.__doc__


@pytest.mark.parametrize("name", BUILT_NAMES)
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
    assert [info.name for info in available("resnet??*")] == [
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "resnet_cifar",
    ]
    assert available("no_such_family*") == []
    names = ["resnet101", "resnet18", "resnet50", "resnet152", "resnet34"]
    assert sorted(names, key=_registry._natural_key) == [
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
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


def test_unknown_name_ignores_case_when_it_suggests():
    with pytest.raises(ValueError, match="Did you mean 'vgg16'") as error:
        build("VGG16")
    assert str(error.value).endswith("Received: name='VGG16'")


def test_register_refuses_duplicates():
    def vgg16(**kwargs):
        """A second vgg16."""

    with pytest.raises(ValueError, match="registered only once") as error:
        register_model(input_shape=(32, 32, 3), min_input_size=32)(vgg16)
    assert "Received:" in str(error.value)
    assert get_builder("vgg16").__module__ == "course_lib.models.vgg"


def test_register_refuses_builders_that_hide_their_arguments(monkeypatch):
    monkeypatch.setattr(_registry, "_BUILDERS", dict(_registry._BUILDERS))
    monkeypatch.setattr(_registry, "_INFO", dict(_registry._INFO))
    register = register_model(input_shape=(8, 8, 1), min_input_size=1)

    def loose_net(*, input_shape=(8, 8, 1), **kwargs):
        """Hides its arguments in **kwargs."""

    def positional_net(input_shape=(8, 8, 1)):
        """Takes a positional argument."""

    for builder in (loose_net, positional_net):
        with pytest.raises(TypeError, match="keyword-only arguments") as error:
            register(builder)
        assert str(error.value).startswith("A registered builder")
        assert f"Received: {builder.__name__}(" in str(error.value)
        assert available(builder.__name__) == []


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
    assert tiny_net.__name__ == "tiny_net"
    assert list(inspect.signature(tiny_net).parameters) == [
        "input_shape",
        "num_classes",
    ]
    with pytest.raises(ValueError, match="did you mean 'num_classes'"):
        tiny_net(num_clases=3)


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
