"""Tests for course_lib.arithmetic: every formula against what Keras does.

Backend-neutral (TensorFlow or JAX); measured receptive fields are in
test_arithmetic_measured.py.

Published figures used as yardsticks (and where they come from):

- Receptive fields: Araujo, Norris & Sim, "Computing Receptive Fields of
  Convolutional Neural Networks", Distill 2019, and the table of its library
  (github.com/google-research/receptive_field, README and RECEPTIVE_FIELD_TABLE.md),
  computed on the TF-Slim models at 224 x 224:
  vgg_16/pool5: RF 212, effective stride 32, effective padding 90;
  mobilenet_v1/Conv2d_13_pointwise: RF 315, stride 32, padding 126;
  resnet_v1_50/block1..block4: RF 35, 99, 291, 483 (block4: stride 32, padding 239).
- MobileNet v1 1.0-224: 569 million mult-adds, 4.2 million parameters (Howard et
  al. 2017, "MobileNets", Tables 8-9).
- VGG-16: 15.3 billion FLOPs, ResNet-50: 3.8 billion FLOPs (He et al. 2016, "Deep
  Residual Learning", Table 1 and Sec. 4.1). That paper's "FLOPs" are
  multiply-adds ("3.6 billion FLOPs (multiply-adds)" for ResNet-34), the same
  convention as count_macs.
"""

import math

import keras
import numpy as np
import pytest

from course_lib import _backend
from course_lib import arithmetic as A

L = keras.layers


def _layer_output(layer, x):
    return np.asarray(layer(x.astype("float32")))


# ---------------------------------------------------------------------------
# Output sizes.
# ---------------------------------------------------------------------------


def test_worked_example_5x5_kernel_3x3_stride_2_pad_1_gives_3x3():
    assert A.conv_output_size(5, 3, stride=2, padding=1) == 3
    # Keras's "same" pads this case symmetrically, one pixel each side.
    assert A.same_padding(5, 3, stride=2) == (1, 1)
    x = np.arange(25.0).reshape(5, 5)
    out = A.conv2d_loops(x, np.ones((3, 3)), stride=2, padding=1)
    # Sums of the 3x3 windows (zero padded), worked out by hand.
    np.testing.assert_array_equal(out, [[12, 27, 24], [63, 108, 81], [72, 117, 84]])
    layer = L.Conv2D(1, 3, strides=2, padding="same", use_bias=False)
    layer.build((1, 5, 5, 1))
    layer.set_weights([np.ones((3, 3, 1, 1))])
    keras_out = _layer_output(layer, x[None, :, :, None])[0, :, :, 0]
    np.testing.assert_allclose(keras_out, out)


def test_valid_and_same_examples():
    assert A.conv_output_size(32, 3) == 30
    assert A.conv_output_size(32, 3, padding="valid") == 30
    assert A.conv_output_size(32, 3, padding="SAME") == 32
    assert A.conv_output_size(224, 7, stride=2, padding="same") == 112
    assert A.conv_output_size(224, 3, stride=2, padding=(0, 1)) == 112
    assert A.conv_output_size(32, 5) == 28  # LeNet-5's first layer
    assert A.pool_output_size(28, 2) == 14
    assert A.pool_output_size(55, 3, stride=2) == 27  # AlexNet's overlapping pool
    assert A.pool_output_size(7, 2, padding="same") == 4
    assert A.same_padding(224, 3, stride=2) == (0, 1)  # extra pixel after
    assert A.same_padding(224, 7, stride=2) == (2, 3)
    assert A.same_padding(10, 3, stride=1, dilation=2) == (2, 2)
    assert A.same_padding(5, 1, stride=3) == (0, 0)
    assert A.effective_kernel_size(3, 2) == 5
    assert A.full_padding(3) == 2


