"""The one module that knows the Keras backend; no other module imports one."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from course_lib import _backend

ROOT = Path(__file__).resolve().parent.parent
BACKEND_IMPORT = re.compile(r"^\s*(import|from)\s+(tensorflow|jax)\b", re.M)


def test_only_the_backend_module_imports_tensorflow_or_jax():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "course_lib").rglob("*.py")
        if path.name != "_backend.py" and BACKEND_IMPORT.search(path.read_text())
    ]
    assert not offenders, offenders
    for folder in ("benchmarks", "tools", "data_scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not BACKEND_IMPORT.search(path.read_text()), path


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="JAX is not installed here"
)
def test_the_library_imports_and_trains_on_jax_without_loading_tensorflow():
    code = (
        "import sys\n"
        "from course_lib import arithmetic, data, models, runtime, training\n"
        "import numpy as np\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.integers(0, 255, (64, 28, 28), dtype=np.uint8)\n"
        "y = np.arange(64) % 10\n"
        "data = ((x, y), (x[:16], y[:16]))\n"
        "_, result = training.train(models.build('lenet5'), 'lenet5_mnist',\n"
        "                           data=data, verbose='silent')\n"
        "assert result.backend == 'jax' and result.epochs_run == 1\n"
        "print('tensorflow' in sys.modules, runtime.backend())\n"
    )
    env = dict(os.environ, KERAS_BACKEND="jax", COURSE_MODE="smoke")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "jax"]


def test_name_version_and_devices():
    assert _backend.name() == keras.backend.backend()
    assert re.match(r"\d+\.\d+", _backend.version())
    kinds = [kind for kind, _, _ in _backend.list_devices()]
    assert "CPU" in kinds
    assert _backend._capability("8.6") == (8, 6)
    assert _backend._capability((9, 0)) == (9, 0)
    assert _backend._capability(None) is None


def test_input_gradient_of_a_known_function():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    grad = _backend.input_gradient(lambda t: keras.ops.sum(t * t), x)
    np.testing.assert_allclose(grad, 2 * x)
    conv = keras.layers.Conv2D(1, 3, use_bias=False, kernel_initializer="ones")
    image = np.zeros((1, 5, 5, 1), "float32")
    grad = _backend.input_gradient(lambda t: keras.ops.sum(conv(t)[0, 1, 1]), image)
    # The output unit at (1, 1) of a 3x3 valid convolution sees rows and columns 1..3.
    assert grad[0, :, :, 0].tolist() == [
        [0, 0, 0, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 1, 1, 1, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 0, 0, 0],
    ]


def test_replicas_of_the_strategy():
    strategy = _backend.distribution()
    assert _backend.replicas(strategy) >= 1


def test_split_cpu_after_start_needs_a_restart():
    keras.ops.convert_to_numpy(keras.ops.ones(2))  # the backend has started
    cpus = sum(kind == "CPU" for kind, _, _ in _backend.list_devices())
    strategy = _backend.cpu_distribution()
    count = _backend.replicas(strategy)
    _backend.split_cpu(count)  # what is already there: nothing to do
    with pytest.raises(RuntimeError, match="restart the kernel"):
        _backend.split_cpu(count + 1)
    assert cpus >= 1
    shapes = _backend.replica_batch_shapes(strategy, np.zeros((2 * count, 3)))
    assert [shape for _, shape in shapes] == [(2, 3)] * count
