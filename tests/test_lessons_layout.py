"""Every lesson follows the course's layout: stored without outputs, the same Colab
set-up cell, a header with objectives, hidden test cells for its exercises, and learner
copies without them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
SETUP_URL = "git+https://github.com/keras-cnn-course/cnn-course"


def load_tool():
    spec = importlib.util.spec_from_file_location("strip", ROOT / "tools" / "strip_hidden_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_layout(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    stored = [c for c in code if c.outputs and "nbval-check-output" not in c.metadata.get("tags", [])]
    assert not stored, f"{path.name}: commit without outputs"
    header = nb.cells[0].source
    assert header.startswith(f"# {path.name[:2]}") and "Objectives" in header
    assert "colab.research.google.com" in header
    assert 'if "google.colab" in sys.modules' in code[0].source and SETUP_URL in code[0].source
    hidden = [c for c in code if "hidden-test" in c.metadata.get("tags", [])]
    assert len(hidden) >= 3, f"{path.name}: each checked exercise needs a hidden test cell"


def test_the_readme_names_the_same_repository():
    assert SETUP_URL in (ROOT / "README.md").read_text()


def test_learner_copies_have_no_hidden_tests(tmp_path):
    tool = load_tool()
    assert tool.main(["--out", str(tmp_path)]) == 0
    for path in LESSONS:
        copy = nbformat.read(tmp_path / path.name, as_version=4)
        assert not any("hidden-test" in c.metadata.get("tags", []) for c in copy.cells)
        assert len(copy.cells) < len(nbformat.read(path, as_version=4).cells)
