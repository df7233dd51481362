"""Tests for course_lib.models.inception: the inception module and GoogLeNet.

What the paper (Szegedy et al. 2014, Table 1 and section 5) and torchvision fix:
the module's branches, the cost saved by the 1x1 reductions, parameter and
multiply-add counts, the 22 layers with weights, the auxiliary classifiers and
how to train them. The registry-wide tests (naming, signature, pinned default
counts) are in tests/test_models.py.
"""

import keras
import numpy as np
import pytest
from test_models import PINNED_PARAMS, free_memory, heavy  # noqa: F401 - fixture

from course_lib.arithmetic import count_macs, count_params, receptive_field_of
from course_lib.arithmetic._graph import walk
from course_lib.layers import LocalResponseNormalization
from course_lib.models import (
    aux_loss_weights,
    build,
    googlenet,
    googlenet_cifar,
    inception_module,
    without_aux_heads,
)
from course_lib.models.inception import GOOGLENET_TABLE, STAGES, auxiliary_head

# The paper's Table 1, "output size" column: channels after each module.
PAPER_OUTPUT_CHANNELS = {
    "3a": 256,
    "3b": 480,
    "4a": 512,
    "4b": 512,
    "4c": 512,
    "4d": 528,
    "4e": 832,
    "5a": 832,
    "5b": 1024,
}
# The same column, the maps at 224x224: (height, channels).
PAPER_SHAPES = {
    "stem_conv1": (112, 64),
    "stem_pool1": (56, 64),
    "stem_conv2": (56, 192),
    "stem_pool2": (28, 192),
    "inception3a_concat": (28, 256),
    "inception3b_concat": (28, 480),
    "stage3_pool": (14, 480),
    "inception4a_concat": (14, 512),
    "inception4e_concat": (14, 832),
    "stage4_pool": (7, 832),
    "inception5b_concat": (7, 1024),
}


# Counts and shapes do not depend on the backend (the same Keras layers), and each
# new model costs 20-60 s to build on JAX's CPU (one compilation per weight shape):
# tests that only count run on TensorFlow; the module, the auxiliary heads and their
# training run on both backends.
counts_on_tensorflow = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="backend-independent counts; building on JAX's CPU is slow",
)


def _shape(model, layer_name):
    return tuple(model.get_layer(layer_name).output.shape[1:])


def _layer_params(model, layer_name):
    return model.get_layer(layer_name).count_params()


def _layer_macs(model, layer_name):
    rows = {row.name: row.macs for row in count_macs(model).rows}
    return rows[layer_name]


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def _depth_with_weights(model):
    """Layers with weights on the longest path from the input to an output."""
    depth = {}  # tensor id -> weighted layers on the longest path to it
    for step in walk(model):
        here = max((depth[key] for key in step.in_keys), default=0)
        here += bool(step.layer.weights) and not isinstance(
            step.layer, keras.layers.BatchNormalization
        )
        for key in step.out_keys:
            depth[key] = here
    return max(depth.values())


# --- the inception module ----------------------------------------------------------


def test_table_output_channels_match_the_paper():
    assert list(GOOGLENET_TABLE) == [m for stage in STAGES for m in stage]
    for module, widths in GOOGLENET_TABLE.items():
        assert widths.out_channels == PAPER_OUTPUT_CHANNELS[module], module


@pytest.mark.parametrize("batch_norm", [False, True])
def test_module_output_is_the_sum_of_its_branches(batch_norm):
    widths = (7, 5, 11, 3, 13, 2)
    inputs = keras.Input((9, 9, 6))
    outputs = inception_module(inputs, *widths, name="m", batch_norm=batch_norm)
    model = keras.Model(inputs, outputs)
    assert outputs.shape == (None, 9, 9, 7 + 11 + 13 + 2)
    branches = {"m_1x1": 7, "m_3x3": 11, "m_5x5": 13, "m_pool_proj": 2}
    suffix = "_relu" if batch_norm else ""
    for layer_name, channels in branches.items():
        assert _shape(model, layer_name + suffix) == (9, 9, channels)
    assert _shape(model, "m_3x3_reduce") == (9, 9, 5)
    assert _shape(model, "m_5x5_reduce") == (9, 9, 3)
    assert _shape(model, "m_pool") == (9, 9, 6)  # stride 1: the input's channels
    assert model.get_layer("m_5x5").kernel_size == (5, 5)
    assert model.get_layer("m_3x3").kernel_size == (3, 3)
    pool = model.get_layer("m_pool")
    assert pool.pool_size == (3, 3) and pool.strides == (1, 1)
    # With batch norm the convolutions lose their bias (torchvision's BasicConv2d).
    assert model.get_layer("m_1x1").use_bias is not batch_norm
    concat = model.get_layer("m_concat")
    assert isinstance(concat, keras.layers.Concatenate)
    # The concatenation stacks the branches in order: 1x1, 3x3, 5x5, pool.
    in_channels = [tensor.shape[-1] for tensor in concat.input]
    assert in_channels == [7, 11, 13, 2]


