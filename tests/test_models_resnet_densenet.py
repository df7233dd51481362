"""Tests for course_lib.models.resnet and course_lib.models.densenet.

Reference numbers and where they come from:

- Parameters: keras.applications ResNet50/101/152 and DenseNet121/169/201
  (``count_params()``, batch-norm statistics included; the first and fourth are also
  compared live below); torchvision's ``num_params`` (trainable only: PyTorch does
  not count batch-norm statistics): resnet18 11,689,512, resnet34 21,797,672,
  resnet50 25,557,032, resnet101 44,549,160, resnet152 60,192,808, densenet121
  7,978,856. CIFAR ResNets (He et al. 2015, Table 6: 0.27M, 0.46M, 0.66M, 0.85M,
  1.7M; exact counts as in akamaster/pytorch_resnet_cifar10) and DenseNet-BC-100
  with k = 12 (Huang et al. 2016, Table 2: 0.8M), trainable.
- Multiply-adds (``course_lib.arithmetic.count_macs``: convolutions and dense layers,
  one multiply-add per weight use): torchvision's ``_ops`` (GMACs) resnet18 1.814,
  resnet50 4.089 (its "v1.5", stride on the 3x3), densenet121 2.834; the ResNet
  paper's Table 1 "FLOPs" (multiply-adds) 3.6, 3.8, 7.6 and 11.3 billion for
  ResNet-34/50/101/152 ("v1", stride on the 1x1), matched to the unit by
  keras.applications' graphs counted with the same function.
- Receptive fields: Araujo et al., Distill 2019 (google-research/receptive_field):
  resnet_v1_50 block1..block4 = 35, 99, 291, 483; resnet_v1_101/152 block4 = 1027 /
  1507 (see tests/test_arithmetic.py).

Building ImageNet-sized models runs on the TensorFlow leg only (``heavy``): their
counts do not depend on the backend, and the registry-wide tests in
tests/test_models.py build every one on every backend at its smallest input.
"""

import re

import keras
import numpy as np
import pytest
from test_models import PINNED_PARAMS, free_memory, heavy  # noqa: F401 - fixture

from course_lib import arithmetic as A
from course_lib.layers import ChannelPadding
from course_lib.models import (
    basic_block,
    bottleneck_block,
    build,
    dense_block,
    densenet_bc_cifar,
    plain_cifar,
    resnet_cifar,
    transition_block,
)
from course_lib.models.densenet import DENSENET_BLOCKS, conv_block
from course_lib.models.resnet import RESNET_DEPTHS


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def _batch_norm_channels(model):
    return sum(
        layer.gamma.shape[0]
        for layer in model.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    )


def _weight_layers(model):
    """Convolutions and dense layers, projection shortcuts left out: the "-50"."""
    return [
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
        and "shortcut" not in layer.name
    ]


def _shape(model, layer_name):
    return tuple(model.get_layer(layer_name).output.shape[1:])


@pytest.fixture(scope="module")
def resnet20():
    return resnet_cifar()


@pytest.fixture(scope="module")
def densenet_bc100():
    return densenet_bc_cifar()


# --- CIFAR ResNets -----------------------------------------------------------------


# depth: trainable parameters, option A (He et al. Table 6: 0.27M ... 1.7M).
CIFAR_OPTION_A = {20: 269_722, 32: 464_154, 44: 658_586, 56: 853_018, 110: 1_727_962}


@pytest.mark.parametrize("depth", list(CIFAR_OPTION_A))
def test_resnet_cifar_option_a_counts(depth):
    model = resnet_cifar(depth=depth)
    assert _trainable(model) == CIFAR_OPTION_A[depth]
    # Keras also counts the moving mean and variance of every batch norm.
    assert model.count_params() == CIFAR_OPTION_A[depth] + 2 * _batch_norm_channels(
        model
    )
    assert len(_weight_layers(model)) == depth  # 6n + 2 layers with weights
    assert model.name == f"resnet{depth}_cifar"


