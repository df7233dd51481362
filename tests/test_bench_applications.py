"""benchmarks/bench_applications.py (make bench): the pairs it compares are the same
configuration, and one comparison produces a complete row."""

import importlib.util
import sys
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_bench():
    spec = importlib.util.spec_from_file_location(
        "bench_applications", ROOT / "benchmarks" / "bench_applications.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def test_the_pairs_are_the_families_the_issue_names():
    assert set(bench.PAIRS.values()) == {
        "VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152",
        "DenseNet121", "DenseNet169", "DenseNet201", "MobileNet", "MobileNetV2",
    }  # fmt: skip
    for application in bench.PAIRS.values():
        assert hasattr(keras.applications, application)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="two MobileNetV2 train steps: compiled in seconds on TensorFlow only",
)
def test_one_comparison_gives_a_complete_row():
    row = bench.compare("mobilenet_v2", size=32, batch=2, classes=10, steps=1, repeat=3)
    assert row["params_equal"] and row["params"] > 2_000_000
    assert row["course_images_per_second"] > 0
    assert row["application_images_per_second"] > 0
    assert len(row["round_ratios"]) == 3
    assert row["ratio"] == pytest.approx(sorted(row["round_ratios"])[1], abs=2e-3)


def test_an_input_below_32_pixels_is_refused_with_the_reason(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--size", "16", "--models", "vgg16"])
    assert "--size must be >= 32" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["vgg16", "resnet50"])
def test_the_pairs_have_the_same_kinds_of_layers(name):
    """The same configuration: e.g. the course's VGG-16 without the paper's dropout,
    which keras.applications leaves out (its cost differs, not its parameters)."""
    course, application = bench._models(name, (32, 32, 3), 10)

    def kinds(model):
        counts = {}
        for layer in model.layers:
            kind = type(layer).__name__
            if kind not in ("InputLayer", "ZeroPadding2D", "Activation", "ReLU"):
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    assert kinds(course) == kinds(application)
    assert course.count_params() == application.count_params()