def test_module_runs_on_arrays():
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    y = keras.ops.convert_to_numpy(inception_module(x, 2, 3, 4, 1, 2, 3, name="m"))
    assert y.shape == (2, 8, 8, 2 + 4 + 2 + 3)
    assert np.all(y >= 0)  # every branch ends in a ReLU


def test_naive_module_has_no_reductions():
    inputs = keras.Input((28, 28, 192))
    outputs = inception_module(inputs, 64, None, 128, None, 32, None, name="naive")
    model = keras.Model(inputs, outputs)
    names = {layer.name for layer in model.layers}
    assert not {"naive_3x3_reduce", "naive_5x5_reduce", "naive_pool_proj"} & names
    # The pooling branch passes all 192 input channels on: the channels grow.
    assert outputs.shape == (None, 28, 28, 64 + 128 + 32 + 192)


def test_large_kernel_three_keeps_the_names():
    inputs = keras.Input((8, 8, 4))
    outputs = inception_module(inputs, 1, 1, 1, 1, 1, 1, name="m", large_kernel=3)
    assert keras.Model(inputs, outputs).get_layer("m_5x5").kernel_size == (3, 3)


def test_5x5_branch_of_3a_costs_ten_times_less_with_its_1x1_reduction():
    # Inception 3a reads 28x28x192 maps; its 5x5 branch has 16 reduce filters and
    # 32 5x5 filters (Table 1).
    h = w = 28
    c_in, reduce, c_out = 192, 16, 32
    direct_params = 5 * 5 * c_in * c_out + c_out
    direct_macs = h * w * 5 * 5 * c_in * c_out
    reduced_params = (c_in * reduce + reduce) + (5 * 5 * reduce * c_out + c_out)
    reduced_macs = h * w * (c_in * reduce + 5 * 5 * reduce * c_out)
    assert (direct_params, direct_macs) == (153_632, 120_422_400)
    assert (reduced_params, reduced_macs) == (15_920, 12_443_648)
    assert 9 < direct_macs / reduced_macs < 10

    inputs = keras.Input((h, w, c_in))
    widths = GOOGLENET_TABLE["3a"]
    with_reduction = keras.Model(inputs, inception_module(inputs, *widths, name="a"))
    naive_widths = (widths.filters_1x1, None, widths.filters_3x3, None, c_out, None)
    without = keras.Model(inputs, inception_module(inputs, *naive_widths, name="n"))

    built_reduced = _layer_params(with_reduction, "a_5x5_reduce") + _layer_params(
        with_reduction, "a_5x5"
    )
    assert built_reduced == reduced_params
    assert _layer_macs(with_reduction, "a_5x5_reduce") + _layer_macs(
        with_reduction, "a_5x5"
    ) == (reduced_macs)
    assert _layer_params(without, "n_5x5") == direct_params
    assert _layer_macs(without, "n_5x5") == direct_macs
    # And count_params' formula agrees with Keras on the built layer.
    assert count_params(without.get_layer("n_5x5"), (None, h, w, c_in)) == (
        direct_params
    )


