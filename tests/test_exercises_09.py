"""Lesson 09's exercises: typical wrong answers per question (test_exercises.py checks
every question against them) and reference answers that agree with the builders and
the cost arithmetic; and course_lib.arithmetic.gradients, the gradient norms the
lesson measures."""

import keras
import numpy as np
import pytest

from course_lib import arithmetic
from course_lib.arithmetic.gradients import layer_gradient_norms
from course_lib.exercises import lesson09
from course_lib.models import basic_block, bottleneck_block, build

# Typical wrong answers per question, as a learner would write them.
WRONG = {
    (lesson09, "q1"): [
        9 * 16 * 16,  # one convolution
        2 * 9 * 16 * 16 + 32,  # with biases
        2 * 9 * 16,  # forgets the input channels
        2 * 9 * 16 * 16 + 64,  # with batch norm's scales and shifts
    ],
    (lesson09, "q2"): [
        lambda n: 6 * n,  # forgets the stem convolution and the dense layer
        lambda n: 3 * n + 2,  # one convolution per block
        lambda n: 6 * n + 4,  # counts the shortcuts
        lambda n: 2 * n + 2,  # one stage
    ],
    (lesson09, "q3"): [
        69_632,  # the weights
        2 * 9 * 256 * 256 * 56 * 56,  # the basic block at 256 channels
        9 * 64 * 64 * 56 * 56,  # the 3x3 alone
        (256 * 64 + 9 * 64 * 64) * 56 * 56,  # forgets the last 1x1
    ],
    (lesson09, "q4"): [(16, 16, 32), (16, 16, 64), (8, 8, 32), [8, 8], "8x8x64"],
}


def _conv_weights(model):
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    return sum(c.count_params() for c in convs)


def test_reference_answers_agree_with_the_builders():
    model = build("resnet_cifar", depth=20)
    block = [model.get_layer(f"stage1_block1_conv{i}") for i in (1, 2)]
    assert lesson09.q1.expected == sum(layer.count_params() for layer in block)
    shortcut = model.get_layer("stage3_block1_shortcut_pad").output.shape[1:]
    assert lesson09.q4.expected == tuple(shortcut)
    for n in (1, 3):
        plain = build("plain_cifar", depth=lesson09._cifar_depth(n))
        kinds = (keras.layers.Conv2D, keras.layers.Dense)
        assert lesson09._cifar_depth(n) == sum(
            isinstance(layer, kinds) for layer in plain.layers
        )


def test_bottleneck_reference_agrees_with_count_macs():
    x = keras.Input((56, 56, 256))
    model = keras.Model(x, bottleneck_block(x, 64, conv_bias=False, name="b"))
    assert _conv_weights(model) == lesson09.BOTTLENECK_WEIGHTS
    assert arithmetic.count_macs(model).total == lesson09.q3.expected
    # The block it replaces costs about 17 times as much.
    y = keras.Input((56, 56, 256))
    wide = keras.Model(y, basic_block(y, 256, conv_bias=False, name="w"))
    assert arithmetic.count_macs(wide).total > 15 * lesson09.q3.expected


def _batch(n=8, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((n, 32, 32, 3)).astype("float32")
    return images, rng.integers(0, 10, n)


def _chain(channels=4):
    """input -> conv -> relu (a) -> conv -> relu (b) -> pool -> dense."""
    x = keras.Input((32, 32, 3))
    a = keras.layers.Conv2D(channels, 3, padding="same", activation="relu", name="a")(x)
    b = keras.layers.Conv2D(channels, 3, padding="same", activation="relu", name="b")(a)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(b)
    out = keras.layers.Dense(10, activation="softmax", name="predictions")(pooled)
    return keras.Model(x, out)


def test_gradient_norms_match_one_backward_pass():
    """Carried block by block, the gradient equals the one through the whole net."""
    keras.utils.set_random_seed(1)
    model = _chain()
    images, labels = _batch()
    rows = layer_gradient_norms(model, ["a", "b"], images, labels)
    assert [r.name for r in rows] == ["a", "b"]
    assert rows[0].shape == (32, 32, 4)
    # Reference: the gradient with respect to a's output, through b..predictions in
    # one call (a's output is a cut, so a sub-model from it is the rest of the net).
    head = keras.Model(model.get_layer("a").output, model.output)
    a_out = keras.ops.convert_to_numpy(
        keras.Model(model.inputs[0], model.get_layer("a").output)(images)
    )

    def loss(t):
        p = head(t, training=True)
        return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(labels, p))

    reference = arithmetic.input_gradient(loss, a_out)
    assert rows[0].norm == pytest.approx(float(np.linalg.norm(reference)), rel=1e-4)
    assert rows[0].norm > 0 and rows[1].norm > 0


def test_gradient_norms_leave_batch_norm_statistics_alone():
    model = build("resnet_cifar", depth=8)
    images, labels = _batch()
    bn = model.get_layer("stage1_block1_bn1")
    before = keras.ops.convert_to_numpy(bn.moving_mean).copy()
    names = ["stem_relu"] + [
        layer.name for layer in model.layers if layer.name.endswith("_out")
    ]
    rows = layer_gradient_norms(model, names, images, labels)
    assert len(rows) == len(names) == 4
    assert all(np.isfinite(r.norm) and r.norm > 0 for r in rows)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bn.moving_mean), before)


def test_gradient_norms_reject_bad_input():
    model = build("resnet_cifar", depth=8)
    images, labels = _batch()
    with pytest.raises(ValueError, match="not found"):
        layer_gradient_norms(model, ["no_such_layer"], images, labels)
    with pytest.raises(ValueError, match="cut of the network"):
        layer_gradient_norms(model, ["stage1_block1_conv1"], images, labels)
    with pytest.raises(ValueError, match="same number"):
        layer_gradient_norms(model, ["stem_relu"], images, labels[:3])
    with pytest.raises(ValueError, match="at least one"):
        layer_gradient_norms(model, [], images, labels)
