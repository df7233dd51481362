"""Tests of course_lib.data.pipelines: the NumPy engine (every backend), the tf.data
engine (TensorFlow only), and that both give the same batches."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_lib import data
from course_lib.data import ArrayBatches, first_batch, pipeline

RNG = np.random.default_rng(7)
ON_TF = keras.backend.backend() == "tensorflow"
needs_tf = pytest.mark.skipif(
    not ON_TF,
    reason=f"the tf.data engine needs TensorFlow; Keras runs on "
    f"{keras.backend.backend()}",
)
ENGINES = ["numpy", pytest.param("tf.data", marks=needs_tf)]


def images(n=10, size=28, channels=None, low=0):
    shape = (n, size, size) if channels is None else (n, size, size, channels)
    return RNG.integers(low, 256, shape).astype(np.uint8)


def all_batches(ds) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(np.asarray(x), np.asarray(y)) for x, y in ds]
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def crop_offsets(out: np.ndarray, src: np.ndarray, pad: int = 4) -> set[tuple]:
    """Every (dy, dx, flipped) such that ``out`` is a window of ``src`` padded with
    ``pad`` zeros (flipped left-right when ``flipped``)."""
    height, width = src.shape[:2]
    padded = np.pad(src, ((pad, pad), (pad, pad), (0, 0)))
    found = set()
    for flipped, candidate in ((False, padded), (True, padded[:, ::-1])):
        for top in range(2 * pad + 1):
            for left in range(2 * pad + 1):
                window = candidate[top : top + height, left : left + width]
                if np.array_equal(window, out):
                    found.add((top - pad, left - pad, flipped))
    return found


# --------------------------------------------------------------------------------------
# Shapes, order, normalisation (both engines)
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_shapes_order_and_unit_scaling(engine):
    x, y = images(10), np.arange(10)
    ds = pipeline(x, y, batch_size=4, normalization="unit", pad_to=32, engine=engine)
    assert [np.asarray(b[0]).shape[0] for b in ds] == [4, 4, 2]
    out, labels = all_batches(ds)
    assert out.shape == (10, 32, 32, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[:, 2:30, 2:30, 0], x / 255, rtol=1e-6)
    assert np.all(out[:, :2] == 0)
    assert labels.tolist() == y.tolist() and labels.dtype == np.int32


@pytest.mark.parametrize("engine", ENGINES)
def test_named_and_explicit_statistics_agree(engine):
    x = images(6, 32, 3)
    named, _ = first_batch(
        pipeline(x, np.zeros(6), normalization="cifar10", engine=engine)
    )
    pair = (data.MEAN["cifar10"], data.STD["cifar10"])
    explicit, _ = first_batch(
        pipeline(x, np.zeros(6), normalization=pair, engine=engine)
    )
    expected = (x / 255 - np.array(data.MEAN["cifar10"])) / np.array(
        data.STD["cifar10"]
    )
    np.testing.assert_allclose(named, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(named, explicit)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_normalisation_function_gets_float_images_in_0_255(engine):
    x = images(5, 8, 2)
    seen = []

    def to_minus_one_one(batch):
        seen.append((batch.dtype, float(batch.max())))
        return batch / 127.5 - 1.0

    out, _ = first_batch(
        pipeline(x, np.zeros(5), normalization=to_minus_one_one, engine=engine)
    )
    np.testing.assert_allclose(out, x / 127.5 - 1.0, rtol=1e-6, atol=1e-6)
    assert out.dtype == np.float32
    assert all(dtype == np.float32 and top > 1 for dtype, top in seen)


@pytest.mark.parametrize("engine", ENGINES)
def test_none_leaves_float_values_in_0_255(engine):
    x = images(3, 8, 3)
    out, _ = first_batch(pipeline(x, np.zeros(3), normalization=None, engine=engine))
    np.testing.assert_array_equal(out, x.astype(np.float32))


@pytest.mark.parametrize("engine", ENGINES)
def test_one_hot_labels(engine):
    y = np.array([3, 0, 9, 1])
    _, labels = first_batch(pipeline(images(4), y, num_classes=10, engine=engine))
    assert labels.shape == (4, 10) and labels.dtype == np.float32
    np.testing.assert_array_equal(labels, np.eye(10, dtype=np.float32)[y])


@pytest.mark.parametrize("engine", ENGINES)
def test_keras_datasets_style_labels_are_accepted(engine):
    _, labels = first_batch(pipeline(images(4), np.arange(4)[:, None], engine=engine))
    assert labels.tolist() == [0, 1, 2, 3]


def test_auto_picks_tf_data_on_tensorflow_and_numpy_elsewhere():
    ds = pipeline(images(4), np.arange(4))
    assert isinstance(ds, ArrayBatches) is (not ON_TF)


@needs_tf
@pytest.mark.parametrize(
    "normalization",
    [None, "unit", "cifar10", ((0.5, 0.4, 0.3), (0.2, 0.25, 0.3)), lambda a: a / 9.0],
)
def test_without_augmentation_numpy_equals_tf_data_exactly(normalization):
    x, y = images(37, 32, 3), RNG.integers(0, 10, 37)
    kwargs = dict(batch_size=8, normalization=normalization, num_classes=10)
    a_images, a_labels = all_batches(pipeline(x, y, engine="numpy", **kwargs))
    b_images, b_labels = all_batches(pipeline(x, y, engine="tf.data", **kwargs))
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_labels, b_labels)


# --------------------------------------------------------------------------------------
# Augmentation: per image, a crop within +-4 pixels and an exact mirror
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_each_image_of_a_batch_gets_its_own_crop_and_flip(engine):
    one = images(1, 32, 3, low=1)  # no zero pixel: zeros in a crop are padding
    x = np.repeat(one, 64, axis=0)
    ds = pipeline(x, np.zeros(64), batch_size=64, training=True, augment=True,
                  normalization=None, seed=3, engine=engine)  # fmt: skip
    out, _ = first_batch(ds)
    out = out.astype(np.uint8)
    distinct = {o.tobytes() for o in out}
    assert len(distinct) >= 30  # 162 possible (9 x 9 offsets, 2 flips)
    offsets = set()
    for o in out:
        found = crop_offsets(o, one[0])
        assert found, "an output is not a crop of the padded (flipped) image"
        offsets |= found
    assert {flipped for _, _, flipped in offsets} == {False, True}
    assert {dy for dy, _, _ in offsets} - {0} and {dx for _, dx, _ in offsets} - {0}


def test_numpy_crops_cover_every_offset_and_flip_exactly_mirrors():
    src = images(1, 12, 2, low=1)
    x = np.repeat(src, 2000, axis=0)
    ds = ArrayBatches(x, np.zeros(2000), batch_size=2000, training=True, augment=True,
                      normalization=None, seed=0)  # fmt: skip
    out = ds[0][0].astype(np.uint8)
    seen = set()
    for o in out[:400]:
        (offset,) = crop_offsets(o, src[0])  # exactly one way to make each output
        seen.add(offset)
    assert {(dy, dx) for dy, dx, _ in seen} <= {
        (dy, dx) for dy in range(-4, 5) for dx in range(-4, 5)
    }
    assert len(seen) > 100  # most of the 162 combinations appear
    centred = [o for o in out if np.array_equal(o, src[0])]
    mirrored = [o for o in out if np.array_equal(o, src[0][:, ::-1])]
    assert centred and mirrored  # offset 0: the image itself, or its exact mirror


def test_augmentation_only_when_training():
    x = images(8, 16, 3)
    out, _ = first_batch(
        ArrayBatches(x, np.zeros(8), augment=True, normalization=None, seed=1)
    )
    np.testing.assert_array_equal(out, x.astype(np.float32))


def test_augmented_batches_are_reproducible_with_a_seed():
    x = images(50, 16, 3)
    make = lambda seed: ArrayBatches(  # noqa: E731
        x, np.arange(50), batch_size=16, training=True, augment=True, seed=seed
    )
    a, b, c = make(5), make(5), make(6)
    for i in range(len(a)):
        np.testing.assert_array_equal(a[i][0], b[i][0])
        np.testing.assert_array_equal(a[i][1], b[i][1])
    assert not np.array_equal(a[0][0], c[0][0])
    np.testing.assert_array_equal(
        a[1][0], a[1][0]
    )  # a batch does not change on re-read


# --------------------------------------------------------------------------------------
# Shuffling
# --------------------------------------------------------------------------------------
def epoch_labels(ds) -> list[int]:
    return [int(v) for _, labels in ds for v in np.asarray(labels)]


def test_shuffling_differs_between_epochs_and_is_reproducible():
    x, y = images(40, 8), np.arange(40)
    a = ArrayBatches(x, y, batch_size=16, training=True, seed=11)
    b = ArrayBatches(x, y, batch_size=16, training=True, seed=11)
    first, second = epoch_labels(a), epoch_labels(a)  # a full loop ends an epoch
    assert sorted(first) == sorted(second) == list(range(40))
    assert first != second and first != list(range(40))
    assert epoch_labels(b) == first and epoch_labels(b) == second
    assert a.epoch == 2
    other = ArrayBatches(x, y, batch_size=16, training=True, seed=12)
    assert epoch_labels(other) != first


def test_keras_ends_epochs_and_reshuffles_during_fit():
    x, y = images(48, 4), np.arange(48) % 3
    ds = ArrayBatches(x, y, batch_size=16, training=True, seed=0)
    order = epoch_labels(ds)
    model = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2
    assert ds.epoch >= 3 and epoch_labels(ds) != order


def test_fit_takes_one_hot_labels_with_label_smoothing():
    x, y = images(32, 4), np.arange(32) % 4
    ds = pipeline(x, y, batch_size=8, training=True, num_classes=4, seed=0,
                  engine="numpy")  # fmt: skip
    model = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(4)]
    )
    loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    model.compile("sgd", loss)
    assert np.isfinite(model.fit(ds, epochs=1, verbose=0).history["loss"][0])


@needs_tf
def test_tf_data_shuffles_every_epoch_reproducibly():
    x, y = images(40, 8), np.arange(40)
    a = pipeline(x, y, batch_size=16, training=True, seed=11, engine="tf.data")
    first, second = epoch_labels(a), epoch_labels(a)
    assert sorted(first) == list(range(40)) and first != second


def test_evaluation_order_is_kept_and_epochs_do_not_reshuffle():
    ds = ArrayBatches(images(20, 4), np.arange(20), batch_size=6)
    assert epoch_labels(ds) == list(range(20)) == epoch_labels(ds)


def test_plain_iteration_and_indexing():
    ds = ArrayBatches(images(10, 4), np.arange(10), batch_size=4)
    assert len(ds) == 3
    x0, y0 = next(iter(ds))
    assert isinstance(x0, np.ndarray) and y0.tolist() == [0, 1, 2, 3]
    assert ds[2][1].tolist() == [8, 9]
    with pytest.raises(IndexError, match="3 batches"):
        ds[3]


def test_first_batch_returns_numpy_for_both_engines_and_plain_iterables():
    x, y = images(6, 4), np.arange(6)
    out, labels = first_batch(ArrayBatches(x, y, batch_size=4))
    assert isinstance(out, np.ndarray) and labels.tolist() == [0, 1, 2, 3]
    out, labels = first_batch([(x[:2], y[:2])])
    assert out.shape == (2, 4, 4) and labels.tolist() == [0, 1]
    with pytest.raises(ValueError, match="first_batch"):
        first_batch([x])


# --------------------------------------------------------------------------------------
# Bad arguments
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"normalization": "imagenet"}, "normalization must be"),
        ({"normalization": "cifar"}, "did you mean 'cifar10'"),
        ({"normalization": "cifar10"}, "channel"),
        ({"normalization": ((0.5, 0.5), (0.2, 0.2))}, "one value per channel"),
        ({"normalization": ((0.5,), (0.0,))}, "std must be positive"),
        ({"normalization": 3}, "normalization must be"),
        ({"normalization": lambda a: a[..., 0]}, "of the shape it was given"),
        ({"normalization": lambda a: 1 / 0}, "function failed"),
        ({"pad_to": 31}, "pad_to"),
        ({"pad_to": 32.0}, "pad_to must be an integer"),
        ({"batch_size": 0}, "batch_size"),
        ({"training": "yes"}, "training"),
        ({"num_classes": 3}, r"0\.\.2"),
        ({"seed": 1.5}, "seed"),
        ({"seed": -1}, "non-negative"),
        ({"engine": "torch"}, "engine"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_bad_arguments_are_clear_errors(kwargs, match, engine):
    x, y = np.zeros((4, 28, 28), np.uint8), np.arange(4)
    kwargs = {"engine": engine, **kwargs}
    with pytest.raises(ValueError, match=match) as err:
        pipeline(x, y, **kwargs)
    assert "Received" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_bad_inputs_are_clear_errors(engine):
    with pytest.raises(ValueError, match="uint8"):
        pipeline(np.zeros((4, 28, 28), np.float32), np.zeros(4), engine=engine)
    with pytest.raises(ValueError, match=r"labels \(N,\)"):
        pipeline(np.zeros((4, 28, 28), np.uint8), np.zeros(3), engine=engine)
    with pytest.raises(ValueError, match=r"labels \(N,\)"):
        pipeline(np.zeros((4, 28), np.uint8), np.zeros(4), engine=engine)


@pytest.mark.skipif(ON_TF, reason="checks the refusal on a backend without TensorFlow")
def test_tf_data_engine_is_refused_without_tensorflow():
    with pytest.raises(ValueError, match="needs the TensorFlow backend"):
        pipeline(np.zeros((4, 28, 28), np.uint8), np.zeros(4), engine="tf.data")


@pytest.mark.parametrize("engine", ENGINES)
def test_drop_remainder_leaves_out_the_last_smaller_batch(engine):
    x, y = images(10), np.arange(10)
    kept = data.pipeline(x, y, batch_size=4, training=True, engine=engine, seed=0)
    dropped = data.pipeline(
        x, y, batch_size=4, training=True, drop_remainder=True, engine=engine, seed=0
    )
    assert [len(b) for b in all_batches_sizes(kept)] == [4, 4, 2]
    assert [len(b) for b in all_batches_sizes(dropped)] == [4, 4]
    # With fewer images than one batch, the one small batch is kept.
    few = data.pipeline(x[:3], y[:3], batch_size=4, drop_remainder=True, engine=engine)
    assert [len(b) for b in all_batches_sizes(few)] == [3]


def all_batches_sizes(ds):
    """The labels of each batch of one pass, to count batch sizes."""
    return [np.asarray(labels) for _, labels in ds]
