"""course_lib.startup: the first cell of every lesson loads Keras without TensorFlow's
C++ start-up log, hides only what is known to be informational, and never hides a
failure."""

import os
import subprocess
import sys

import pytest

from course_lib import startup

NOISY_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written "
    "to STDERR",
    "I0000 00:00:1795707851.948010    2671 port.cc:153] oneDNN custom operations are "
    "on. You may see slightly different numerical results",
    "I0000 00:00:1795707851.948408    2671 cudart_stub.cc:31] Could not find cuda "
    "drivers on your machine, GPU will not be used.",
    "E0000 00:00:1795707855.172068    2671 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
]


def test_known_start_up_lines_are_dropped_and_others_kept():
    other = "E0000 some_kernel.cc:12] Out of memory while trying to allocate"
    text = "\n".join([*NOISY_LINES, "", other])
    assert startup.unexpected_lines(text) == [other]


def _run(code, backend):
    env = {**os.environ, "KERAS_BACKEND": backend}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as in a learner's fresh kernel
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=True,
    )


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
    reason="the C++ start-up log is TensorFlow's",
)
def test_quiet_start_hides_tensorflows_start_up_log():
    use = "import keras; keras.ops.convert_to_numpy(keras.ops.ones(2))"
    loud = _run(use, "tensorflow").stderr
    if "oneDNN" not in loud and "cuInit" not in loud:
        pytest.skip("TensorFlow printed no start-up log here: nothing to hide")
    quiet = _run(
        f"from course_lib import startup; startup.quiet_start(); {use}", "tensorflow"
    )
    assert "oneDNN" not in quiet.stderr and "cuInit" not in quiet.stderr
    assert "absl::InitializeLog" not in quiet.stderr
    assert quiet.stdout == ""


def test_quiet_start_shows_everything_when_loading_fails(monkeypatch, capfd):
    def broken_import(*args, **kwargs):
        os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on\n")
        os.write(2, b"F0000 loader.cc:1] libsomething.so: cannot open shared object\n")
        raise ImportError("libsomething.so: cannot open shared object file")

    from course_lib import _backend

    monkeypatch.setattr(_backend, "list_devices", broken_import)
    with pytest.raises(ImportError, match="libsomething"):
        startup.quiet_start()
    err = capfd.readouterr().err
    assert "oneDNN" in err and "cannot open shared object" in err


def test_quiet_start_prints_unknown_lines_under_a_header(monkeypatch, capfd):
    def chatty():
        os.write(2, b"Could not find cuda drivers on your machine\n")
        os.write(2, b"W0000 plugin.cc:9] an unexpected plugin warning\n")
        return []

    from course_lib import _backend

    monkeypatch.setattr(_backend, "list_devices", chatty)
    startup.quiet_start()
    err = capfd.readouterr().err
    assert "an unexpected plugin warning" in err and "start-up" in err
    assert "cuda drivers" not in err


def test_cpu_devices_is_checked_and_the_flag_replaced(monkeypatch):
    with pytest.raises(ValueError, match="cpu_devices"):
        startup.quiet_start(cpu_devices=0)
    with pytest.raises(ValueError, match="cpu_devices"):
        startup.quiet_start(cpu_devices="4")
    monkeypatch.setenv(
        "XLA_FLAGS",
        "--xla_cpu_use_thunk_runtime=false " + startup.HOST_DEVICE_FLAG + "=2",
    )
    startup.request_cpu_devices(4)
    assert os.environ["XLA_FLAGS"].split() == [
        "--xla_cpu_use_thunk_runtime=false",
        f"{startup.HOST_DEVICE_FLAG}=4",
    ]


def test_quiet_start_splits_the_cpu_into_devices():
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    code = (
        "from course_lib import startup; startup.quiet_start(cpu_devices=3)\n"
        "from course_lib import runtime\n"
        "print(runtime.replicas(runtime.strategy()))\n"
    )
    env = {**os.environ, "KERAS_BACKEND": backend}
    env.pop("XLA_FLAGS", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "3"