def test_module_rejects_bad_widths_and_names():
    x = keras.Input((8, 8, 4))
    cases = [
        ((0, 1, 1, 1, 1, 1), {}, "`filters_1x1` must be an integer > 0"),
        ((1, 1, 2.5, 1, 1, 1), {}, "`filters_3x3` must be an integer > 0"),
        ((1, 1, 1, 1, None, 1), {}, "`filters_5x5` must be an integer > 0"),
        (
            (1, -1, 1, 1, 1, 1),
            {},
            "`filters_3x3_reduce` must be an integer > 0, or None",
        ),
        ((1, 1, 1, 1, 1, True), {}, "`filters_pool_proj` must be an integer > 0"),
    ]
    for widths, kwargs, message in cases:
        with pytest.raises(ValueError, match=message) as error:
            inception_module(x, *widths, name="m", **kwargs)
        assert "Received: filters_" in str(error.value)
    with pytest.raises(ValueError, match="non-empty string") as error:
        inception_module(x, 1, 1, 1, 1, 1, 1, name="")
    assert str(error.value).endswith("Received: name=''")
    with pytest.raises(ValueError, match="`large_kernel` must be one of 5, 3"):
        inception_module(x, 1, 1, 1, 1, 1, 1, name="m", large_kernel=7)


# --- GoogLeNet at 224x224 -----------------------------------------------------------


@heavy
def test_paper_topology_counts_shapes_and_depth(free_memory):
    model = build("googlenet")
    for layer_name, (size, channels) in PAPER_SHAPES.items():
        assert _shape(model, layer_name) == (size, size, channels), layer_name
    for module, channels in PAPER_OUTPUT_CHANNELS.items():
        assert _shape(model, f"inception{module}_concat")[-1] == channels
    assert model.count_params() == PINNED_PARAMS["googlenet"] == 6_998_552
    assert not model.non_trainable_weights  # no batch norm
    assert count_macs(model).total == 1_582_671_872  # "1.5 billion multiply-adds"
    # "22 layers deep when counting only layers with parameters".
    assert _depth_with_weights(model) == 22
    lrn = [la for la in model.layers if isinstance(la, LocalResponseNormalization)]
    assert [layer.name for layer in lrn] == ["stem_lrn1", "stem_lrn2"]
    assert lrn[0].alpha == pytest.approx(1e-4 / 5) and lrn[0].bias == 1.0
    assert isinstance(model.get_layer("head_pool"), keras.layers.GlobalAveragePooling2D)
    assert model.get_layer("head_dropout").rate == 0.4
    # The paper says "12 times fewer parameters" than AlexNet; the counts give 8.9
    # (one stream) and 8.7 (two streams, 60,965,224), as the module docstring says.
    assert round(PINNED_PARAMS["alexnet"] / model.count_params(), 1) == 8.9
    assert round(60_965_224 / model.count_params(), 1) == 8.7
    # The receptive field of inception 5b (REFERENCE_NUMBERS: 715, jump 32).
    row = receptive_field_of(model, "inception5b_concat")
    assert row.receptive_field == (715, 715) and row.jump == (32, 32)


@heavy
def test_torchvision_variant_counts(free_memory):
    model = build("googlenet", batch_norm=True, lrn=False, large_kernel=3)
    # torchvision.models.googlenet: num_params 6,624,904 (trainable; its batch-norm
    # running statistics are buffers), _ops 1.498 GMACs.
    assert _trainable(model) == 6_624_904
    assert count_macs(model).total == 1_498_376_192
    assert not any(isinstance(la, LocalResponseNormalization) for la in model.layers)
    convs = [la for la in model.layers if isinstance(la, keras.layers.Conv2D)]
    assert convs and not any(conv.use_bias for conv in convs)
    assert model.get_layer("inception4c_5x5").kernel_size == (3, 3)
    assert _shape(model, "stage4_pool") == (7, 7, 832)  # 4e -> 5a at 7x7
    assert _depth_with_weights(model) == 22  # batch norm not counted


@heavy
def test_auxiliary_heads_at_224(free_memory):
    model = build("googlenet", aux_heads=True)
    assert model.output_names == ["predictions", "aux1_predictions", "aux2_predictions"]
    assert model.output_shape == [(None, 1000)] * 3
    # Section 5: 5x5/3 average pooling gives 4x4x512 (4a) and 4x4x528 (4d), then
    # 1x1 conv 128, FC 1024, dropout 0.7, the classifier.
    assert _shape(model, "aux1_pool") == (4, 4, 512)
    assert _shape(model, "aux2_pool") == (4, 4, 528)
    assert _shape(model, "aux1_conv") == (4, 4, 128)
    assert _shape(model, "aux2_fc") == (1024,)
    assert model.get_layer("aux1_dropout").rate == 0.7
    aux1 = (512 * 128 + 128) + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)
    aux2 = aux1 + (528 - 512) * 128
    assert model.count_params() == PINNED_PARAMS["googlenet"] + aux1 + aux2
    assert model.count_params() == 13_378_280
    # torchvision's googlenet(aux_logits=True): 13,004,888 parameters.
    del model
    tv = build("googlenet", aux_heads=True, batch_norm=True, lrn=False, large_kernel=3)
    assert _trainable(tv) == 13_004_888


