"""Tests for the lightweight families: MobileNet v1/v2, SqueezeNet, ShuffleNet v1/v2.

The references: keras.applications' MobileNet and MobileNetV2 (compared live, weights
copied by layer name), torchvision's SqueezeNet and ShuffleNet v2 and megvii's
ShuffleNet v1 (their published parameter counts, which leave out batch norm's moving
statistics, so the Keras models' trainable counts are compared), and the
multiply-adds those numbers imply, counted by ``course_lib.arithmetic.count_macs``.
The registry-wide tests (names, arguments, smallest inputs) are in
tests/test_models.py.
"""

from fractions import Fraction

import keras
import numpy as np
import pytest
from test_models import free_memory, heavy  # noqa: F401 - fixture

from course_lib.arithmetic import count_macs, input_gradient
from course_lib.layers import ChannelShuffle, ChannelSplit
from course_lib.models import build
from course_lib.models.mobilenet import (
    MOBILENET_V2_STAGES,
    depthwise_separable_block,
    inverted_residual_block,
)
from course_lib.models.shufflenet import (
    SHUFFLENET_V1_WIDTHS,
    shufflenet_v1_unit,
    shufflenet_v2_unit,
)
from course_lib.models.squeezenet import _ceil_mode_pool, fire_module

# More widths of a builder already tested on every backend: the same code path, so
# they run on TensorFlow only, where building a model is several times faster.
more_widths = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the same builder at more widths; built on TensorFlow only",
)


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def _layers_of(model, layer_type):
    return [layer for layer in model.layers if type(layer) is layer_type]


# --- reference counts at 224x224 ---------------------------------------------------

# (builder, arguments, parameters as the reference counts them, multiply-adds).
# keras.applications counts batch norm's moving statistics (count_params());
# torchvision and megvii do not (the Keras trainable count).
REFERENCES = [
    # keras.applications.MobileNet / MobileNetV2(weights=None); TF-slim's tables
    # give 569 M and 300 M multiply-adds.
    ("mobilenet_v1", {}, "total", 4_253_864, 568_740_352),
    ("mobilenet_v2", {}, "total", 3_538_984, 300_774_272),
    # torchvision squeezenet1_0 / squeezenet1_1 (_ops 0.82 / 0.35 GMACs, with
    # ceil-mode pooling).
    ("squeezenet", {"version": "1.0"}, "total", 1_248_424, 818_924_576),
    ("squeezenet", {"version": "1.1"}, "total", 1_235_496, 349_151_936),
    # megvii ShuffleNet-Series' ShuffleNetV1 layout (1.9 M and 2.4 M in its README;
    # 138 M multiply-adds for both).
    ("shufflenet_v1", {"groups": 3}, "trainable", 1_865_728, 137_460_672),
    ("shufflenet_v1", {"groups": 8}, "trainable", 2_434_768, 138_365_952),
    # torchvision shufflenet_v2_x1_0 / x0_5 (the paper: 146 M / 41 M FLOPs).
    ("shufflenet_v2", {"scale": 1.0}, "trainable", 2_278_604, 144_907_992),
    ("shufflenet_v2", {"scale": 0.5}, "trainable", 1_366_792, 40_476_448),
]


@heavy
@pytest.mark.parametrize(
    "name, kwargs, count, params, macs",
    REFERENCES,
    ids=[
        f"{r[0]}-{'-'.join(map(str, r[1].values())) or 'default'}" for r in REFERENCES
    ],
)
def test_reference_parameters_and_multiply_adds(
    name, kwargs, count, params, macs, free_memory
):
    model = build(name, **kwargs)
    assert model.input_shape == (None, 224, 224, 3)
    assert (model.count_params() if count == "total" else _trainable(model)) == params
    assert count_macs(model).total == macs


# --- MobileNet ---------------------------------------------------------------------