def test_resnet_cifar_counts_by_formula():
    # 3x3 convs without bias, 2 trainable numbers per batch-norm channel; option B
    # adds two 1x1 projections (16 -> 32, 32 -> 64) with their batch norms.
    def option_a(n):
        convs = 27 * 16 + 9 * (16 * 16 * 2 * n + 16 * 32 + 32 * 32 * (2 * n - 1))
        convs += 9 * (32 * 64 + 64 * 64 * (2 * n - 1))
        batch_norm = 2 * (16 + 2 * n * (16 + 32 + 64))
        return convs + batch_norm + 64 * 10 + 10

    for depth, count in CIFAR_OPTION_A.items():
        assert option_a((depth - 2) // 6) == count
    projections = 16 * 32 + 2 * 32 + 32 * 64 + 2 * 64
    assert projections == 2_752
    for depth, count in [(20, 272_474), (56, 855_770)]:
        assert option_a((depth - 2) // 6) + projections == count
        assert _trainable(resnet_cifar(depth=depth, shortcut="B")) == count


def test_resnet_cifar_stages(resnet20):
    shapes = {
        "input": (32, 32, 3),
        "stem_conv": (32, 32, 16),
        "stage1_block3_out": (32, 32, 16),
        "stage2_block1_conv1": (16, 16, 32),
        "stage2_block3_out": (16, 16, 32),
        "stage3_block1_conv1": (8, 8, 64),
        "stage3_block3_out": (8, 8, 64),
        "head_pool": (64,),
        "predictions": (10,),
    }
    for layer_name, shape in shapes.items():
        assert _shape(resnet20, layer_name) == shape, layer_name
    convs = [
        layer for layer in resnet20.layers if isinstance(layer, keras.layers.Conv2D)
    ]
    assert {conv.kernel_size for conv in convs} == {(3, 3)}  # option A: no 1x1
    assert not any(conv.use_bias for conv in convs)
    strided = [conv.name for conv in convs if conv.strides == (2, 2)]
    assert strided == ["stage2_block1_conv1", "stage3_block1_conv1"]
    assert all(
        isinstance(conv.kernel_initializer, keras.initializers.HeNormal)
        for conv in convs
    )


def test_resnet_cifar_width_and_names():
    model = resnet_cifar(depth=8, width=4, shortcut="B", input_shape=(16, 16, 3))
    assert model.name == "resnet8_cifar_b"
    assert _shape(model, "stage3_block1_out") == (4, 4, 16)
    assert plain_cifar(depth=14).name == "plain14_cifar"
    assert resnet_cifar(depth=14, shortcut=None).name == "plain14_cifar"
    assert resnet_cifar(name="mine").name == "mine"


# Every layer name of the ResNets, as the module docstring documents it.
RESNET_NAME = re.compile(
    r"^(input|stem_(pad|conv|bn|relu|pool_pad|pool)|head_pool|predictions"
    r"|stage\d_block\d+_((conv|bn|relu)\d|shortcut_(conv|bn|pool|pad)|add|out))$"
)


@pytest.mark.parametrize("shortcut", ["A", "B", "C", None])
def test_resnet_cifar_names_follow_the_scheme(shortcut):
    model = resnet_cifar(depth=14, shortcut=shortcut)
    wrong = [layer.name for layer in model.layers if not RESNET_NAME.match(layer.name)]
    assert not wrong


# --- option A versus option B ------------------------------------------------------


def test_option_a_and_b_differ_only_where_the_shape_changes():
    a, b = resnet_cifar(depth=14), resnet_cifar(depth=14, shortcut="B")
    shortcut_a = sorted(layer.name for layer in a.layers if "shortcut" in layer.name)
    shortcut_b = sorted(layer.name for layer in b.layers if "shortcut" in layer.name)
    assert shortcut_a == [
        f"stage{s}_block1_shortcut_{op}" for s in (2, 3) for op in ("pad", "pool")
    ]
    assert shortcut_b == [
        f"stage{s}_block1_shortcut_{op}" for s in (2, 3) for op in ("bn", "conv")
    ]
    # Option A subsamples then pads with zero channels, with no weights.
    assert _shape(a, "stage2_block1_shortcut_pool") == (16, 16, 16)
    assert _shape(a, "stage2_block1_shortcut_pad") == (16, 16, 32)
    assert _shape(a, "stage3_block1_shortcut_pad") == (8, 8, 64)
    assert not any(layer.weights for layer in a.layers if "shortcut" in layer.name)
    # Option B projects with a strided 1x1 convolution.
    projection = b.get_layer("stage2_block1_shortcut_conv")
    assert (projection.kernel_size, projection.strides) == ((1, 1), (2, 2))
    assert _shape(b, "stage2_block1_shortcut_bn") == (16, 16, 32)
    # Both add tensors of the same shape, and elsewhere the shortcuts are identities.
    for model in (a, b):
        add = model.get_layer("stage2_block1_add")
        assert [tuple(t.shape[1:]) for t in add.input] == [(16, 16, 32)] * 2
        assert model.get_layer("stage2_block2_add").input[0] is (
            model.get_layer("stage2_block1_out").output
        )
    assert _trainable(b) - _trainable(a) == 2_752


def test_option_c_projects_in_every_block():
    model = resnet_cifar(depth=14, shortcut="C")
    projections = [
        layer for layer in model.layers if layer.name.endswith("_shortcut_conv")
    ]
    assert len(projections) == 3 * 2  # every block of the three stages


def test_option_a_shortcut_is_subsampled_x_with_zero_channels():
    inputs = keras.Input((6, 6, 3))
    block = basic_block(inputs, 5, strides=2, shortcut="A", name="b")
    model = keras.Model(inputs, block)
    shortcut = keras.Model(inputs, model.get_layer("b_shortcut_pad").output)
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 3)).astype("float32")
    got = keras.ops.convert_to_numpy(shortcut(x))
    expected = np.concatenate([x[:, ::2, ::2], np.zeros((2, 3, 3, 2))], axis=-1)
    np.testing.assert_array_equal(got, expected)


