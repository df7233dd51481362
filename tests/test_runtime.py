"""course_lib.runtime: modes, seeds, devices, strategy, mixed precision, doctor."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_lib import runtime


def test_mode_defaults_to_full(monkeypatch):
    monkeypatch.delenv("COURSE_MODE", raising=False)
    assert runtime.mode() == "full" and not runtime.is_smoke()


@pytest.mark.parametrize(
    "value, expected", [("smoke", "smoke"), (" SMOKE ", "smoke"), ("full", "full")]
)
def test_mode_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_MODE", value)
    assert runtime.mode() == expected


def test_unknown_mode_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "fast")
    with pytest.raises(runtime.ModeError) as err:
        runtime.mode()
    message = str(err.value)
    assert (
        "smoke, full" in message
        and "'fast'" in message
        and "export COURSE_MODE" in message
    )


def test_pick_follows_the_mode(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "smoke")
    assert runtime.pick(smoke=1, full=30) == 1
    monkeypatch.setenv("COURSE_MODE", "full")
    assert runtime.pick(smoke=1, full=30) == 30


def test_set_seed_makes_keras_reproducible():
    import keras

    runtime.set_seed(7)
    a = keras.random.normal((3,)), np.random.rand()
    runtime.set_seed(7)
    b = keras.random.normal((3,)), np.random.rand()
    np.testing.assert_array_equal(np.asarray(a[0]), np.asarray(b[0]))
    assert a[1] == b[1]
    with pytest.raises(ValueError, match="non-negative int"):
        runtime.set_seed(-1)


def test_devices_and_summary_name_the_cpu():
    devs = runtime.devices()
    assert any(d.kind == "CPU" for d in devs)
    summary = runtime.device_summary()
    assert summary.startswith(("CPU only:", "GPU:", "TPU:"))


def test_strategy_matches_the_hardware():
    strategy = runtime.strategy()
    accelerators = [d for d in runtime.devices() if d.kind in ("GPU", "TPU")]
    assert runtime.replicas(strategy) == max(1, len(accelerators))
    # Both backends' strategies build and train a model inside scope().
    with strategy.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), epochs=1, verbose=0)
    if runtime.backend() == "tensorflow":
        import tensorflow as tf

        expected = (
            tf.distribute.MirroredStrategy
            if len(accelerators) > 1
            else tf.distribute.OneDeviceStrategy
        )
        assert isinstance(strategy, expected)
    else:
        assert isinstance(strategy, keras.distribution.DataParallel)


def test_mixed_precision_switch(monkeypatch):
    import keras

    try:
        monkeypatch.setattr(runtime, "mixed_precision_helps", lambda: False)
        assert runtime.use_mixed_precision() == "float32"
        monkeypatch.setattr(runtime, "mixed_precision_helps", lambda: True)
        assert runtime.use_mixed_precision() == "mixed_float16"
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        assert runtime.use_mixed_precision(False) == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_mixed_precision_helps_only_on_recent_gpus(monkeypatch):
    cpu = runtime.Device("CPU", "x")
    monkeypatch.setattr(
        runtime, "devices", lambda: [cpu, runtime.Device("GPU", "K80", (3, 7))]
    )
    assert not runtime.mixed_precision_helps()
    monkeypatch.setattr(
        runtime, "devices", lambda: [cpu, runtime.Device("GPU", "T4", (7, 5))]
    )
    assert runtime.mixed_precision_helps()


def test_pinned_versions_reads_requirements(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text(
        "# c\ntensorflow==2.21.0\nKeras == 3.15.1  # pinned\nnumpy>=1\n"
        "scikit_learn==1.9.1\n"
    )
    assert runtime.pinned_versions(req) == {
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "scikit-learn": "1.9.1",
    }


def test_doctor_reports_versions_devices_and_mode(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MODE", "smoke")
    report = runtime.doctor()
    text = capsys.readouterr().out
    assert report.mode == "smoke" and "mode          smoke" in text
    assert report.packages["keras"][0] is not None and "keras" in text
    assert report.backend.split()[0] == keras.backend.backend()
    assert report.backend.split()[1][0].isdigit()  # the backend's version
    assert report.packages["keras"][1] == runtime.pinned_versions()["keras"]


def test_doctor_advises_enabling_a_gpu_in_colab(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "full")
    monkeypatch.setattr(runtime, "in_colab", lambda: True)
    monkeypatch.setattr(runtime, "devices", lambda: [runtime.Device("CPU", "x")])
    report = runtime.doctor(print_report=False)
    assert not report.ok
    assert any("Change runtime type" in a for a in report.advice)


def test_doctor_flags_a_bad_mode_and_a_missing_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_MODE", "quick")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    report = runtime.doctor(print_report=False)
    assert report.mode == "invalid"
    assert any("COURSE_MODE must be one of" in a for a in report.advice)
    assert any("is not a folder" in a for a in report.advice)
