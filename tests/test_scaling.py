"""course_lib.scaling: memory computed from shapes equals memory measured on tensors,
the dtype policy is restored, batch and learning-rate arithmetic, one step on one
device, and a clear ValueError for every bad argument."""

import keras
import numpy as np
import pytest

from course_lib import measure, scaling


def tiny(**kwargs):
    return scaling.small_convnet(input_shape=(8, 8, 3), width=4, **kwargs)


def test_dtype_policy_is_restored_and_checked():
    before = keras.mixed_precision.global_policy().name
    with scaling.dtype_policy("mixed_float16"):
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        model = tiny()
    assert keras.mixed_precision.global_policy().name == before
    assert model.get_layer("stage1_conv1").compute_dtype == "float16"
    assert model.get_layer("predictions").compute_dtype == "float32"
    with pytest.raises(ValueError, match="policy"):
        with scaling.dtype_policy("float8"):
            pass


def test_small_convnet_with_and_without_batch_norm():
    assert scaling.small_convnet(width=16).count_params() == 17_274
    plain = tiny(batch_norm=False)
    assert not any(
        isinstance(layer, keras.layers.BatchNormalization) for layer in plain.layers
    )
    with pytest.raises(ValueError, match="batch_norm"):
        tiny(batch_norm="yes")
    with pytest.raises(ValueError, match="width"):
        scaling.small_convnet(width=0)


def test_activation_bytes_computed_equal_measured_and_halve():
    x = np.random.default_rng(0).random((2, 8, 8, 3), dtype="float32")
    full = tiny()
    computed = scaling.activation_bytes(full, 2)
    assert computed == scaling.activation_bytes(full, 2, bits=32)
    assert scaling.activation_bytes(full, 2, bits=16) * 2 == computed
    assert scaling.measured_activation_bytes(full, x) == computed
    rows = scaling.activation_rows(full, 2)
    assert rows[0].name == "stage1_conv1" and rows[0].shape == (2, 8, 8, 4)
    assert rows[0].bytes == 2 * 8 * 8 * 4 * 4
    with scaling.dtype_policy("mixed_float16"):
        mixed = tiny()
    measured = scaling.measured_activation_bytes(mixed, x)
    assert measured == scaling.activation_bytes(mixed, 2)
    # Everything halves but the float32 softmax output (2 x 10 numbers).
    assert measured == computed // 2 + 2 * 10 * 2
    assert scaling.variable_bytes(mixed) == scaling.variable_bytes(full)
    assert list(scaling.variable_bytes(mixed)) == ["float32"]
    assert sum(scaling.variable_bytes(full).values()) == measure.weight_bytes(full)


def test_activation_arguments_are_checked():
    with pytest.raises(ValueError, match="bits"):
        scaling.activation_bytes(tiny(), 2, bits=12)
    with pytest.raises(ValueError, match="batch_size"):
        scaling.activation_bytes(tiny(), 0)
    with pytest.raises(ValueError, match="keras.Model"):
        scaling.activation_bytes("resnet20", 2)
    with pytest.raises(ValueError, match="input_shape"):
        scaling.activation_bytes(scaling.small_convnet(input_shape=(None, None, 3)), 2)


def test_batch_and_learning_rate_arithmetic():
    assert scaling.global_batch_size(32, 8) == 256
    assert scaling.per_replica_batch_size(256, 8) == 32
    assert scaling.replicas_needed(1000, 128) == 8
    assert scaling.replicas_needed(1024, 128) == 8
    assert scaling.scaled_learning_rate(0.1, base_batch=256, batch=8192) == 3.2
    rates = scaling.warmup_learning_rates(1.0, warmup_steps=4, steps=6)
    np.testing.assert_allclose(rates, [0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0])
    with pytest.raises(ValueError, match="multiple of the replicas.*use 258"):
        scaling.per_replica_batch_size(257, 3)
    with pytest.raises(ValueError, match="replicas"):
        scaling.global_batch_size(32, 0)
    with pytest.raises(ValueError, match="base_lr"):
        scaling.scaled_learning_rate(-0.1, base_batch=256, batch=512)
    with pytest.raises(ValueError, match="warmup_steps"):
        scaling.warmup_learning_rates(1.0, warmup_steps=0, steps=5)


def test_pipeline_images_per_second_counts_images():
    batches = [(np.zeros((4, 2)), np.zeros(4))] * 3
    assert scaling.pipeline_images_per_second(batches, count=5, warmup=1) > 0
    with pytest.raises(ValueError, match="count"):
        scaling.pipeline_images_per_second(batches, count=0)
    with pytest.raises(ValueError, match="empty"):
        scaling.pipeline_images_per_second([], count=1)


def test_time_training_measures_and_checks():
    result = scaling.time_training(
        tiny, policy="mixed_float16", batch_size=4, steps=1, repeat=1
    )
    assert result.batch_size == 4 and result.images_per_second > 0
    with pytest.raises(ValueError, match="jit_compile"):
        scaling.time_training(tiny, jit_compile="yes")
    with pytest.raises(ValueError, match="build"):
        scaling.time_training(tiny(), batch_size=4)


def test_one_step_on_one_replica_is_plain_sgd():
    rng = np.random.default_rng(0)
    x = rng.random((8, 8, 8, 3), dtype="float32")
    y = np.arange(8) % 10

    def build():
        keras.utils.set_random_seed(0)
        return tiny(batch_norm=False)

    start = build().get_weights()
    loss, after = scaling.one_step(build, x, y, weights=start, learning_rate=0.1)
    strategy = scaling.cpu_strategy()
    shapes = scaling.replica_batch_shapes(strategy, x)
    assert [shape for _, shape in shapes][0][0] * len(shapes) == 8
    loss2, after2 = scaling.one_step(build, x, y, weights=start, strategy=strategy)
    assert np.isclose(loss, loss2, atol=1e-5)
    for a, b in zip(after, after2, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert any(np.abs(a - s).max() > 0 for a, s in zip(after, start, strict=True))
    with pytest.raises(ValueError, match="learning_rate"):
        scaling.one_step(build, x, y, weights=start, learning_rate=0)
    with pytest.raises(ValueError, match="at least one image"):
        scaling.replica_batch_shapes(strategy, np.zeros((0, 2)))


def test_results_table_of_a_record():
    row = dict(images_per_second=100.0, step_seconds=0.32, first_step_seconds=2.0)
    record = {
        "models": {
            "net": {
                "training": [
                    {"policy": "float32", "jit_compile": True, **row},
                    {
                        "policy": "mixed_float16",
                        "jit_compile": True,
                        **row,
                        "images_per_second": 250.0,
                    },
                ]
            }
        }
    }
    table = scaling.results_table(record)
    assert "| net | mixed_float16 | True | 250 | 320.0 | 2.0 | 2.50x |" in table
    with pytest.raises(ValueError, match="benchmarks/scaling.py"):
        scaling.results_table({"hardware": "cpu"})