def _randomise_batch_norms(model, rng):
    """Non-trivial statistics, so that a wrong epsilon or order shows in outputs."""
    for layer in _layers_of(model, keras.layers.BatchNormalization):
        gamma, beta, mean, variance = layer.get_weights()
        layer.set_weights(
            [
                rng.uniform(0.5, 1.5, gamma.shape),
                rng.normal(0, 0.1, beta.shape),
                rng.normal(0, 0.1, mean.shape),
                rng.uniform(0.5, 1.5, variance.shape),
            ]
        )


def _copy_weights_by_name(source, target, renames):
    """Copies every weighted layer of ``source`` into ``target``'s same-named layer."""
    weighted = [layer for layer in source.layers if layer.weights]
    for layer in weighted:
        ours = target.get_layer(renames.get(layer.name, layer.name))
        values = layer.get_weights()
        shapes = [tuple(w.shape) for w in ours.weights]
        ours.set_weights([v.reshape(s) for v, s in zip(values, shapes, strict=True)])
    return len(weighted)


# keras.applications' builder, its classifier's name there, and the input sizes to
# compare at (an odd one checks MobileNetV2's padding before stride-2 layers).
KERAS_APPLICATIONS = {
    "mobilenet_v1": ("MobileNet", "conv_preds", [(224, 224, 3)]),
    "mobilenet_v2": ("MobileNetV2", "predictions", [(224, 224, 3), (97, 97, 3)]),
}


@heavy
@pytest.mark.parametrize("name", KERAS_APPLICATIONS)
def test_mobilenets_equal_keras_applications(name, free_memory):
    application, classifier, shapes = KERAS_APPLICATIONS[name]
    rng = np.random.default_rng(0)
    for shape in shapes:
        reference = getattr(keras.applications, application)(
            weights=None, input_shape=shape, classifier_activation=None
        )
        model = build(name, input_shape=shape, classifier_activation=None)
        assert model.count_params() == reference.count_params()
        assert _trainable(model) == _trainable(reference)
        assert count_macs(model).total == count_macs(reference).total
        ours = {layer.name: [w.shape for w in layer.weights] for layer in model.layers}
        for layer in reference.layers:  # same names, same weight shapes
            if layer.weights and layer.name != classifier:
                assert ours[layer.name] == [w.shape for w in layer.weights], layer.name
        _randomise_batch_norms(reference, rng)
        copied = _copy_weights_by_name(
            reference, model, renames={classifier: "predictions"}
        )
        assert copied == len([layer for layer in model.layers if layer.weights])
        images = rng.uniform(-1, 1, (2, *shape)).astype("float32")
        np.testing.assert_allclose(
            model.predict(images, verbose=0),
            reference.predict(images, verbose=0),
            rtol=1e-4,
            atol=1e-4,
        )


@pytest.mark.parametrize("in_channels, filters, kernel", [(16, 32, 3), (8, 64, 5)])
def test_depthwise_separable_cost_ratio_is_one_over_n_plus_one_over_k_squared(
    in_channels, filters, kernel
):
    # One layer, counted by count_macs: a standard K x K convolution against the
    # depthwise K x K plus pointwise 1x1 pair that replaces it (MobileNet, eq. 5).
    inputs = keras.Input((10, 10, in_channels))
    standard = keras.Model(
        inputs, keras.layers.Conv2D(filters, kernel, padding="same")(inputs)
    )
    x = keras.layers.DepthwiseConv2D(kernel, padding="same")(inputs)
    separable = keras.Model(inputs, keras.layers.Conv2D(filters, 1)(x))
    ratio = Fraction(count_macs(separable).total, count_macs(standard).total)
    assert ratio == Fraction(1, filters) + Fraction(1, kernel**2)


def test_depthwise_separable_block_layers_and_cost():
    inputs = keras.Input((28, 28, 128))
    block = keras.Model(
        inputs, depthwise_separable_block(inputs, 256, strides=2, block_id=4)
    )
    assert block.output_shape == (None, 14, 14, 256)
    rows = {row.name: row.macs for row in count_macs(block).rows}
    assert rows["conv_dw_4"] == 14 * 14 * 3 * 3 * 128  # each channel on its own
    assert rows["conv_pw_4"] == 14 * 14 * 128 * 256  # channels mixed, 1x1
    assert block.get_layer("conv_pad_4").padding == ((0, 1), (0, 1))
    for conv in ("conv_dw_4", "conv_pw_4"):
        assert not block.get_layer(conv).use_bias  # batch norm follows


