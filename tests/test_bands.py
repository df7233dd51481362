"""make test-full's last step: headline results checked against their bands."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import results
from course_lib.training import bands

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def results_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "FOLDER", tmp_path)
    return tmp_path


def _write(folder, name, **fields):
    record = {"label": "full recipe", "hardware": "GPU: test"} | fields
    (folder / f"{name}.json").write_text(json.dumps(record))


def _by_name(outcomes):
    return {(o.name, o.band.field): o for o in outcomes}


def test_results_in_band_pass_and_below_fail(results_folder):
    _write(results_folder, "vgg_cifar10_t", test_accuracy_images_0_999=0.93)
    _write(results_folder, "resnet_cifar10_t", test_accuracy_images_0_999=0.80)
    outcomes = _by_name(bands.check("t", only=["vgg_cifar10", "resnet_cifar10"]))
    field = "test_accuracy_images_0_999"
    assert outcomes[("vgg_cifar10_t", field)].passed
    below = outcomes[("resnet_cifar10_t", field)]
    assert not below.passed and "BELOW" in below.message


def test_missing_partial_and_malformed_results_fail(results_folder):
    _write(results_folder, "lenet5_t", variants={"classic": {"test_accuracy": 0.995}})
    _write(
        results_folder,
        "vgg_cifar10_t",
        label="partial run, not the full recipe",
        test_accuracy_images_0_999=0.99,
    )
    outcomes = _by_name(bands.check("t"))
    assert outcomes[("lenet5_t", "variants.classic.test_accuracy")].passed
    modern = outcomes[("lenet5_t", "variants.modern.test_accuracy")]
    assert not modern.passed and "no number" in modern.message
    vgg = outcomes[("vgg_cifar10_t", "test_accuracy_images_0_999")]
    assert not vgg.passed and "not a full run" in vgg.message
    alexnet = outcomes[("alexnet_cifar10_t", "test_accuracy_images_0_999")]
    assert not alexnet.passed and alexnet.message == "no results file"


def test_every_band_names_a_full_runs_command_and_a_lesson():
    commands = (ROOT / "benchmarks" / "full_runs.py").read_text()
    lessons = {p.stem for p in (ROOT / "lessons").glob("*.ipynb")}
    for band in bands.BANDS:
        assert f'"{band.result}": cmd_' in commands, band
        assert band.lesson in lessons, band
        assert 0.5 < band.minimum < 1 and band.why


def test_check_bands_cli_exit_codes(results_folder):
    tool = ROOT / "tools" / "check_bands.py"
    unknown = subprocess.run(
        [sys.executable, str(tool), "--tag", "t", "no_such_result"],
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2 and "no band for" in unknown.stderr


def test_run_lessons_refuses_a_tag_that_is_not_a_file_name():
    tool = ROOT / "tools" / "run_lessons.py"
    done = subprocess.run(
        [sys.executable, str(tool), "--record", "--tag", "../x"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--tag takes letters" in done.stderr


def test_full_runs_on_record_finds_every_tag_and_skips_partial_runs(results_folder):
    field = "test_accuracy_images_0_999"
    _write(results_folder, "vgg_cifar10_a100_tf", **{field: 0.93})
    _write(results_folder, "vgg_cifar10_h100_jax", **{field: 0.90})
    _write(
        results_folder,
        "vgg_cifar10",
        label="partial run, not the full recipe",
        **{field: 0.5},
    )
    outcomes = [
        o for o in bands.full_runs_on_record() if o.band.result == "vgg_cifar10"
    ]
    by_name = {o.name: o for o in outcomes}
    assert set(by_name) == {"vgg_cifar10_a100_tf", "vgg_cifar10_h100_jax"}
    assert by_name["vgg_cifar10_a100_tf"].passed
    assert not by_name["vgg_cifar10_h100_jax"].passed
    assert "BELOW" in by_name["vgg_cifar10_h100_jax"].message
    (none,) = [
        o for o in bands.full_runs_on_record() if o.band.result == "resnet_cifar10"
    ]
    assert none.value is None and none.message == "no full run on record"