# --- GoogLeNet for CIFAR-10 ------------------------------------------------------


def _cifar_trainable_by_formula():
    """googlenet_cifar's trainable parameters at full width, from Table 1."""
    total = 3 * 3 * 3 * 192 + 2 * 192  # stem conv (no bias) + batch norm
    c_in = 192
    for widths in GOOGLENET_TABLE.values():
        f1, r3, f3, r5, f5, pp = widths
        convs = [(1, c_in, f1), (1, c_in, r3), (3, r3, f3), (1, c_in, r5)]
        convs += [(5, r5, f5), (1, c_in, pp)]
        total += sum(k * k * ci * co + 2 * co for k, ci, co in convs)
        c_in = widths.out_channels
    return total + 1024 * 10 + 10


@counts_on_tensorflow
def test_cifar_variant_structure_and_counts():
    model = build("googlenet_cifar")
    assert _trainable(model) == _cifar_trainable_by_formula() == 5_871_914
    assert model.count_params() == PINNED_PARAMS["googlenet_cifar"]
    assert _shape(model, "stem_conv1") == (32, 32, 192)
    assert _shape(model, "inception3b_concat") == (32, 32, 480)
    assert _shape(model, "inception4e_concat") == (16, 16, 832)
    assert _shape(model, "inception5b_concat") == (8, 8, 1024)
    names = {layer.name for layer in model.layers}
    assert not {"stem_pool1", "stem_lrn1", "stem_conv2"} & names
    assert isinstance(model.get_layer("stem_conv1_bn"), keras.layers.BatchNormalization)
    assert round(count_macs(model).total / 1e9, 2) == 1.45  # module docstring


@counts_on_tensorflow
def test_cifar_width_multiplier():
    model = build("googlenet_cifar", width=0.25)
    assert model.count_params() == 376_154  # module docstring
    assert round(count_macs(model).total / 1e9, 2) == 0.09
    # 3a's widths (64, 96, 128, 16, 32, 32) divided by 4: 16 + 32 + 8 + 8.
    assert _shape(model, "inception3a_concat") == (32, 32, 64)
    assert _shape(model, "inception3a_5x5_reduce") == (32, 32, 4)
    assert _shape(model, "stem_conv1") == (32, 32, 48)
    tiny = build("googlenet_cifar", width=0.01)  # every layer keeps >= 1 channel
    assert _shape(tiny, "inception3a_5x5_reduce") == (32, 32, 1)


# --- auxiliary heads, trained --------------------------------------------------


@pytest.fixture(scope="module")
def tiny_aux_model():
    """One small GoogLeNet with auxiliary heads, shared (slow to build on JAX).

    Without batch norm: a third of the layers, so JAX compiles less."""
    keras.utils.set_random_seed(0)
    return googlenet_cifar(
        input_shape=(16, 16, 3),
        num_classes=3,
        width=0.125,
        aux_heads=True,
        batch_norm=False,
    )


def _single_output_model(output_name):
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(3, name=output_name)(inputs))


def test_aux_heads_outputs_and_helpers(tiny_aux_model):
    model = tiny_aux_model
    assert model.output_names == ["predictions", "aux1_predictions", "aux2_predictions"]
    assert model.output_shape == [(None, 3)] * 3
    # The heads read inception 4a and 4d (8x8 at 16x16 input: 5x5/3 pooling -> 2x2).
    assert _shape(model, "aux1_pool") == (2, 2, _shape(model, "inception4a_concat")[-1])
    assert _shape(model, "aux2_pool") == (2, 2, _shape(model, "inception4d_concat")[-1])
    assert aux_loss_weights(model) == [1.0, 0.3, 0.3]
    assert aux_loss_weights(model, weight=0.5) == [1.0, 0.5, 0.5]
    plain = _single_output_model("predictions")
    assert aux_loss_weights(plain) == [1.0]
    assert without_aux_heads(plain) is plain

    main = without_aux_heads(model)
    assert main.output_names == ["predictions"] and main.output_shape == (None, 3)
    assert len(main.weights) < len(model.weights)
    x = np.random.default_rng(0).normal(size=(2, 16, 16, 3)).astype("float32")
    full = model.predict(x, verbose=0)
    np.testing.assert_allclose(main.predict(x, verbose=0), full[0], rtol=1e-5)


