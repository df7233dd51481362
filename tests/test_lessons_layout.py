"""Every lesson follows the course's layout: stored without outputs, the same Colab
set-up cell, a header with objectives, hidden test cells for its exercises, learner
copies without them, and code that runs on any Keras backend."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]*_*.ipynb"))
SETUP_URL = "git+https://github.com/keras-cnn-course/cnn-course"
# What ties code to one backend. Lessons use Keras, keras.ops, NumPy and course_lib
# (whose _backend module holds everything backend-specific).
BACKEND_SPECIFIC = {
    "import tensorflow": re.compile(r"\b(import|from)\s+tensorflow\b"),
    "tf.": re.compile(r"\btf\."),
    "import jax": re.compile(r"\b(import|from)\s+jax\b"),
    "jax.": re.compile(r"\bjax\."),
    ".numpy()": re.compile(r"\.numpy\(\)"),
}


def load_tool():
    tool = ROOT / "tools" / "strip_hidden_tests.py"
    spec = importlib.util.spec_from_file_location("strip", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_layout(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    stored = [
        c
        for c in code
        if c.outputs and "nbval-check-output" not in c.metadata.get("tags", [])
    ]
    assert not stored, f"{path.name}: commit without outputs"
    header = nb.cells[0].source
    assert header.startswith(f"# {path.name.split('_')[0]} ") and "Objectives" in header
    assert "colab.research.google.com" in header
    assert 'if "google.colab" in sys.modules' in code[0].source
    assert SETUP_URL in code[0].source
    # Before anything imports Keras: TensorFlow's C++ start-up log stays out of sight.
    # (Lesson 13 passes cpu_devices=4: the CPU split into devices, set before start.)
    assert re.search(r"startup\.quiet_start\([\w=, ]*\)$", code[0].source.rstrip())
    hidden = [c for c in code if "hidden-test" in c.metadata.get("tags", [])]
    assert len(hidden) >= 3, f"{path.name}: each exercise needs a hidden test cell"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_code_is_backend_neutral(path):
    nb = nbformat.read(path, as_version=4)
    found = [
        f"cell {index}: {name}"
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for name, pattern in BACKEND_SPECIFIC.items()
        if pattern.search(cell.source)
    ]
    assert not found, (
        f"{path.name} uses TensorFlow or JAX directly ({'; '.join(found)}). Use "
        "keras.ops, keras.ops.convert_to_numpy, data.first_batch or "
        "arithmetic.input_gradient instead, so the lesson runs on every backend."
    )


def test_the_backend_check_catches_what_it_must():
    caught = [
        "import tensorflow as tf",
        "from tensorflow import keras",
        "x = tf.ones(3)",
        "import jax",
        "from jax import numpy",
        "jax.grad(f)",
        "images.numpy()",
    ]
    allowed = ["import keras", "np.ones(3)", "pdf.save()", "ajax.call()", "tensor_x"]
    for line in caught:
        assert any(p.search(line) for p in BACKEND_SPECIFIC.values()), line
    for line in allowed:
        assert not any(p.search(line) for p in BACKEND_SPECIFIC.values()), line


def test_the_readme_names_the_same_repository():
    assert SETUP_URL in (ROOT / "README.md").read_text()


def test_learner_copies_have_no_hidden_tests(tmp_path):
    tool = load_tool()
    assert tool.main(["--out", str(tmp_path)]) == 0
    for path in LESSONS:
        copy = nbformat.read(tmp_path / path.name, as_version=4)
        assert not any("hidden-test" in c.metadata.get("tags", []) for c in copy.cells)
        assert len(copy.cells) < len(nbformat.read(path, as_version=4).cells)
