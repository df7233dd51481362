"""course_lib.training's tools of the early lessons: top-k error, accuracy on shifted
images (evaluation) and fit_classifier (loop).

(They lived in course_lib.experiments before it was split up.)
"""

import keras
import numpy as np
import pytest

from course_lib import training
from course_lib.training import evaluation, loop


def test_the_tools_are_exported_by_the_package():
    assert training.top_k_error is evaluation.top_k_error
    assert training.shift_accuracy is evaluation.shift_accuracy
    assert training.fit_classifier is loop.fit_classifier
    assert training.SHIFT_DIRECTIONS == ((1, 0), (-1, 0), (0, 1), (0, -1))


def test_top_k_error_matches_a_hand_count():
    scores = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]])
    y = np.array([2, 0, 0])
    assert training.top_k_error(y, scores, k=1) == pytest.approx(2 / 3)
    assert training.top_k_error(y, scores, k=2) == pytest.approx(1 / 3)
    assert training.top_k_error(y, scores, k=3) == 0.0
    with pytest.raises(ValueError):
        training.top_k_error(y, scores, k=4)
    with pytest.raises(ValueError):
        training.top_k_error(y[:2], scores, k=1)


def test_top_k_error_agrees_with_keras():
    rng = np.random.default_rng(0)
    scores = rng.random((64, 10)).astype("float32")
    y = rng.integers(0, 10, 64)
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=5)
    metric.update_state(y, scores)
    expected = 1 - float(metric.result())
    assert training.top_k_error(y, scores, k=5) == pytest.approx(expected, abs=1e-6)


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
    acc = training.shift_accuracy(CentrePixel(), images, labels, shifts=[0, 1, 3])
    assert acc.tolist() == [1.0, 0.0, 0.0]


def test_fit_classifier_learns_a_separable_problem():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    history = training.fit_classifier(
        model, x, y, epochs=20, learning_rate=0.05, validation_data=(x, y)
    )
    assert history.history["val_accuracy"][-1] > 0.95