# --- plain versus residual ---------------------------------------------------------


def test_plain_and_residual_differ_only_by_the_adds():
    plain, residual = plain_cifar(depth=20), resnet_cifar(depth=20)
    plain_names = [layer.name for layer in plain.layers]
    extra = set(layer.name for layer in residual.layers) - set(plain_names)
    # Every block adds; option A's parameter-free shortcuts do the rest.
    assert {name for name in extra if name.endswith("_add")} == {
        f"stage{s}_block{b}_add" for s in (1, 2, 3) for b in (1, 2, 3)
    }
    assert all(
        name.endswith(("_add", "_shortcut_pool", "_shortcut_pad")) for name in extra
    )
    assert set(plain_names) <= {layer.name for layer in residual.layers}
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    # The same weights, layer by layer.
    assert [(w.path, w.shape) for w in plain.weights] == [
        (w.path, w.shape) for w in residual.weights
    ]
    assert (
        plain.count_params() == residual.count_params() == PINNED_PARAMS["plain_cifar"]
    )
    # With the same weights the outputs differ: the shortcuts carry x.
    residual.set_weights(plain.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    assert not np.allclose(
        keras.ops.convert_to_numpy(plain(x)), keras.ops.convert_to_numpy(residual(x))
    )


# --- blocks ------------------------------------------------------------------------


def test_basic_block_shapes_and_identity_shortcut():
    inputs = keras.Input((8, 8, 16))
    same = keras.Model(inputs, basic_block(inputs, 16, name="b"))
    assert same.output_shape == (None, 8, 8, 16)
    assert not any("shortcut" in layer.name for layer in same.layers)
    assert same.get_layer("b_add").input[0] is inputs  # F(x) + x
    assert [layer.name for layer in same.layers if layer.weights] == [
        "b_conv1",
        "b_bn1",
        "b_conv2",
        "b_bn2",
    ]
    down = basic_block(inputs, 32, strides=2, name="c")
    assert tuple(down.shape) == (None, 4, 4, 32)


@pytest.mark.parametrize("stride_at, strided", [("1x1", "conv1"), ("3x3", "conv2")])
def test_bottleneck_block_places_its_stride(stride_at, strided):
    inputs = keras.Input((8, 8, 64))
    model = keras.Model(
        inputs, bottleneck_block(inputs, 32, strides=2, stride_at=stride_at, name="b")
    )
    assert model.output_shape == (None, 4, 4, 128)  # 4 x 32
    kernels = {f"conv{i}": model.get_layer(f"b_conv{i}") for i in (1, 2, 3)}
    assert [conv.kernel_size[0] for conv in kernels.values()] == [1, 3, 1]
    assert [conv.filters for conv in kernels.values()] == [32, 32, 128]
    assert {name for name, conv in kernels.items() if conv.strides == (2, 2)} == {
        strided
    }
    assert model.get_layer("b_shortcut_conv").strides == (2, 2)
    assert all(conv.use_bias for conv in kernels.values())  # keras.applications


def test_bottleneck_costs_like_a_basic_block_at_a_quarter_of_the_width():
    # He et al.: a 256-channel bottleneck (1x1 64, 3x3 64, 1x1 256) vs a 64-channel
    # basic block (two 3x3 64): about the same weights.
    wide, narrow = keras.Input((8, 8, 256)), keras.Input((8, 8, 64))
    bottleneck = keras.Model(
        wide, bottleneck_block(wide, 64, conv_bias=False, name="b")
    )
    basic = keras.Model(narrow, basic_block(narrow, 64, name="b"))
    weights = {
        name: sum(
            int(np.prod(layer.kernel.shape))
            for layer in model.layers
            if isinstance(layer, keras.layers.Conv2D)
        )
        for name, model in [("bottleneck", bottleneck), ("basic", basic)]
    }
    assert weights == {
        "bottleneck": 256 * 64 + 9 * 64 * 64 + 64 * 256,  # 69,632
        "basic": 2 * 9 * 64 * 64,  # 73,728
    }


def test_resnet_table_matches_the_paper():
    layers_with_weights = {
        depth: 2 + sum(arch.blocks) * (2 if arch.block == "basic" else 3)
        for depth, arch in RESNET_DEPTHS.items()
    }
    assert layers_with_weights == {depth: depth for depth in RESNET_DEPTHS}


def test_resnet18_at_small_input_names_and_shapes():
    model = build("resnet18", input_shape=(64, 64, 3), num_classes=5)
    shapes = {
        "stem_pad": (70, 70, 3),
        "stem_conv": (32, 32, 64),
        "stem_pool": (16, 16, 64),
        "stage2_block2_out": (16, 16, 64),
        "stage3_block1_out": (8, 8, 128),
        "stage4_block1_out": (4, 4, 256),
        "stage5_block2_out": (2, 2, 512),
        "head_pool": (512,),
        "predictions": (5,),
    }
    for layer_name, shape in shapes.items():
        assert _shape(model, layer_name) == shape, layer_name
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert not any(conv.use_bias for conv in convs)  # torchvision's resnet18
    assert (
        build("resnet18", conv_bias=True, input_shape=(32, 32, 3))
        .get_layer("stem_conv")
        .use_bias
    )
    for shortcut in ("A", "B", "C", None):
        model = build("resnet18", input_shape=(32, 32, 3), shortcut=shortcut)
        assert all(RESNET_NAME.match(layer.name) for layer in model.layers), shortcut


# --- ImageNet models: counts, multiply-adds, receptive fields ----------------------


# builder, kwargs, count_params(), trainable, multiply-adds, (last stage, receptive
# field at 224x224), layers with weights.
IMAGENET = [
    ("resnet18", {}, 11_699_112, 11_689_512, 1_814_073_344, ("stage5_block2_out", 435)),
    ("resnet34", {}, 21_814_696, 21_797_672, 3_663_761_408, ("stage5_block3_out", 899)),
    ("resnet50", {}, 25_636_712, 25_583_592, 3_857_973_248, ("stage5_block3_out", 483)),
    (
        "resnet101",
        {},
        44_707_176,
        44_601_832,
        7_570_194_432,
        ("stage5_block3_out", 1027),
    ),
    (
        "resnet152",
        {},
        60_419_944,
        60_268_520,
        11_282_415_616,
        ("stage5_block3_out", 1507),
    ),
    # torchvision's convention: no conv bias ("v1.5" moves the stride to the 3x3).
    (
        "resnet50",
        {"conv_bias": False, "stride_at": "3x3"},
        None,
        25_557_032,
        4_089_184_256,
        ("stage5_block3_out", 427),
    ),
    ("resnet101", {"conv_bias": False}, None, 44_549_160, None, None),
    ("resnet152", {"conv_bias": False}, None, 60_192_808, None, None),
    ("densenet121", {}, 8_062_504, 7_978_856, 2_834_161_664, ("head_relu", 2071)),
    ("densenet169", {}, 14_307_880, 14_149_480, 3_359_843_328, ("head_relu", 3351)),
    ("densenet201", {}, 20_242_984, 20_013_928, 4_291_365_888, ("head_relu", 3863)),
]


@heavy
@pytest.mark.parametrize(
    "name, kwargs, total, trainable, macs, field",
    IMAGENET,
    ids=[f"{row[0]}{'-torchvision' if row[1] else ''}" for row in IMAGENET],
)
def test_imagenet_models_match_their_references(
    name, kwargs, total, trainable, macs, field, free_memory
):
    model = build(name, **kwargs)
    assert model.input_shape == (None, 224, 224, 3)
    assert _trainable(model) == trainable
    if total is not None:
        assert model.count_params() == total == PINNED_PARAMS[name]
    assert model.count_params() == trainable + 2 * _batch_norm_channels(model)
    depth = int(re.search(r"\d+", name).group())
    assert len(_weight_layers(model)) == depth
    if macs is not None:
        assert A.count_macs(model).total == macs
    if field is not None:
        layer_name, size = field
        row = A.receptive_field_of(model, layer_name)
        assert row.receptive_field == (size, size)
        assert row.jump == (32, 32)
        assert _shape(model, layer_name)[:2] == (7, 7)


# The last block of each of ResNet-50's stages 2-5.
RESNET50_ENDS = [(2, 3), (3, 4), (4, 6), (5, 3)]


def _keras_resnet_name(name):
    """keras.applications' ResNet layer name -> this package's."""
    if name.startswith("conv1_"):
        return name.replace("conv1_", "stem_")
    match = re.fullmatch(r"conv(\d)_block(\d+)_(\d)_(conv|bn)", name)
    if match is None:
        return name
    stage, block, index, op = match.groups()
    suffix = f"shortcut_{op}" if index == "0" else f"{op}{index}"
    return f"stage{stage}_block{block}_{suffix}"


def _keras_densenet_name(name):
    """keras.applications' DenseNet layer name -> this package's."""
    if name.startswith("conv1_"):
        return name.replace("conv1_", "stem_")
    if name in ("bn", "relu"):
        return f"head_{name}"
    match = re.fullmatch(r"pool(\d)_(bn|relu|conv|pool)", name)
    if match:
        return f"transition{match[1]}_{match[2]}"
    match = re.fullmatch(r"conv(\d)_block(\d+)_(\d)_(conv|bn|relu)", name)
    if match is None:
        return name
    stage, block, index, op = match.groups()
    # Keras counts the pre-activations from 0 (0_bn, 1_conv, 1_bn, 2_conv).
    number = int(index) + (op != "conv")
    return f"stage{stage}_block{block}_{op}{number}"


def _weight_shapes(model, rename=lambda name: name):
    return {
        rename(layer.name): [tuple(w.shape) for w in layer.weights]
        for layer in model.layers
        if layer.weights
    }


@heavy
@pytest.mark.parametrize(
    "name, application, rename, stage_ends",
    [
        (
            "resnet50",
            "ResNet50",
            _keras_resnet_name,
            {
                f"conv{s}_block{b}_out": f"stage{s}_block{b}_out"
                for s, b in RESNET50_ENDS
            },
        ),
        (
            "densenet121",
            "DenseNet121",
            _keras_densenet_name,
            {"pool2_pool": "transition2_pool", "bn": "head_bn", "relu": "head_relu"},
        ),
    ],
)
def test_matches_keras_applications_live(
    name, application, rename, stage_ends, free_memory
):
    reference = getattr(keras.applications, application)(weights=None)
    expected = {
        "count": reference.count_params(),
        "shapes": _weight_shapes(reference, rename),
        "macs": A.count_macs(reference).total,
        "fields": {
            end: A.receptive_field_of(reference, end).receptive_field
            for end in stage_ends
        },
    }
    del reference
    model = build(name)
    assert model.count_params() == expected["count"] == PINNED_PARAMS[name]
    assert _weight_shapes(model) == expected["shapes"]  # same layers, same weights
    assert A.count_macs(model).total == expected["macs"]
    for end, field in expected["fields"].items():
        assert A.receptive_field_of(model, stage_ends[end]).receptive_field == field
    if name == "resnet50":  # Araujo et al.'s resnet_v1_50 block1..block4
        assert [size for size, _ in expected["fields"].values()] == [35, 99, 291, 483]


# --- CIFAR multiply-adds and receptive fields --------------------------------------


def test_cifar_multiply_adds(resnet20, densenet_bc100):
    assert A.count_macs(resnet20).total == 40_551_040  # "about 41 million"
    assert A.count_macs(resnet_cifar(shortcut="B")).total == 40_813_184
    assert A.count_macs(resnet_cifar(depth=56)).total == 125_485_696
    # Plain and option A count the same: additions and padding are not counted.
    assert A.count_macs(plain_cifar()).total == 40_551_040
    assert A.count_macs(densenet_bc100).total == 287_929_692


@pytest.mark.parametrize("depth, field", [(20, 81), (56, 249)])
def test_resnet_cifar_receptive_fields(depth, field):
    # Each 3x3 convolution adds 2 x the jump of its input: the stem and stage 1's
    # 2n convs at jump 1, stage 2's at jump 1 (its strided first) then 2, stage 3's
    # at 2 then 4: 1 + 2 (1 + 2n) + 2 (1 + 2 (2n - 1)) + 2 (2 + 4 (2n - 1)).
    n = (depth - 2) // 6
    by_formula = 1 + 2 * (1 + 2 * n) + 2 * (1 + 2 * (2 * n - 1))
    by_formula += 2 * (2 + 4 * (2 * n - 1))
    assert by_formula == 28 * n - 3 == field
    model = resnet_cifar(depth=depth)
    row = A.receptive_field_of(model, f"stage3_block{n}_out")
    assert row.receptive_field == (field, field)
    assert row.jump == (4, 4)


# --- DenseNet ----------------------------------------------------------------------


def test_densenet_bc100_count_and_structure(densenet_bc100):
    assert _trainable(densenet_bc100) == 769_162  # the paper's 0.8M
    assert densenet_bc100.count_params() == PINNED_PARAMS["densenet_bc_cifar"]
    assert densenet_bc100.name == "densenet_bc100_cifar"
    assert len(_weight_layers(densenet_bc100)) == 100
    # 2k = 24 channels, + 16 x 12, halved, + 16 x 12, halved, + 16 x 12.
    shapes = {
        "stem_conv": (32, 32, 24),
        "stage1_block16_concat": (32, 32, 216),
        "transition1_pool": (16, 16, 108),
        "stage2_block16_concat": (16, 16, 300),
        "transition2_pool": (8, 8, 150),
        "stage3_block16_concat": (8, 8, 342),
        "head_relu": (8, 8, 342),
        "head_pool": (342,),
        "predictions": (10,),
    }
    for layer_name, shape in shapes.items():
        assert _shape(densenet_bc100, layer_name) == shape, layer_name
    assert A.receptive_field_of(densenet_bc100, "head_relu").receptive_field == (
        230,
        230,
    )
    convs = [
        layer
        for layer in densenet_bc100.layers
        if isinstance(layer, keras.layers.Conv2D)
    ]
    assert not any(conv.use_bias for conv in convs)
    bottlenecks = [conv.filters for conv in convs if conv.name.endswith("_conv1")]
    assert set(bottlenecks) == {4 * 12}


DENSENET_NAME = re.compile(
    r"^(input|stem_conv|head_(bn|relu|pool)|predictions"
    r"|stage\d_block\d+_((bn|relu|conv)[12]|concat)|transition\d_(bn|relu|conv|pool))$"
)


def test_densenet_bc_names_follow_the_scheme(densenet_bc100):
    names = [layer.name for layer in densenet_bc100.layers]
    assert [name for name in names if not DENSENET_NAME.match(name)] == []
    assert len(names) == len(set(names))


def test_densenet_knobs():
    model = densenet_bc_cifar(depth=16, growth_rate=6, compression=1.0)
    # depth 16: two layers per block; compression 1 keeps every channel.
    assert _shape(model, "stage1_block2_concat") == (32, 32, 12 + 2 * 6)
    assert _shape(model, "transition1_pool") == (16, 16, 24)
    assert model.name == "densenet_bc16_cifar"


def test_dense_block_grows_by_k_per_layer():
    inputs = keras.Input((8, 8, 10))
    out = dense_block(inputs, 3, 4, name="d")
    assert tuple(out.shape) == (None, 8, 8, 10 + 3 * 4)
    model = keras.Model(inputs, out)
    # Each layer's 1x1 convolution sees every earlier map: 10, 14, 18 channels.
    assert [
        model.get_layer(f"d_block{i}_conv1").kernel.shape[2] for i in (1, 2, 3)
    ] == [
        10,
        14,
        18,
    ]
    # Concatenation keeps the input maps untouched: the first 10 channels are x.
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 10)).astype("float32")
    y = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_array_equal(y[..., :10], x)


