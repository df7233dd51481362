"""course_lib.measure: latency, training throughput, sizes and the hardware record."""

import keras
import numpy as np
import pytest

from course_lib import measure


def tiny_model(input_shape=(8, 8, 3), classes=4):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="tiny")


def test_random_batch_fits_the_model():
    model = tiny_model(classes=4)
    x, y = measure.random_batch(model, 5, seed=1)
    assert x.shape == (5, 8, 8, 3) and x.dtype == np.float32
    assert y.shape == (5,) and y.min() >= 0 and y.max() < 4
    again, _ = measure.random_batch(model, 5, seed=1)
    np.testing.assert_array_equal(x, again)


def test_latency_is_a_positive_time():
    seconds = measure.latency(tiny_model(), batch_size=2, repeat=2)
    assert 0 < seconds < 10


def test_training_throughput_trains_and_counts_images():
    model = tiny_model()
    before = [w.copy() for w in model.get_weights()]
    result = measure.training_throughput(model, batch_size=4, steps=2, repeat=2)
    assert result.batch_size == 4 and result.steps == 2
    assert result.images_per_second == pytest.approx(4 / result.step_seconds)
    assert result.first_step_seconds > 0
    # Training steps ran: the weights moved.
    after = model.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))


def test_a_compiled_model_keeps_its_own_compile():
    model = tiny_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    optimizer = model.optimizer
    measure.training_throughput(model, batch_size=2, steps=1, repeat=1)
    assert model.optimizer is optimizer


def test_weight_bytes_at_32_and_16_bits():
    model = tiny_model()
    assert measure.weight_bytes(model) == 4 * model.count_params()
    assert measure.weight_bytes(model, bits=16) == 2 * model.count_params()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: measure.latency(m, batch_size=0), "batch_size must be an integer"),
        (lambda m: measure.latency(m, repeat=0), "repeat must be an integer"),
        (
            lambda m: measure.training_throughput(m, batch_size=2, steps=0),
            "steps must be an integer",
        ),
        (lambda m: measure.weight_bytes(m, bits=12), "bits must be 8, 16, 32 or 64"),
        (lambda m: measure.latency("vgg16"), "Expected a keras.Model"),
    ],
)
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(tiny_model())


def test_a_model_of_unknown_input_size_is_refused():
    with pytest.raises(ValueError, match="unknown size.*input_shape"):
        measure.latency(tiny_model(input_shape=(None, None, 3)))


def test_hardware_names_backend_and_versions():
    record = measure.hardware()
    assert record["backend"] == keras.backend.backend()
    assert record["keras_version"] == keras.__version__
    assert record["hardware"] and record["cpu_count"] >= 1


def test_without_warm_up_no_first_step_is_timed():
    model = tiny_model()
    measure.training_throughput(model, batch_size=2, steps=1, repeat=1)
    again = measure.training_throughput(
        model, batch_size=2, steps=1, repeat=1, warm_up=False
    )
    assert again.first_step_seconds is None and again.images_per_second > 0
