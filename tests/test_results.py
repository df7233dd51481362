"""Each committed result says how it was produced; a missing one is a clear error."""

import pytest

from course_lib import results


def test_missing_result_names_the_fix():
    with pytest.raises(FileNotFoundError, match="Run the benchmark"):
        results.load("no_such_result")


@pytest.mark.parametrize("name", results.available())
def test_results_record_command_hardware_and_date(name):
    record = results.load(name)
    assert {"command", "hardware", "date"} <= set(record), f"{name} lacks provenance"


def test_save_is_atomic_and_round_trips(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "FOLDER", tmp_path)
    results.save("x", {"a": 1})
    assert results.load("x") == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


RUN = {
    "label": "partial run, not the full recipe",
    "hardware": "CPU only: test (2 cores)",
    "backend": "tensorflow",
    "date": "2026-01-01",
    "epochs_run": 3,
    "full_recipe_epochs": 60,
    "train_images": 20000,
    "seconds": 368.5,
    "images_per_second": 157.8,
    "test_accuracy": 0.4285,
    "test_images": 10000,
}


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (["r", "r_cpu", "r_h100_jax"], "r_h100_jax"),
        (["r", "r_cpu"], "r_cpu"),
        (["r"], "r"),
        (["r_other", "rr_cpu"], None),
    ],
)
def test_best_run_prefers_the_gpu_run_then_the_cpu_run(
    tmp_path, monkeypatch, present, expected
):
    monkeypatch.setattr(results, "FOLDER", tmp_path)
    for name in present:
        results.save(name, {"name": name})
    found = results.best_run("r")
    assert (found and found[0]) == expected
    if expected:
        assert found[1] == {"name": expected}


def test_describe_run_leads_with_the_label_and_adds_images_0_999_when_present():
    text = results.describe_run(RUN)
    first, second, third = text.splitlines()
    assert first.startswith("PARTIAL RUN, NOT THE FULL RECIPE: CPU only")
    assert "3 of the recipe's 60 epochs on 20,000 images: 368 s" in second
    assert third == "  test accuracy 42.85 % on 10,000 images"
    text = results.describe_run({**RUN, "test_accuracy_images_0_999": 0.45})
    assert text.endswith(", 45.00 % on images 0-999")


def test_full_run_command_names_the_gpu_tag():
    assert results.full_run_command("resnet_cifar10") == (
        "python benchmarks/full_runs.py resnet_cifar10 --tag h100_jax"
    )


def test_full_recipe_hours_scales_the_run_to_all_epochs_of_the_whole_training_set():
    record = {**RUN, "dataset": "cifar10", "images_per_second": 50.0}
    assert results.full_recipe_hours(record) == pytest.approx(60 * 50_000 / 50 / 3600)


def test_show_run_prints_the_missing_full_run_and_the_partial_one(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(results, "FOLDER", tmp_path)
    assert results.show_run("r") is None
    command = results.full_run_command("r")
    assert capsys.readouterr().out == f"full recipe: not measured yet: {command}\n"
    partial = {**RUN, "dataset": "cifar10", "images_per_second": 50.0}
    results.save("r_cpu", partial)
    assert results.show_run("r") == partial
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("full recipe: not measured yet:")
    assert out[1] == "r_cpu:" and out[2].startswith("PARTIAL RUN")
    assert out[-1] == "  the full recipe at this speed: about 16.7 h"
    results.save("r_h100_jax", {**partial, "label": "full recipe"})
    assert results.show_run("r")["label"] == "full recipe"
    out = capsys.readouterr().out
    assert "not measured" not in out and "at this speed" not in out