def test_conv_block_and_transition():
    inputs = keras.Input((8, 8, 64))
    unit = keras.Model(inputs, conv_block(inputs, 32, name="u"))
    assert [layer.name for layer in unit.layers[1:]] == [
        "u_bn1",
        "u_relu1",
        "u_conv1",
        "u_bn2",
        "u_relu2",
        "u_conv2",
        "u_concat",
    ]
    assert unit.get_layer("u_conv1").filters == 4 * 32
    assert unit.get_layer("u_conv2").kernel_size == (3, 3)
    assert unit.output_shape == (None, 8, 8, 96)
    assert tuple(transition_block(inputs, 0.5, name="t").shape) == (None, 4, 4, 32)
    assert tuple(transition_block(inputs, 0.3, name="t2").shape) == (None, 4, 4, 19)


def test_densenet_table_matches_the_paper():
    layers_with_weights = {
        depth: 1 + 2 * sum(blocks) + (len(blocks) - 1) + 1
        for depth, blocks in DENSENET_BLOCKS.items()
    }
    assert layers_with_weights == {depth: depth for depth in DENSENET_BLOCKS}


# --- ChannelPadding ----------------------------------------------------------------


def test_channel_padding_values_shape_and_config():
    x = np.arange(12, dtype="float32").reshape(1, 2, 2, 3)
    y = keras.ops.convert_to_numpy(ChannelPadding((1, 2))(x))
    assert y.shape == (1, 2, 2, 6)
    np.testing.assert_array_equal(y[..., 1:4], x)
    assert not y[..., [0, 4, 5]].any()
    assert ChannelPadding(2).compute_output_shape((None, 4, 4, 3)) == (None, 4, 4, 7)
    assert ChannelPadding((0, 3)).get_config()["padding"] == (0, 3)
    assert (
        keras.saving.get_registered_name(ChannelPadding) == "course_lib>ChannelPadding"
    )


