"""The Makefile a new user runs first: JupyterLab options, the Python check, CI legs."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not found")


def dry_run(*args):
    """The commands ``make -n`` would run (nothing is executed)."""
    return subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(os.getuid() != 0, reason="--allow-root is added for root only")
def test_lab_keeps_allow_root_whatever_lab_args_hold():
    out = dry_run("lab", "LAB_ARGS=--no-browser --port 8899")
    lab = next(line for line in out.splitlines() if "jupyter lab" in line)
    assert "--allow-root" in lab and "--port 8899" in lab and "--no-browser" in lab


def test_lab_switches_off_the_news_pop_up():
    out = dry_run("lab")
    assert "overrides.json" in out
    settings = json.loads((ROOT / "tools" / "jupyterlab_overrides.json").read_text())
    notification = settings["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"


def test_the_python_check_states_the_real_minimum():
    makefile = (ROOT / "Makefile").read_text()
    assert "(3, 11)" in makefile
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in pyproject
    readme = (ROOT / "README.md").read_text()
    assert "3.10" not in readme


def test_ci_runs_both_backends_and_the_readme_names_them():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test\n" in ci and "make test-jax" in ci
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make test-jax" in readme


def test_the_jax_leg_installs_no_tensorflow():
    lines = (ROOT / "requirements-jax.txt").read_text().lower().splitlines()
    pins = [line.split("#", 1)[0].strip() for line in lines]
    assert any(pin.startswith("jax==") for pin in pins)
    assert not any("tensorflow" in pin for pin in pins)
    out = dry_run("-B", "setup-jax")
    assert "import tensorflow" in out  # the guard that fails the leg if TF sneaks in


def test_bench_compares_with_keras_applications_on_both_backends():
    out = dry_run("bench", "-W", ".venv/.installed", "-W", ".venv-jax/.installed")
    lines = [line for line in out.splitlines() if "bench_applications.py" in line]
    assert any("KERAS_BACKEND=tensorflow" in line for line in lines)
    assert any("KERAS_BACKEND=jax" in line for line in lines)
    assert sum("pipeline_throughput.py" in line for line in out.splitlines()) == 2


def test_make_test_full_runs_the_recipes_the_lessons_and_the_bands():
    out = dry_run("test-full", "BACKEND=jax", "TAG=x")
    assert "full_runs.py" in out and "--tag x" in out
    assert "COURSE_MODE=full KERAS_BACKEND=jax" in out
    assert "run_lessons.py" in out and "--record --tag x" in out
    assert "check_bands.py --tag x" in out


def test_make_test_full_runs_a_subset_of_lessons_when_asked():
    out = dry_run("test-full", "TAG=x", "LESSONS=05 09")
    assert "--only 05 09" in out