@pytest.mark.parametrize(
    "channels, filters, strides, residual", [(24, 24, 1, True), (24, 32, 2, False)]
)
def test_inverted_residual_block_expands_filters_and_projects(
    channels, filters, strides, residual
):
    inputs = keras.Input((16, 16, channels))
    block = keras.Model(
        inputs,
        inverted_residual_block(
            inputs, filters, expansion=6, strides=strides, block_id=3
        ),
    )
    assert block.get_layer("block_3_expand").filters == 6 * channels
    assert block.get_layer("block_3_depthwise").strides == (strides, strides)
    names = [layer.name for layer in block.layers]
    assert ("block_3_add" in names) is residual
    # The linear bottleneck: nothing activates the projection.
    assert names[-1] == ("block_3_add" if residual else "block_3_project_BN")
    assert block.output_shape == (None, 16 // strides, 16 // strides, filters)


def test_mobilenet_v2_adds_where_table_2_repeats_a_block():
    model = build("mobilenet_v2", input_shape=(32, 32, 3))
    adds = len(_layers_of(model, keras.layers.Add))
    # Every block after the first of a stage keeps the shape: n - 1 per stage.
    assert adds == sum(n - 1 for _, _, n, _ in MOBILENET_V2_STAGES) == 10


@pytest.mark.parametrize(
    "alpha",
    [pytest.param(0.25, marks=more_widths), 0.5, pytest.param(0.75, marks=more_widths)],
)
def test_mobilenet_v1_width_multiplier_scales_every_layer(alpha):
    model = build("mobilenet_v1", input_shape=(32, 32, 3), alpha=alpha)
    assert model.get_layer("conv1").filters == int(32 * alpha)
    assert model.get_layer("conv_pw_13").filters == int(1024 * alpha)


# --- SqueezeNet --------------------------------------------------------------------


def test_fire_module_parameters_and_shape():
    inputs = keras.Input((54, 54, 96))
    module = keras.Model(inputs, fire_module(inputs, 16, 64, 64, name="fire2"))
    assert module.output_shape == (None, 54, 54, 128)
    c, s, e1, e3 = 96, 16, 64, 64
    assert module.count_params() == (c + 1) * s + (s + 1) * e1 + (9 * s + 1) * e3


@heavy
@pytest.mark.parametrize(
    "version, sizes",
    [
        # torchvision's feature maps at 224 (ceil-mode pooling): conv1 109 -> 54.
        ("1.0", {"conv1": 109, "pool1": 54, "pool4": 27, "pool8": 13}),
        ("1.1", {"conv1": 111, "pool1": 55, "pool3": 27, "pool5": 13}),
    ],
)
def test_squeezenet_pools_round_up_like_torchvision(version, sizes, free_memory):
    model = build("squeezenet", version=version)
    for layer_name, size in sizes.items():
        assert model.get_layer(layer_name).output.shape[1:3] == (size, size)
    assert model.get_layer("head_conv").output.shape[1:] == (13, 13, 1000)


def _ceil_mode_max_pool(x, size=3, stride=2):
    """3x3 stride-2 max pooling in ceil mode, as PyTorch computes it, in NumPy."""
    n = x.shape[1]
    out = -(-(n - size) // stride) + 1
    result = np.empty((x.shape[0], out, out, x.shape[-1]), x.dtype)
    for i in range(out):
        for j in range(out):
            window = x[
                :, i * stride : i * stride + size, j * stride : j * stride + size
            ]
            result[:, i, j] = window.max(axis=(1, 2))
    return result


@pytest.mark.parametrize("size", [8, 9])
def test_squeezenet_pooling_equals_ceil_mode_on_relu_maps(size):
    # The padded "valid" pooling, on non-negative (post-ReLU) maps, gives ceil
    # mode's windows and values, for even and odd sizes.
    maps = np.random.default_rng(1).uniform(0, 1, (2, size, size, 96))
    maps = maps.astype("float32")
    pooled = _ceil_mode_pool(maps, name="pool1")  # what squeezenet() uses
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(pooled), _ceil_mode_max_pool(maps)
    )


@pytest.mark.parametrize("version", ["1.0", pytest.param("1.1", marks=more_widths)])
def test_squeezenet_bypasses(version):
    shape = (32, 32, 3)
    plain = build("squeezenet", version=version, variant="cifar10")
    simple = build("squeezenet", version=version, variant="cifar10", bypass="simple")
    complex_ = build("squeezenet", version=version, variant="cifar10", bypass="complex")
    assert plain.input_shape[1:] == shape
    names = {layer.name for layer in simple.layers}
    assert {f"fire{n}_add" for n in (3, 5, 7, 9)} <= names
    assert not {f"fire{n}_add" for n in (2, 4, 6, 8)} & names
    assert simple.count_params() == plain.count_params()  # identity shortcuts
    projections = [f"fire{n}_bypass_conv" for n in (2, 4, 6, 8)]
    extra = sum(complex_.get_layer(p).count_params() for p in projections)
    assert complex_.count_params() == plain.count_params() + extra
    # A 1x1 projection from each module's input to its output channels.
    in_out = [(96 if version == "1.0" else 64, 128), (128, 256), (256, 384)]
    in_out.append((384, 512))
    assert extra == sum(c_in * c_out + c_out for c_in, c_out in in_out)


def test_squeezenet_classifier_is_a_convolution_then_pooling():
    model = build("squeezenet", variant="cifar10")
    names = [layer.name for layer in model.layers]
    assert names[-5:] == [
        "head_dropout",
        "head_conv",
        "head_relu",
        "head_pool",
        "predictions",
    ]
    assert model.get_layer("head_conv").kernel_size == (1, 1)
    assert not [layer for layer in model.layers if type(layer) is keras.layers.Dense]


# --- ShuffleNet --------------------------------------------------------------------


def _group_gradients(shuffle, groups=3, per_group=3, seed=0):
    """|d(output group 0)/d(input)| summed per input channel group.

    After the shuffle each group holds channels of ``min(groups, per_group)`` groups,
    so ``per_group >= groups`` lets one output group see them all.
    """
    keras.utils.set_random_seed(seed)
    channels = groups * per_group
    inputs = keras.Input((4, 4, channels))
    x = keras.layers.Conv2D(channels, 1, groups=groups, use_bias=False)(inputs)
    if shuffle:
        x = ChannelShuffle(groups)(x)
    x = keras.layers.Conv2D(channels, 1, groups=groups, use_bias=False)(x)
    model = keras.Model(inputs, x)
    image = np.random.default_rng(seed).normal(size=(1, 4, 4, channels))
    gradient = input_gradient(
        lambda t: keras.ops.sum(model(t)[..., :per_group]), image.astype("float32")
    )
    per_channel = np.abs(gradient).sum(axis=(0, 1, 2))
    return per_channel.reshape(groups, per_group).sum(axis=1)


def test_without_shuffle_an_output_group_sees_one_input_group():
    flow = _group_gradients(shuffle=False)
    assert flow[0] > 0
    np.testing.assert_array_equal(flow[1:], 0.0)


def test_with_shuffle_an_output_group_sees_every_input_group():
    assert np.all(_group_gradients(shuffle=True) > 0)


def test_shufflenet_v1_unit_layers():
    inputs = keras.Input((28, 28, 240))
    unit = keras.Model(
        inputs, shufflenet_v1_unit(inputs, 240, groups=3, name="stage2_block2")
    )
    assert unit.get_layer("stage2_block2_conv1").groups == 3
    assert unit.get_layer("stage2_block2_conv1").filters == 60  # a quarter
    assert unit.get_layer("stage2_block2_shuffle").groups == 3
    assert unit.get_layer("stage2_block2_conv3").groups == 3
    assert unit.output_shape == (None, 28, 28, 240)
    assert isinstance(unit.get_layer("stage2_block2_add"), keras.layers.Add)


def test_shufflenet_v1_first_unit_is_not_grouped_and_concatenates():
    model = build("shufflenet_v1", variant="cifar10")
    first = "stage2_block1"
    assert model.get_layer(f"{first}_conv1").groups == 1
    names = {layer.name for layer in model.layers}
    assert f"{first}_shuffle" not in names  # nothing to mix after a dense 1x1 conv
    assert "stage2_block2_shuffle" in names
    # 24 stem channels pooled + 216 from the branch = Table 1's 240.
    assert model.get_layer(f"{first}_conv3").filters == 240 - 24
    assert model.get_layer(f"{first}_concat").output.shape[-1] == 240


@pytest.mark.parametrize(
    "groups",
    [
        g if g in (3, 8) else pytest.param(g, marks=more_widths)
        for g in SHUFFLENET_V1_WIDTHS
    ],
)
def test_shufflenet_v1_table_1_widths(groups):
    model = build("shufflenet_v1", groups=groups, variant="cifar10")
    widths = tuple(
        model.get_layer(f"stage{stage}_block1_out").output.shape[-1]
        for stage in (2, 3, 4)
    )
    assert widths == SHUFFLENET_V1_WIDTHS[groups]
    assert model.get_layer("stage3_block2_conv3").groups == groups


@pytest.mark.parametrize(
    "groups, scale",
    [
        (8, 0.25),
        pytest.param(3, 0.5, marks=more_widths),
        pytest.param(4, 2.0, marks=more_widths),
    ],
)
def test_shufflenet_v1_scale_keeps_widths_divisible(groups, scale):
    model = build("shufflenet_v1", groups=groups, scale=scale, variant="cifar10")
    stage2 = model.get_layer("stage2_block1_out").output.shape[-1]
    assert stage2 % (4 * groups) == 0
    assert abs(stage2 - SHUFFLENET_V1_WIDTHS[groups][0] * scale) <= 2 * groups


def test_shufflenet_v2_units():
    inputs = keras.Input((28, 28, 116))
    unit = keras.Model(inputs, shufflenet_v2_unit(inputs, 116, name="stage2_block2"))
    assert isinstance(unit.get_layer("stage2_block2_split"), ChannelSplit)
    assert unit.get_layer("stage2_block2_branch2_conv1").filters == 58
    assert unit.get_layer("stage2_block2_shuffle").groups == 2
    assert unit.output_shape == (None, 28, 28, 116)
    inputs = keras.Input((56, 56, 24))
    down = keras.Model(inputs, shufflenet_v2_unit(inputs, 116, strides=2, name="s"))
    assert down.output_shape == (None, 28, 28, 116)
    assert down.get_layer("s_branch1_conv1").strides == (2, 2)
    assert down.get_layer("s_branch2_conv2").strides == (2, 2)


def test_shufflenet_group_convolutions_are_keras_groups():
    model = build("shufflenet_v1", groups=8, variant="cifar10")
    grouped = [
        layer for layer in _layers_of(model, keras.layers.Conv2D) if layer.groups == 8
    ]
    # Two per unit except the first unit's first 1x1 convolution.
    assert len(grouped) == 2 * 16 - 1


# --- CIFAR-10 variants -------------------------------------------------------------

CIFAR_VARIANTS = [
    # (builder, arguments, the last feature maps' layer, their size at 32x32)
    ("mobilenet_v1", {}, "conv_pw_13_relu", 2),
    ("mobilenet_v2", {}, "out_relu", 4),
    ("squeezenet", {"version": "1.0"}, "fire9_concat", 4),
    ("squeezenet", {"version": "1.1"}, "fire9_concat", 4),
    ("shufflenet_v1", {"groups": 3}, "stage4_block4_out", 4),
    ("shufflenet_v2", {"scale": 1.0}, "relu5", 4),
]
CIFAR_IDS = [
    f"{name}-{'-'.join(map(str, kw.values()))}" for name, kw, *_ in CIFAR_VARIANTS
]


@pytest.mark.parametrize("name, kwargs, last, size", CIFAR_VARIANTS, ids=CIFAR_IDS)
def test_cifar10_variants_keep_larger_maps(name, kwargs, last, size):
    model = build(name, variant="cifar10", **kwargs)
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 10)
    assert model.get_layer(last).output.shape[1:3] == (size, size)
    imagenet = build(name, input_shape=(32, 32, 3), **kwargs)
    assert imagenet.get_layer(last).output.shape[1:3] == (1, 1)