def test_training_one_step_with_aux_losses_weighted(tiny_aux_model):
    model = tiny_aux_model
    model.compile(
        optimizer=keras.optimizers.SGD(0.01),
        loss=["sparse_categorical_crossentropy"] * 3,
        loss_weights=aux_loss_weights(model),
        metrics={"predictions": ["accuracy"]},
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 16, 16, 3)).astype("float32")
    y = rng.integers(0, 3, size=8)
    before = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    logs = model.train_on_batch(x, (y, y, y), return_dict=True)
    assert np.isfinite(logs["loss"])
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    aux_kernel = [w.path for w in model.trainable_weights].index("aux1_fc/kernel")
    assert not np.allclose(before[aux_kernel], after[aux_kernel])  # heads train
    stem = [w.path for w in model.trainable_weights].index("stem_conv1/kernel")
    assert not np.allclose(before[stem], after[stem])
    # The total is the main loss plus 0.3 times each auxiliary loss.
    logs = model.test_on_batch(x, (y, y, y), return_dict=True)
    expected = logs["predictions_loss"] + 0.3 * (
        logs["aux1_predictions_loss"] + logs["aux2_predictions_loss"]
    )
    assert logs["loss"] == pytest.approx(expected, rel=1e-5)
    assert 0 <= logs["predictions_accuracy"] <= 1


def test_auxiliary_head_alone():
    x = keras.Input((14, 14, 512))
    outputs = auxiliary_head(x, 10, name="aux1", dropout=0, classifier_activation=None)
    model = keras.Model(x, outputs)
    assert model.output_shape == (None, 10)
    assert "aux1_dropout" not in {layer.name for layer in model.layers}
    assert model.get_layer("aux1_predictions").activation is keras.activations.linear


# --- bad arguments ---------------------------------------------------------------


INVALID = [
    ("googlenet", {"input_shape": (64, 64, 3), "aux_heads": True}, "input_shape",
     "at least 65x65"),
    ("googlenet_cifar", {"input_shape": (8, 8, 3), "aux_heads": True}, "input_shape",
     "at least 9x9"),
    ("googlenet", {"include_top": False, "aux_heads": True}, "include_top",
     "needs `include_top=True`"),
    ("googlenet", {"large_kernel": 7}, "large_kernel", "one of 5, 3"),
    ("googlenet_cifar", {"width": 0}, "width", "a number in (0, 4]"),
    ("googlenet_cifar", {"width": "0.5"}, "width", "a number in (0, 4]"),
    ("googlenet_cifar", {"width": True}, "width", "a number in (0, 4]"),
    ("googlenet_cifar", {"dropout": 1.0}, "dropout", "in [0, 1)"),
    ("googlenet", {"num_classes": 1}, "num_classes", "integer >= 2"),
]  # fmt: skip


@pytest.mark.parametrize("name, kwargs, argument, rule", INVALID)
def test_invalid_arguments_raise_value_errors(name, kwargs, argument, rule):
    with pytest.raises(ValueError) as error:
        build(name, **kwargs)
    message = str(error.value)
    assert rule in message
    assert message.endswith(f"Received: {argument}={kwargs[argument]!r}")


def test_helpers_reject_bad_arguments():
    model = _single_output_model("predictions")
    with pytest.raises(ValueError, match="number >= 0. Received: weight=-0.3"):
        aux_loss_weights(model, weight=-0.3)
    with pytest.raises(ValueError, match="no `predictions` output"):
        without_aux_heads(_single_output_model("head_pool"))


@counts_on_tensorflow
def test_googlenet_takes_small_inputs_without_aux_heads():
    # Poolings round up: 32x32 ends in 1x1 maps (hence googlenet_cifar for CIFAR).
    model = googlenet(input_shape=(32, 32, 3), num_classes=10, include_top=False)
    assert model.output_shape == (None, 1, 1, 1024)
    assert googlenet(input_shape=(65, 65, 3), aux_heads=True, num_classes=2)
