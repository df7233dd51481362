"""course_lib.experiments: shifts, top-k error, timing and measured receptive fields."""

import numpy as np
import pytest

from course_lib import arithmetic, experiments


def test_shift_images_moves_content_and_fills_with_zeros():
    image = np.arange(1, 17).reshape(4, 4)
    right = experiments.shift_images(image, dx=1)
    assert right[:, 0].tolist() == [0, 0, 0, 0]
    assert np.array_equal(right[:, 1:], image[:, :-1])
    up = experiments.shift_images(image[None, ..., None], dy=-2)[0, ..., 0]
    assert np.array_equal(up[:2], image[2:]) and not up[2:].any()
    assert not experiments.shift_images(image, dx=5).any()
    assert np.array_equal(experiments.shift_images(image), image)
    batch = np.ones((3, 5, 5, 2), np.uint8)
    out = experiments.shift_images(batch, dx=-1, dy=1)
    assert out.dtype == np.uint8 and out.shape == batch.shape
    assert out.sum() == 3 * 4 * 4 * 2


def test_shift_images_rejects_bad_shapes():
    with pytest.raises(ValueError, match="Received: shape"):
        experiments.shift_images(np.zeros(5))


def test_top_k_error_matches_a_hand_count():
    scores = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]])
    y = np.array([2, 0, 0])
    assert experiments.top_k_error(y, scores, k=1) == pytest.approx(2 / 3)
    assert experiments.top_k_error(y, scores, k=2) == pytest.approx(1 / 3)
    assert experiments.top_k_error(y, scores, k=3) == 0.0
    with pytest.raises(ValueError):
        experiments.top_k_error(y, scores, k=4)
    with pytest.raises(ValueError):
        experiments.top_k_error(y[:2], scores, k=1)


def test_top_k_error_agrees_with_keras():
    import keras

    rng = np.random.default_rng(0)
    scores = rng.random((64, 10)).astype("float32")
    y = rng.integers(0, 10, 64)
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=5)
    metric.update_state(y, scores)
    expected = 1 - float(metric.result())
    assert experiments.top_k_error(y, scores, k=5) == pytest.approx(expected, abs=1e-6)


def test_best_time_returns_the_minimum():
    calls = []
    seconds = experiments.best_time(lambda: calls.append(1), repeat=4)
    assert len(calls) == 4 and seconds >= 0
    with pytest.raises(ValueError):
        experiments.best_time(lambda: None, repeat=0)


def test_mask_extent_and_mass_extent():
    mask = np.zeros((9, 9), bool)
    mask[2:5, 3:8] = True
    assert experiments.mask_extent(mask) == (3, 5)
    assert experiments.mask_extent(np.zeros((3, 3), bool)) == (0, 0)
    heat = np.zeros((9, 9))
    heat[4, 4] = 0.5
    heat[3:6, 3:6] += 0.5 / 9
    assert experiments.mass_extent(heat, 0.5) == 1
    assert experiments.mass_extent(heat, 1.0) == 3
    with pytest.raises(ValueError):
        experiments.mass_extent(-heat)


def _stack(spec, size=48):
    import keras

    inputs = keras.Input((size, size, 1))
    x = inputs
    for kind, k, s in spec:
        if kind == "conv":
            conv = keras.layers.Conv2D(4, k, strides=s, padding="same")
            x = keras.layers.ReLU()(conv(x))
        else:
            x = keras.layers.MaxPooling2D(k, strides=s)(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize(
    "spec",
    [
        [("conv", 3, 1)] * 3,
        [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("conv", 5, 1)],
        [("conv", 5, 2), ("conv", 3, 1), ("pool", 3, 2), ("conv", 3, 1)],
    ],
)
def test_gradient_receptive_field_matches_the_recurrence(spec):
    import keras

    keras.utils.set_random_seed(0)
    model = _stack(spec)
    mask = experiments.gradient_receptive_field(model, n_samples=4)
    computed = arithmetic.receptive_field(model)[-1].receptive_field
    assert experiments.mask_extent(mask) == computed


def test_effective_receptive_field_is_a_normalised_centred_map():
    import keras

    keras.utils.set_random_seed(0)
    model = _stack([("conv", 3, 1)] * 4, size=21)
    inputs = np.random.default_rng(0).standard_normal((8, 21, 21, 1)).astype("float32")
    heat = experiments.effective_receptive_field(model, inputs, batch_size=3)
    assert heat.shape == (21, 21)
    assert heat.sum() == pytest.approx(1.0)
    peak = np.unravel_index(heat.argmax(), heat.shape)
    assert 9 <= peak[0] <= 11 and 9 <= peak[1] <= 11
    outside = np.ones((21, 21), bool)
    outside[6:15, 6:15] = False  # the 9x9 theoretical field around the centre
    assert heat[outside].sum() == 0


def test_receptive_field_helpers_need_a_feature_map():
    import keras

    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    with pytest.raises(ValueError, match="feature map"):
        experiments.gradient_receptive_field(model, n_samples=1)


def test_ox_shapes_are_balanced_reproducible_and_drawn_where_expected():
    images, labels = experiments.ox_shapes(40, seed=3, noise=0.0)
    again, _ = experiments.ox_shapes(40, seed=3, noise=0.0)
    assert images.shape == (40, 16, 16) and images.dtype == np.float32
    assert np.array_equal(images, again)
    assert np.bincount(labels).tolist() == [10] * len(experiments.OX_SHAPES)
    down = images[labels == experiments.OX_SHAPES.index("\\")]
    up = images[labels == experiments.OX_SHAPES.index("/")]
    # "\" lies on a falling diagonal: its pixels satisfy row - col = constant.
    for image in down:
        rows, cols = np.nonzero(image)
        assert len(set(rows - cols)) == 1
    for image in up:
        rows, cols = np.nonzero(image)
        assert len(set(rows + cols)) == 1
    with pytest.raises(ValueError):
        experiments.ox_shapes(4, size=8)


def test_shift_accuracy_of_a_model_that_reads_one_pixel():
    """A 'model' that predicts class 1 when the centre pixel is lit: shifting the lit
    pixel away makes every prediction class 0."""

    class CentrePixel:
        def predict(self, batch, batch_size=None, verbose=0):
            lit = batch[:, 2, 2] > 0
            return np.stack([~lit, lit], axis=1).astype(float)

    images = np.zeros((6, 5, 5))
    images[:, 2, 2] = 1
    labels = np.ones(6, int)
    acc = experiments.shift_accuracy(CentrePixel(), images, labels, shifts=[0, 1, 3])
    assert acc.tolist() == [1.0, 0.0, 0.0]


def test_fit_classifier_learns_a_separable_problem():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    history = experiments.fit_classifier(model, x, y, epochs=20, learning_rate=0.05,
                                         validation_data=(x, y))
    assert history.history["val_accuracy"][-1] > 0.95