@pytest.mark.parametrize("name, kwargs, last, size", CIFAR_VARIANTS, ids=CIFAR_IDS)
def test_cifar10_variants_train_one_step(name, kwargs, last, size):
    keras.utils.set_random_seed(0)
    model = build(name, variant="cifar10", **kwargs)
    model.compile(
        optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy"
    )
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (8, 32, 32, 3)).astype("float32")
    labels = np.arange(8) % 10
    before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    loss = float(model.train_on_batch(images, labels))
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    assert np.isfinite(loss)
    changed = [not np.array_equal(b, a) for b, a in zip(before, after, strict=True)]
    assert all(changed)  # every weight received a gradient


# --- bad arguments -----------------------------------------------------------------

# (builder, arguments, the argument the message quotes, words of the rule)
INVALID_ARGUMENTS = [
    ("mobilenet_v1", {"alpha": 0}, "alpha", "number >= 1/32"),
    ("mobilenet_v1", {"alpha": 0.01}, "alpha", "number >= 1/32"),
    ("mobilenet_v1", {"alpha": "1.0"}, "alpha", "number >= 1/32"),
    ("mobilenet_v2", {"alpha": -0.5}, "alpha", "finite number > 0"),
    ("mobilenet_v2", {"alpha": float("inf")}, "alpha", "finite number > 0"),
    ("mobilenet_v1", {"depth_multiplier": 0}, "depth_multiplier", "integer > 0"),
    ("mobilenet_v1", {"dropout": 1.0}, "dropout", "in [0, 1)"),
    ("mobilenet_v2", {"variant": "cifar"}, "variant", "did you mean 'cifar10'"),
    ("mobilenet_v1", {"input_shape": (30, 30, 3)}, "input_shape", "variant='cifar10'"),
    ("squeezenet", {"version": "1.2"}, "version", "'1.0', '1.1'"),
    ("squeezenet", {"version": 1.0}, "version", "'1.0', '1.1'"),
    ("squeezenet", {"bypass": "full"}, "bypass", "None, 'simple', 'complex'"),
    ("squeezenet", {"dropout": -0.5}, "dropout", "in [0, 1)"),
    ("squeezenet", {"input_shape": (20, 20, 3)}, "input_shape", "at least 21x21"),
    ("shufflenet_v1", {"groups": 5}, "groups", "one of 1, 2, 3, 4, 8"),
    ("shufflenet_v1", {"groups": 3.0}, "groups", "one of 1, 2, 3, 4, 8"),
    ("shufflenet_v1", {"scale": 0}, "scale", "finite number > 0"),
    ("shufflenet_v1", {"scale": True}, "scale", "finite number > 0"),
    ("shufflenet_v2", {"scale": 0.75}, "scale", "one of 0.5, 1.0, 1.5, 2.0"),
    ("shufflenet_v2", {"variant": "mnist"}, "variant", "'imagenet', 'cifar10'"),
]


@pytest.mark.parametrize("name, kwargs, argument, rule", INVALID_ARGUMENTS)
def test_invalid_arguments_raise_clear_errors(name, kwargs, argument, rule):
    with pytest.raises(ValueError) as error:
        build(name, **kwargs)
    message = str(error.value)
    assert rule in message
    assert message.endswith(f"Received: {argument}={kwargs[argument]!r}")