@pytest.mark.parametrize("padding", [-1, (1,), (1, -1), (1.0, 2), "2", True])
def test_channel_padding_rejects_bad_padding(padding):
    with pytest.raises(ValueError, match="`padding` must be an integer >= 0") as error:
        ChannelPadding(padding)
    assert str(error.value).endswith(f"Received: padding={padding!r}")


# --- saving ------------------------------------------------------------------------


def test_resnet_cifar_option_a_saves_and_loads(tmp_path, resnet20):
    path = tmp_path / "resnet20.keras"
    resnet20.save(path)
    loaded = keras.saving.load_model(path)  # no custom_objects: ChannelPadding is
    assert isinstance(loaded.get_layer("stage2_block1_shortcut_pad"), ChannelPadding)
    x = np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0),
        resnet20.predict(x, verbose=0),
        rtol=1e-6,
        atol=1e-6,
    )


# --- bad arguments -----------------------------------------------------------------


# (builder, overrides, the argument the message must quote, words of the rule)
INVALID_ARGUMENTS = [
    ("resnet_cifar", {"depth": 21}, "depth", "6n + 2"),
    ("resnet_cifar", {"depth": 2}, "depth", "6n + 2"),
    ("resnet_cifar", {"depth": -4}, "depth", "6n + 2"),
    ("resnet_cifar", {"depth": 20.0}, "depth", "6n + 2"),
    ("resnet_cifar", {"depth": "20"}, "depth", "6n + 2"),
    ("plain_cifar", {"depth": 51}, "depth", "6n + 2"),
    ("resnet_cifar", {"shortcut": "D"}, "shortcut", "'A', 'B', 'C', None"),
    ("resnet_cifar", {"shortcut": "a"}, "shortcut", "one of 'A', 'B', 'C', None"),
    ("resnet34", {"shortcut": "b"}, "shortcut", "'A', 'B', 'C', None"),
    ("resnet_cifar", {"width": 0}, "width", "integer > 0"),
    ("resnet50", {"stride_at": "2x2"}, "stride_at", "'1x1', '3x3'"),
    ("densenet_bc_cifar", {"depth": 99}, "depth", "6n + 4"),
    ("densenet_bc_cifar", {"depth": 4}, "depth", "6n + 4"),
    ("densenet_bc_cifar", {"growth_rate": 0}, "growth_rate", "integer > 0"),
    ("densenet_bc_cifar", {"compression": 0}, "compression", "in (0, 1]"),
    ("densenet_bc_cifar", {"compression": 1.5}, "compression", "in (0, 1]"),
    ("densenet121", {"compression": "half"}, "compression", "in (0, 1]"),
    ("densenet121", {"input_shape": (28, 28, 3)}, "input_shape", "at least 29x29"),
    ("densenet_bc_cifar", {"input_shape": (3, 3, 3)}, "input_shape", "at least 4x4"),
    ("resnet_cifar", {"num_classes": 1}, "num_classes", "integer >= 2"),
]