def test_dumoulin_visin_relations():
    """Relations 1-15 of Dumoulin & Visin (2016) on a grid of small cases."""
    for i in range(1, 13):
        for k in range(1, 6):
            assert A.effective_kernel_size(k, 3) == k + (k - 1) * 2  # eq. 14
            if k <= i:
                assert A.conv_output_size(i, k) == i - k + 1  # relation 1
            if k % 2:  # relation 3: half padding keeps the size
                assert A.conv_output_size(i, k, padding=k // 2) == i
                assert A.conv_output_size(i, k, padding="same") == i
            # Relation 4: full padding.
            assert A.conv_output_size(i, k, padding="full") == i + k - 1
            # Relations 8, 10, 11: unit-stride transposes.
            assert A.transposed_conv_output_size(i, k, padding=0) == i + k - 1
            if k % 2:
                assert A.transposed_conv_output_size(i, k, padding=k // 2) == i
            if i >= k:
                assert A.transposed_conv_output_size(i, k, padding=k - 1) == i - k + 1
            for s in range(1, 4):
                if k <= i:  # relations 5 and 7
                    assert A.conv_output_size(i, k, s) == (i - k) // s + 1
                    assert A.pool_output_size(i, k, s) == (i - k) // s + 1
                for p in range(0, 4):
                    if k > i + 2 * p:
                        continue
                    o = A.conv_output_size(i, k, s, p)
                    assert o == (i + 2 * p - k) // s + 1  # relations 2 and 6
                    # Relation 13: the transpose returns to i with a = (i+2p-k) mod s.
                    a = (i + 2 * p - k) % s
                    t = A.transposed_conv_output_size(o, k, s, p, output_padding=a)
                    assert t == s * (o - 1) + a + k - 2 * p == i
                    eq = A.transposed_conv_equivalent(o, k, s, p, output_padding=a)
                    assert eq.stretched_size == (o - 1) * s + 1
                    assert eq.zeros_between == s - 1
                    assert eq.padding == (k - p - 1, k - p - 1 + a)
                    assert eq.output_size == i
                    for d in range(1, 4):  # relation 15: dilation
                        k_eff = k + (k - 1) * (d - 1)
                        if k_eff <= i + 2 * p:
                            assert (
                                A.conv_output_size(i, k, s, p, d)
                                == (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1
                            )


# 200 random cases (fixed seed) compared with Keras's own shape arithmetic.
_RNG = np.random.default_rng(2024)
_CASES = []
for _ in range(200):
    _s = int(_RNG.integers(1, 5))
    _CASES.append(
        dict(
            h=int(_RNG.integers(1, 40)),
            w=int(_RNG.integers(1, 40)),
            k=(int(_RNG.integers(1, 8)), int(_RNG.integers(1, 8))),
            s=(_s, int(_RNG.integers(1, 5))),
            # Keras forbids strides > 1 together with dilation > 1.
            d=(1, 1) if _s > 1 else (int(_RNG.integers(1, 4)), 1),
            padding=str(_RNG.choice(["valid", "same"])),
        )
    )
_CASES = [c for c in _CASES if c["s"][1] == 1 or c["d"] == (1, 1)]


def _ours_or_error(fn, *args):
    try:
        return fn(*args)
    except ValueError:
        return "error"


def _keras_or_error(layer, shape):
    try:
        return tuple(layer.compute_output_shape(shape)[1:3])
    except ValueError:
        return "error"


def test_conv_output_size_matches_keras_on_random_cases():
    assert len(_CASES) > 150
    for c in _CASES:
        layer = L.Conv2D(
            2, c["k"], strides=c["s"], padding=c["padding"], dilation_rate=c["d"]
        )
        theirs = _keras_or_error(layer, (1, c["h"], c["w"], 3))
        ours = [
            _ours_or_error(
                A.conv_output_size, n, c["k"][a], c["s"][a], c["padding"], c["d"][a]
            )
            for a, n in enumerate((c["h"], c["w"]))
        ]
        ours = "error" if "error" in ours else tuple(ours)
        assert ours == theirs, c


def test_pool_output_size_matches_keras_on_random_cases():
    for c in _CASES:
        for cls in (L.MaxPooling2D, L.AveragePooling2D):
            layer = cls(c["k"], strides=c["s"], padding=c["padding"])
            theirs = _keras_or_error(layer, (1, c["h"], c["w"], 3))
            ours = [
                _ours_or_error(
                    A.pool_output_size, n, c["k"][a], c["s"][a], c["padding"]
                )
                for a, n in enumerate((c["h"], c["w"]))
            ]
            ours = "error" if "error" in ours else tuple(ours)
            assert ours == theirs, c
    # The stride defaults to the pool size, as in Keras.
    assert (
        A.pool_output_size(9, 3)
        == L.MaxPooling2D(3).compute_output_shape((1, 9, 9, 1))[1]
    )


def test_transposed_conv_output_size_matches_keras_on_random_cases():
    for n, c in enumerate(_CASES):
        # None, or an explicit output_padding below the stride.
        op = None if n % 3 == 0 else tuple(n % s for s in c["s"])
        layer = L.Conv2DTranspose(
            2,
            c["k"],
            strides=c["s"],
            padding=c["padding"],
            output_padding=op,
            dilation_rate=c["d"],
        )
        theirs = _keras_or_error(layer, (1, c["h"], c["w"], 3))
        ours = [
            _ours_or_error(
                A.transposed_conv_output_size,
                size,
                c["k"][a],
                c["s"][a],
                c["padding"],
                None if op is None else op[a],
                c["d"][a],
            )
            for a, size in enumerate((c["h"], c["w"]))
        ]
        if theirs != "error" and min(theirs) < 1:
            theirs = "error"  # Keras allows an empty output; we refuse it.
        ours = "error" if "error" in ours else tuple(ours)
        assert ours == theirs, (c, op)


def test_computed_shapes_match_actual_keras_outputs():
    """compute_output_shape is cheap; check a subset against real layer calls."""
    for c in _CASES[:30]:
        x = np.zeros((1, c["h"], c["w"], 2), "float32")
        kwargs = dict(strides=c["s"], padding=c["padding"])
        try:
            out = L.Conv2D(1, c["k"], dilation_rate=c["d"], **kwargs)(x)
        except ValueError:
            continue
        assert tuple(out.shape[1:3]) == tuple(
            A.conv_output_size(n, c["k"][a], c["s"][a], c["padding"], c["d"][a])
            for a, n in enumerate((c["h"], c["w"]))
        ), c


@pytest.mark.parametrize("case", range(40))
def test_same_padding_is_what_tensorflow_pads(case):
    rng = np.random.default_rng(case)
    size, kernel = int(rng.integers(1, 30)), int(rng.integers(1, 8))
    stride = int(rng.integers(1, 5))
    dilation = 1 if stride > 1 else int(rng.integers(1, 4))
    x = rng.normal(size=(1, size, size, 1)).astype("float32")
    k = rng.normal(size=(kernel, kernel, 1, 1)).astype("float32")
    same = keras.ops.conv(x, k, stride, padding="same", dilation_rate=dilation)
    before, after = A.same_padding(size, kernel, stride, dilation)
    padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
    manual = keras.ops.conv(padded, k, stride, padding="valid", dilation_rate=dilation)
    np.testing.assert_allclose(np.asarray(same), np.asarray(manual), atol=1e-5)


def test_same_padding_puts_the_extra_pixel_after():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 6, 6, 1)).astype("float32")
    k = rng.normal(size=(3, 3, 1, 1)).astype("float32")
    same = np.asarray(keras.ops.conv(x, k, 2, padding="same"))
    assert A.same_padding(6, 3, 2) == (0, 1)
    after = np.pad(x, ((0, 0), (0, 1), (0, 1), (0, 0)))
    before = np.pad(x, ((0, 0), (1, 0), (1, 0), (0, 0)))
    np.testing.assert_allclose(same, np.asarray(keras.ops.conv(after, k, 2)), atol=1e-5)
    assert not np.allclose(same, np.asarray(keras.ops.conv(before, k, 2)), atol=1e-3)


# ---------------------------------------------------------------------------
# NumPy reference == Keras.
# ---------------------------------------------------------------------------

_CONV_CONFIGS = [
    # (H, W, C_in, C_out, kernel, stride, padding, dilation, groups)
    (7, 7, 1, 1, 3, 1, "valid", 1, 1),
    (5, 5, 1, 1, 3, 2, "same", 1, 1),
    (8, 9, 3, 4, (3, 2), 2, "same", 1, 1),
    (9, 9, 2, 3, 3, 1, "same", 2, 1),
    (10, 7, 4, 6, (1, 3), (2, 1), "valid", 1, 2),
    (11, 11, 3, 2, 5, 3, "same", 1, 1),
    (6, 6, 4, 4, 2, 1, "same", 1, 4),
    (12, 10, 2, 3, 3, 1, "valid", (2, 3), 1),
    (13, 8, 6, 9, (4, 3), (3, 2), "same", 1, 3),
    (4, 4, 2, 2, 4, 1, "same", 1, 1),
    (9, 12, 3, 5, (2, 5), 1, "same", (3, 2), 1),
    (16, 16, 8, 8, 3, 2, "valid", 1, 2),
]


@pytest.mark.parametrize("config", _CONV_CONFIGS, ids=str)
def test_numpy_conv2d_matches_keras_conv2d(config):
    h, w, c_in, c_out, kernel, stride, padding, dilation, groups = config
    rng = np.random.default_rng(_CONV_CONFIGS.index(config))
    layer = L.Conv2D(
        c_out,
        kernel,
        strides=stride,
        padding=padding,
        dilation_rate=dilation,
        groups=groups,
    )
    layer.build((2, h, w, c_in))
    k = rng.normal(size=layer.kernel.shape)
    b = rng.normal(size=(c_out,))
    layer.set_weights([k, b])
    x = rng.normal(size=(2, h, w, c_in))
    ours = A.conv2d(x, k, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(ours, _layer_output(layer, x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding", [2, (1, 3), ((1, 2), (0, 3))], ids=str)
def test_numpy_conv2d_explicit_padding_matches_zero_padding_layer(padding):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 7, 6, 2))
    k = rng.normal(size=(3, 3, 2, 4))
    model = keras.Sequential(
        [keras.Input((7, 6, 2)), L.ZeroPadding2D(padding), L.Conv2D(4, 3, strides=2)]
    )
    model.layers[1].set_weights([k, np.zeros(4)])
    ours = A.conv2d(x, k, stride=2, padding=padding)
    np.testing.assert_allclose(ours, _layer_output(model, x), rtol=1e-5, atol=1e-5)


def test_conv2d_loops_agrees_with_vectorised_conv2d():
    rng = np.random.default_rng(2)
    for stride, padding, dilation in [(1, 0, 1), (2, 1, 1), (1, "same", 2), (3, 2, 1)]:
        x = rng.normal(size=(9, 8))
        k = rng.normal(size=(3, 2))
        loops = A.conv2d_loops(x, k, stride, padding, dilation)
        x4, k4 = x[None, :, :, None], k[:, :, None, None]
        vec = A.conv2d(x4, k4, None, stride, padding, dilation)
        np.testing.assert_allclose(loops, vec[0, :, :, 0], atol=1e-12)


def test_keras_computes_cross_correlation_not_convolution():
    # A single bright pixel comes out as the kernel rotated by 180 degrees.
    impulse = np.zeros((7, 7))
    impulse[3, 3] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    out = A.conv2d_loops(impulse, kernel)
    np.testing.assert_array_equal(out[1:4, 1:4], kernel[::-1, ::-1])
    layer = L.Conv2D(1, 3, use_bias=False)
    layer.build((1, 7, 7, 1))
    layer.set_weights([kernel[:, :, None, None]])
    keras_out = _layer_output(layer, impulse[None, :, :, None])[0, :, :, 0]
    np.testing.assert_allclose(keras_out, out)


_POOL_CONFIGS = [
    # (H, W, pool, stride, padding)
    (7, 7, 2, None, "valid"),
    (7, 8, 3, 2, "same"),
    (9, 6, (2, 3), (1, 2), "same"),
    (8, 8, 3, 1, "valid"),
    (5, 5, 2, None, "same"),
    (6, 7, (3, 1), None, "same"),
    (10, 10, 4, 3, "same"),
    (11, 9, (3, 2), (2, 3), "valid"),
]


@pytest.mark.parametrize("config", _POOL_CONFIGS, ids=str)
def test_numpy_pooling_matches_keras(config):
    h, w, pool, stride, padding = config
    x = np.random.default_rng(3).normal(size=(2, h, w, 3))
    for ours, cls in ((A.max_pool, L.MaxPooling2D), (A.avg_pool, L.AveragePooling2D)):
        layer = cls(pool, strides=stride, padding=padding)
        np.testing.assert_allclose(
            ours(x, pool, stride, padding),
            _layer_output(layer, x),
            rtol=1e-5,
            atol=1e-5,
        )


def test_same_average_pooling_divides_by_real_pixels():
    out = A.avg_pool(np.ones((1, 3, 3, 1)), 2, padding="same")
    np.testing.assert_array_equal(out[0, :, :, 0], np.ones((2, 2)))


_TRANSPOSE_CONFIGS = [
    # (H, W, kernel, stride, padding, output_padding, dilation)
    (3, 4, 3, 2, "valid", None, 1),
    (3, 4, 3, 2, "same", None, 1),
    (4, 3, 3, 2, "same", 1, 1),
    (2, 5, (2, 3), (3, 2), "valid", (1, 0), 1),
    (4, 4, 4, 2, "same", None, 1),
    (3, 3, 1, 3, "valid", None, 1),
    (5, 4, 3, 1, "same", None, 2),
    (3, 5, (4, 2), (2, 3), "same", (1, 2), 1),
]


@pytest.mark.parametrize("config", _TRANSPOSE_CONFIGS, ids=str)
def test_transposed_conv_as_direct_conv_matches_keras(config):
    h, w, kernel, stride, padding, output_padding, dilation = config
    rng = np.random.default_rng(4)
    layer = L.Conv2DTranspose(
        3,
        kernel,
        strides=stride,
        padding=padding,
        output_padding=output_padding,
        dilation_rate=dilation,
    )
    layer.build((1, h, w, 2))
    k, b = rng.normal(size=layer.kernel.shape), rng.normal(size=(3,))
    layer.set_weights([k, b])
    x = rng.normal(size=(1, h, w, 2))
    ours = A.conv_transpose2d(x, k, b, stride, padding, output_padding, dilation)
    np.testing.assert_allclose(ours, _layer_output(layer, x), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------
# Receptive fields.
# ---------------------------------------------------------------------------


def _on_tensorflow_only():
    """The arithmetic over a keras.applications graph does not depend on the backend;
    building these ImageNet models takes about 20 s on JAX's CPU backend, so the JAX
    leg of CI leaves them to the TensorFlow leg."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("keras.applications graphs are checked on the TensorFlow backend")


@pytest.fixture(scope="module")
def vgg16():
    _on_tensorflow_only()
    return keras.applications.VGG16(weights=None, include_top=True)


@pytest.fixture(scope="module")
def resnet50():
    _on_tensorflow_only()
    return keras.applications.ResNet50(weights=None, include_top=True)


@pytest.fixture(scope="module")
def mobilenet():
    _on_tensorflow_only()
    return keras.applications.MobileNet(weights=None, include_top=True)


def test_recurrence_three_3x3_see_as_far_as_one_7x7():
    rows = A.receptive_field_recurrence([(3,), (3,), (3,)])
    assert [r.receptive_field for r in rows] == [3, 5, 7]
    assert A.receptive_field_recurrence([(7,)])[-1].receptive_field == 7
    assert [r.jump for r in rows] == [1, 1, 1]


def test_recurrence_formula_with_strides_padding_and_dilation():
    layers = [(7, 2, 3), (3, 2, 1), (3, 1, 2, 2), (2, 2, "valid"), (3, 2, "same")]
    rows = A.receptive_field_recurrence(layers, input_size=64)
    r, j = 1, 1
    for row, (k, s, *rest) in zip(rows, layers, strict=True):
        d = rest[1] if len(rest) > 1 else 1
        assert row.receptive_field == r + (k - 1) * d * j
        r, j = row.receptive_field, j * s
        assert row.jump == j
    assert [r.output_size for r in rows] == [32, 16, 16, 8, 4]
    assert [r.padding for r in rows][-2:] == [(0, 0), (0, 1)]
    # Without the input size the offset of strided "same" padding is unknown.
    assert A.receptive_field_recurrence(layers)[-1].start is None
    assert A.receptive_field_recurrence([(3, 1, "same")])[0].start == 0.0


def test_recurrence_agrees_with_receptive_field_of_a_model():
    layers = [(5, 2, 2), (3, 1, 0, 2), (2, 2, 0), (3, 2, "same")]
    model = keras.Sequential(
        [
            keras.Input((40, 40, 1)),
            L.ZeroPadding2D(2),
            L.Conv2D(2, 5, strides=2, name="c1"),
            L.Conv2D(2, 3, dilation_rate=2, name="c2"),
            L.MaxPooling2D(2, name="p"),
            L.Conv2D(2, 3, strides=2, padding="same", name="c3"),
        ]
    )
    expected = A.receptive_field_recurrence(layers, input_size=40)
    for name, row in zip(["c1", "c2", "p", "c3"], expected, strict=True):
        got = A.receptive_field_of(model, name)
        assert got.receptive_field == (row.receptive_field,) * 2
        assert got.jump == (row.jump,) * 2
        assert got.start == (row.start,) * 2
        assert got.output_size == (row.output_size,) * 2


def test_vgg16_receptive_fields_match_araujo_et_al(vgg16):
    # Araujo et al. list vgg_16/pool5 (Keras: block5_pool) at 212, stride 32,
    # effective padding 90, and vgg_16/conv5/conv5_2 at 164; conv5_3 adds 2 x 16.
    pool5 = A.receptive_field_of(vgg16, "block5_pool")
    assert pool5.receptive_field == (212, 212)
    assert pool5.jump == (32, 32)
    assert pool5.effective_padding == (90, 90)
    assert A.receptive_field_of(vgg16, "block5_conv2").receptive_field == (164, 164)
    assert A.receptive_field_of(vgg16, "block5_conv3").receptive_field == (196, 196)
    assert A.receptive_field_of(vgg16, "block1_pool").receptive_field == (6, 6)
    assert A.receptive_field_of(vgg16, "block4_pool").effective_padding == (42, 42)
    fc1 = A.receptive_field_of(vgg16, "fc1")
    assert fc1.is_global and fc1.receptive_field == (224, 224) and fc1.jump is None


def test_resnet50_receptive_fields_match_araujo_et_al(resnet50):
    # Araujo et al. report resnet_v1_50/block1..block4 (TF-Slim). Slim puts each
    # stage's stride at the end of the stage, Keras at the start of the next one, so
    # the sizes at the ends of stages agree (35, 99, 291, 483) while Slim's jumps
    # for block1-3 are twice Keras's and its block4 padding is 239, not 241.
    expected = {
        "conv2_block3_out": (35, 4),
        "conv3_block4_out": (99, 8),
        "conv4_block6_out": (291, 16),
        "conv5_block3_out": (483, 32),
    }
    for name, (size, jump) in expected.items():
        row = A.receptive_field_of(resnet50, name)
        assert row.receptive_field == (size, size), name
        assert row.jump == (jump, jump), name
    assert A.receptive_field_of(resnet50, "conv5_block3_out").start == (0.0, 0.0)
    assert A.receptive_field_of(resnet50, "avg_pool").is_global


def test_mobilenet_receptive_fields_match_araujo_et_al(mobilenet):
    # mobilenet_v1/Conv2d_13_pointwise is Keras's conv_pw_13 (before BN/ReLU):
    # RF 315, effective stride 32, effective padding 126 at 224 x 224.
    row = A.receptive_field_of(mobilenet, "conv_pw_13")
    assert row.receptive_field == (315, 315)
    assert row.jump == (32, 32)
    assert row.effective_padding == (126, 126)
    assert A.receptive_field_of(mobilenet, "conv_pw_13_relu").receptive_field == (
        315,
        315,
    )
    # Conv2d_1_pointwise 7 / 2 / 2 and Conv2d_6_pointwise 59 / 16 / 14.
    assert A.receptive_field_of(mobilenet, "conv_pw_1").effective_padding == (2, 2)
    six = A.receptive_field_of(mobilenet, "conv_pw_6")
    assert (six.receptive_field, six.jump, six.effective_padding) == (
        (59, 59),
        (16, 16),
        (14, 14),
    )


def test_merges_take_the_largest_field():
    inp = keras.Input((32, 32, 3))
    small = L.Conv2D(4, 1, name="small")(inp)
    big = L.Conv2D(4, 3, padding="same", name="big1")(inp)
    big = L.Conv2D(4, 3, padding="same", name="big2")(big)
    cat = L.Concatenate(name="cat")([small, big])
    add = L.Add(name="plus")([small, big])
    mul = L.Multiply(name="mul")([small, big])
    avg = L.Average(name="avg")([big, small])
    out = L.Conv2D(2, 3, padding="same", name="after")(L.Add()([cat[..., :4], add]))
    model = keras.Model(inp, [out, mul, avg])
    for name in ("cat", "plus", "mul", "avg"):
        assert A.receptive_field_of(model, name).receptive_field == (5, 5), name
    assert A.receptive_field_of(model, "after").receptive_field == (7, 7)


def test_nested_models_are_expanded():
    block = keras.Sequential(
        [
            keras.Input((14, 14, 4)),
            L.Conv2D(4, 3, name="conv"),
            L.MaxPooling2D(name="pool"),
        ],
        name="block",
    )
    inp = keras.Input((16, 16, 1))
    x = L.Conv2D(4, 3, name="stem")(inp)
    x = block(x)
    x = L.Conv2D(2, 3, name="head")(x)
    model = keras.Model(inp, x)
    assert A.receptive_field_of(model, "block/pool").receptive_field == (6, 6)
    assert A.receptive_field_of(model, "head").receptive_field == (10, 10)
    assert [r.params for r in A.parameter_table(model)] == [0, 40, 148, 0, 74]


def _ones_weights(model):
    for w in model.weights:
        w.assign(np.ones(w.shape, dtype=w.dtype))


def _measured_extent(model, i, j):
    """Input rows and columns that the output unit (i, j) depends on (gradient)."""
    x = np.ones((1, *model.input_shape[1:]), dtype="float32")
    grad = _backend.input_gradient(lambda t: keras.ops.sum(model(t)[0, i, j, :]), x)
    g = np.abs(grad[0]).sum(axis=-1)
    rows, cols = np.flatnonzero(g.sum(axis=1)), np.flatnonzero(g.sum(axis=0))
    return (rows[0], rows[-1]), (cols[0], cols[-1])


def _computed_extent(row, index, image_size):
    extent = []
    for a in range(2):
        centre = row.start[a] + index[a] * row.jump[a]
        lo, hi = centre - (row.receptive_field[a] - 1) / 2, centre
        hi += (row.receptive_field[a] - 1) / 2
        assert lo == int(lo)
        extent.append((max(int(lo), 0), min(int(hi), image_size[a] - 1)))
    return tuple(extent)


def _gradient_models():
    # Linear layers and all-ones weights: every path adds, nothing cancels.
    seq = keras.Sequential(
        [
            keras.Input((23, 26, 2)),
            L.Conv2D(3, (3, 5), strides=(2, 1), padding="same"),
            L.BatchNormalization(),
            L.Activation("relu"),
            L.ZeroPadding2D(((1, 0), (2, 1))),
            L.DepthwiseConv2D(3, dilation_rate=(2, 1)),
            L.AveragePooling2D((2, 3), strides=2, padding="same"),
            L.SeparableConv2D(2, 2, padding="same"),
            L.Dropout(0.5),
            L.Conv2D(2, 1),
        ]
    )
    inp = keras.Input((20, 21, 1))
    a = L.Conv2D(1, 3, padding="same")(inp)
    b = L.Conv2D(1, 5, padding="same")(inp)
    x = L.Add()([a, b])
    c = L.AveragePooling2D(2, padding="same")(L.Conv2D(1, 1)(x))
    d = L.Conv2D(1, 3, strides=2, padding="same")(x)
    func = keras.Model(inp, L.Concatenate()([c, d]))
    return [seq, func]


@pytest.mark.parametrize("which", [0, 1])
def test_gradient_measured_receptive_field_equals_computed(which):
    model = _gradient_models()[which]
    _ones_weights(model)
    row = A.receptive_field(model)[-1]
    image = model.input_shape[1:3]
    out_h, out_w = model.output_shape[1:3]
    for index in [(0, 0), (out_h // 2, out_w // 2), (out_h - 1, out_w - 1), (1, 2)]:
        measured = _measured_extent(model, *index)
        assert measured == _computed_extent(row, index, image), (index, row)
    # A central unit whose field fits in the image: the extent is the field size.
    centre = (out_h // 2, out_w // 2)
    (r0, r1), (c0, c1) = _measured_extent(model, *centre)
    if which == 1:
        assert (r1 - r0 + 1, c1 - c0 + 1) == row.receptive_field == (7, 7)


def test_receptive_field_table_renders():
    model = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(1, 3, name="c")])
    rows = A.receptive_field(model)
    assert [r.name for r in rows] == [rows[0].name, "c"]
    assert rows[0].receptive_field == (1, 1) and rows[0].start == (0.0, 0.0)
    md = A.format_table(rows, columns=["name", "receptive_field", "jump"])
    assert md.splitlines()[0] == "| name | receptive_field | jump |"
    assert "| c | (3, 3) | (1, 1) |" in md
    text = A.format_table(rows, style="text")
    assert text.splitlines()[0].startswith("name") and len(text.splitlines()) == 4
    dicts = A.as_dicts(rows)
    assert dicts[1]["receptive_field"] == (3, 3)
    assert set(dicts[0]) >= {"name", "layer_type", "jump", "start", "is_global"}


def test_global_layers_see_the_whole_input():
    model = keras.Sequential(
        [
            keras.Input((12, 10, 1)),
            L.Conv2D(2, 3),
            L.GlobalAveragePooling2D(keepdims=True),
            L.Flatten(),
            L.Dense(3),
        ]
    )
    rows = A.receptive_field(model)
    assert [r.is_global for r in rows] == [False, False, True, True, True]
    assert rows[-1].receptive_field == (12, 10)
    assert rows[-1].output_size is None


# ---------------------------------------------------------------------------
# Parameters.
# ---------------------------------------------------------------------------

_PARAM_LAYERS = [
    (lambda: L.Conv2D(8, 3), (None, 9, 9, 3)),
    (lambda: L.Conv2D(8, (3, 5), use_bias=False), (None, 9, 9, 3)),
    (lambda: L.Conv2D(12, 3, groups=4), (None, 9, 9, 8)),
    (lambda: L.Conv2D(6, 1, groups=2, use_bias=False), (None, 9, 9, 4)),
    (lambda: L.DepthwiseConv2D(3), (None, 9, 9, 5)),
    (lambda: L.DepthwiseConv2D((3, 2), depth_multiplier=3), (None, 9, 9, 5)),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=2, use_bias=False), (None, 9, 9, 5)),
    (lambda: L.SeparableConv2D(7, 3), (None, 9, 9, 5)),
    (
        lambda: L.SeparableConv2D(7, 3, depth_multiplier=2, use_bias=False),
        (None, 9, 9, 5),
    ),
    (lambda: L.Conv2DTranspose(4, 3), (None, 9, 9, 6)),
    (lambda: L.Conv2DTranspose(4, (2, 3), use_bias=False), (None, 9, 9, 6)),
    (lambda: L.Dense(10), (None, 84)),
    (lambda: L.Dense(10, use_bias=False), (None, 5, 5, 16)),
    (lambda: L.BatchNormalization(), (None, 9, 9, 6)),
    (lambda: L.BatchNormalization(center=False), (None, 9, 9, 6)),
    (lambda: L.LayerNormalization(), (None, 9, 9, 6)),
    (lambda: L.LayerNormalization(axis=[1, 2, 3], center=False), (None, 4, 5, 6)),
    (lambda: L.Conv1D(4, 5), (None, 20, 3)),
    (lambda: L.MaxPooling2D(), (None, 8, 8, 3)),
    (lambda: L.Flatten(), (None, 8, 8, 3)),
]


@pytest.mark.parametrize("index", range(len(_PARAM_LAYERS)))
def test_count_params_formula_equals_keras(index):
    make, shape = _PARAM_LAYERS[index]
    layer = make()
    layer.build(shape)
    assert A.count_params(layer, input_shape=shape) == layer.count_params()


def test_count_params_reads_the_input_shape_of_a_called_layer():
    model = keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(64, 3)])
    assert A.count_params(model.layers[0]) == 3 * 3 * 3 * 64 + 64 == 1792


def test_batch_norm_has_two_trainable_parameters_per_channel():
    model = keras.Sequential([keras.Input((4, 4, 6)), L.BatchNormalization()])
    (_, row) = A.parameter_table(model)
    assert (row.params, row.trainable, row.non_trainable) == (24, 12, 12)


@pytest.mark.parametrize("name", ["vgg16", "resnet50", "mobilenet"])
def test_parameter_table_matches_keras_applications(name, request):
    model = request.getfixturevalue(name)
    rows = A.parameter_table(model)
    assert all(r.by_formula for r in rows)
    assert sum(r.params for r in rows) == model.count_params()
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    assert sum(r.trainable for r in rows) == trainable
    for r in rows:
        assert r.params == model.get_layer(r.name).count_params(), r.name


def test_mobilenet_parameters_match_howard_et_al(mobilenet):
    # The paper's 4.2 million counts convolution and classifier weights; Keras's
    # total also holds 4 batch-norm numbers per channel.
    rows = A.parameter_table(mobilenet)
    weights = sum(r.params for r in rows if r.layer_type != "BatchNormalization")
    assert abs(weights - 4.2e6) / 4.2e6 < 0.01


# ---------------------------------------------------------------------------
# Multiply-adds.
# ---------------------------------------------------------------------------


def test_count_macs_on_a_tiny_model_by_hand():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3),  # 6x6x4: 6*6 * 3*3 * 3 * 4 = 3888
            L.DepthwiseConv2D(3, padding="same", depth_multiplier=2),  # 6*6*9*4*2
            L.Conv2D(6, 1, groups=2),  # 6*6 * 1 * (8/2) * 6 = 864
            L.SeparableConv2D(5, 3, strides=2, padding="same"),  # 3*3*(9*6 + 6*5)
            L.Conv2D(2, 3, dilation_rate=2, padding="same"),  # 3*3 * 9 * 5 * 2
            L.Conv2DTranspose(3, 2, strides=2),  # 3*3 input units * 4 * 2 * 3
            L.MaxPooling2D(),
            L.BatchNormalization(),
            L.Flatten(),
            L.Dense(10),  # 27 * 10
        ]
    )
    rows, total = A.count_macs(model)
    expected = [3888, 2592, 864, 756, 810, 216, 0, 0, 0, 270]
    assert [r.macs for r in rows[-len(expected) :]] == expected
    assert total == sum(expected) == 9396
    dense = L.Dense(7)
    assert A.count_layer_macs(dense, (None, 6, 6, 4), (None, 6, 6, 7)) == 36 * 4 * 7


def test_mobilenet_macs_match_howard_et_al(mobilenet):
    _, total = A.count_macs(mobilenet)
    assert abs(total - 569e6) / 569e6 < 0.01  # 568.7 M counted


def test_vgg16_macs_match_he_et_al(vgg16):
    _, total = A.count_macs(vgg16)
    assert abs(total - 15.3e9) / 15.3e9 < 0.02  # 15.47 G counted (incl. FC)


def test_resnet50_macs_match_he_et_al(resnet50):
    rows, total = A.count_macs(resnet50)
    assert abs(total - 3.8e9) / 3.8e9 < 0.02  # 3.86 G counted
    assert rows[-1].macs == 2048 * 1000


# ---------------------------------------------------------------------------
# Errors state the rule, then what was received.
# ---------------------------------------------------------------------------


def _built(layer, shape):
    layer.build(shape)
    return layer


_ERRORS = [
    (lambda: A.conv_output_size(-1, 3), "positive integer.*Received: size=-1"),
    (lambda: A.conv_output_size(5, 0), "positive integer.*Received: kernel=0"),
    (lambda: A.conv_output_size(5, 3, stride=0), "positive.*Received: stride=0"),
    (lambda: A.conv_output_size(5, 3, dilation=0), "Received: dilation=0"),
    (lambda: A.conv_output_size(5, 7), "must fit in the padded input.*Received"),
    (lambda: A.conv_output_size(5, 3, padding=-1), "non-negative.*Received: padding"),
    (lambda: A.conv_output_size(5, 3, padding="half"), "'valid', 'same'.*Received"),
    (lambda: A.conv_output_size(5, 3, padding=(1, 2, 3)), "before, after.*Received"),
    (lambda: A.conv_output_size(5, 3, dilation=3), "must fit.*Received"),
    (lambda: A.pool_output_size(3, 4), "must fit.*Received"),
    (lambda: A.pool_output_size(3, 2, padding="bogus"), "must be.*Received"),
    (lambda: A.same_padding(0, 3), "positive integer.*Received: size=0"),
    (
        lambda: A.transposed_conv_output_size(3, 3, 2, output_padding=2),
        "strictly less than `stride`.*Received",
    ),
    (
        lambda: A.transposed_conv_output_size(3, 3, 2, output_padding=-1),
        "non-negative.*Received",
    ),
    (lambda: A.transposed_conv_output_size(3, 3, padding="full"), "Received"),
    (lambda: A.transposed_conv_output_size(1, 2, padding=2), "at least one.*Received"),
    (lambda: A.receptive_field_recurrence([(3, 1, 0, 1, 9)]), "1 to 4.*Received"),
    (lambda: A.receptive_field_recurrence([3]), "tuple.*Received"),
    (lambda: A.format_table([], style="html"), "markdown.*Received"),
    (lambda: A.conv2d(np.ones((5, 5)), np.ones((3, 3, 1, 1))), "shape.*Received"),
    (
        lambda: A.conv2d(np.ones((1, 5, 5, 4)), np.ones((3, 3, 3, 2)), groups=2),
        "groups.*Received",
    ),
    (lambda: A.conv2d_loops(np.ones((2, 2)), np.ones((3, 3))), "must fit.*Received"),
    (lambda: A.max_pool(np.ones((4, 4)), 2), "shape.*Received"),
    (lambda: A.avg_pool(np.ones((1, 4, 4, 1)), 2, stride=0), "positive.*Received"),
    (lambda: A.count_params(L.Dense(3)), "input shape.*Received"),
    (
        lambda: A.count_params(_built(L.Embedding(10, 3), (None, 4)), (None, 4)),
        "formulas for.*Received",
    ),
]


@pytest.mark.parametrize("index", range(len(_ERRORS)))
def test_bad_input_raises_value_error_with_rule_and_received(index):
    call, pattern = _ERRORS[index]
    with pytest.raises(ValueError, match=pattern):
        call()


def test_model_errors():
    with pytest.raises(ValueError, match="input shape.*Received"):
        A.receptive_field(keras.Sequential([L.Conv2D(1, 3)]))

    class Subclassed(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="Sequential or functional.*Received"):
        A.receptive_field(Subclassed())
    a, b = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
    with pytest.raises(ValueError, match="exactly one image input.*Received"):
        A.receptive_field(keras.Model([a, b], L.Add()([a, b])))
    up = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2DTranspose(1, 3, 2)])
    with pytest.raises(ValueError, match="not supported.*Received.*Conv2DTranspose"):
        A.receptive_field(up)
    model = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(1, 3, name="conv")])
    with pytest.raises(ValueError, match="Closest layer names: \\['conv'\\]"):
        A.receptive_field_of(model, "conv1")
    open_size = keras.Sequential([keras.Input((None, None, 1)), L.Conv2D(1, 3)])
    with pytest.raises(ValueError, match="fixed spatial sizes.*Received"):
        A.count_macs(open_size)