@pytest.mark.parametrize("name, kwargs, argument, rule", INVALID_ARGUMENTS)
def test_invalid_arguments_raise_value_errors(name, kwargs, argument, rule):
    with pytest.raises(ValueError) as error:
        build(name, **kwargs)
    message = str(error.value)
    assert rule in message
    assert message.endswith(f"Received: {argument}={kwargs[argument]!r}")


def test_flags_must_be_bools():
    with pytest.raises(ValueError, match="`conv_bias` must be True or False"):
        build("resnet18", input_shape=(32, 32, 3), conv_bias="False")


def test_blocks_reject_bad_arguments():
    inputs = keras.Input((8, 8, 32))
    with pytest.raises(ValueError, match="cannot reduce 32 channels to 16") as error:
        basic_block(inputs, 16, shortcut="A", name="b")
    assert "shortcut='B'" in str(error.value)
    with pytest.raises(ValueError, match="Received: strides=0"):
        basic_block(inputs, 16, strides=0, name="b")
    with pytest.raises(ValueError, match="Received: filters=16.0"):
        bottleneck_block(inputs, 16.0, name="b")
    with pytest.raises(ValueError, match="Received: expansion=0"):
        bottleneck_block(inputs, 16, expansion=0, name="b")
    with pytest.raises(ValueError, match="Received: num_layers=0"):
        dense_block(inputs, 0, 12, name="d")
    with pytest.raises(ValueError, match="keeps int.*= 0 channels"):
        transition_block(keras.Input((8, 8, 1)), 0.5, name="t")
