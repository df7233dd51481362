"""Writes the README's lesson table and measured results from the results files.

The README quotes numbers; typing them by hand lets them drift from the measurements.
This script rewrites the parts between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->`` from ``course_lib/results/*.json``; ``tests/test_readme.py``
fails when the README differs from what it would write.

Usage:
    python tools/update_readme.py          # rewrite README.md
    python tools/update_readme.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_lib import results  # noqa: E402

LESSONS = [
    ("00", "00_setup", "setup: environment, modes, data, Colab"),
    (
        "01",
        "01_image_classification",
        "image classification: the task, k-NN, linear templates, top-1/top-5, "
        "ILSVRC history",
    ),
    (
        "02",
        "02_mlp_to_cnn",
        "from MLP to CNN: parameters, shifted digits, weight sharing, equivariance, "
        "pooling",
    ),
    (
        "03",
        "03_convolution_arithmetic",
        "convolution arithmetic: by hand == Keras, stride, padding, dilation, "
        "pooling, transposed",
    ),
    (
        "04",
        "04_receptive_fields",
        "receptive fields: recurrence, stacked 3x3, gradient-measured, effective RF",
    ),
    ("05", "05_lenet5", "LeNet-5 on MNIST"),
    ("06a", "06a_alexnet", "AlexNet: ReLU, dropout, LRN, pooling, augmentation"),
    ("06b", "06b_zfnet", "ZFNet: aliasing, first-layer filters, visualisation"),
    ("07", "07_vgg", "VGG"),
    (
        "08",
        "08_googlenet",
        "GoogLeNet: the inception module, 1x1 bottlenecks, auxiliary heads",
    ),
    ("09", "09_resnet", "ResNet: degradation, residual blocks, shortcuts, depth"),
    ("10", "10_densenet", "DenseNet: dense blocks, growth rate, transitions, memory"),
    (
        "11",
        "11_lightweight_nets",
        "lightweight nets: MobileNet, SqueezeNet, ShuffleNet; cost vs latency",
    ),
    (
        "12",
        "12_comparing_architectures",
        "comparing architectures: cost table, latency, accuracy, Pareto front, "
        "backbone + head transfer",
    ),
    (
        "13",
        "13_scaling_up",
        "scaling up: mixed precision, XLA, input pipeline vs model, data parallelism",
    ),
]
TIMINGS = {"TensorFlow": "lesson_timings_smoke", "JAX": "lesson_timings_smoke_jax"}


def _seconds_by_lesson(name: str) -> dict[str, float]:
    if name not in results.available():
        return {}
    record = results.load(name)
    return {t["lesson"].split(".")[0]: t["seconds"] for t in record["lessons"]}


def lesson_table() -> str:
    timings = {label: _seconds_by_lesson(name) for label, name in TIMINGS.items()}
    lines = [
        "| # | lesson | smoke, TensorFlow | smoke, JAX |",
        "|---|---|---|---|",
    ]
    for number, stem, title in LESSONS:
        cells = [
            f"{timings[label][stem]:.0f} s"
            if stem in timings[label]
            else "not measured"
            for label in TIMINGS
        ]
        lines.append(
            f"| {number} | [{title}](lessons/{stem}.ipynb) | {cells[0]} | {cells[1]} |"
        )
    sources = []
    for label, name in TIMINGS.items():
        if name in results.available():
            record = results.load(name)
            sources.append(
                f"{label}: `{name}.json`, {record['hardware']}, {record['date']}"
            )
    lines += [
        "",
        "Measured with `tools/run_lessons.py --record` (" + "; ".join(sources),
    ]
    lines[-1] += ")."
    return "\n".join(lines)


def _pct(value) -> str:
    return f"{100 * value:.2f} %"


def measured_results() -> str:
    lines = [
        "| result | what | test accuracy | training time | hardware, backend |",
        "|---|---|---|---|---|",
    ]
    runs = [
        "lenet5",
        "keras_io_mnist",
        "alexnet_cifar10",
        "vgg_cifar10",
        "googlenet_cifar10",
        "resnet_cifar10",
        "densenet_bc_cifar10",
    ]
    tags = ("", "cpu", "h100_jax")  # each run's CPU files, then its GPU file
    names = [f"{run}_{tag}" if tag else run for run in runs for tag in tags]
    for name in names:
        if name not in results.available():
            continue
        r = results.load(name)
        accuracy = _pct(r["test_accuracy"])
        if r.get("dataset") == "cifar10" and "test_accuracy_images_0_999" not in r:
            accuracy += " on all 10,000"
        if "test_accuracy_images_0_999" in r:
            accuracy = (
                f"{_pct(r['test_accuracy_images_0_999'])} on test images 0–999; "
                f"{accuracy} on all 10,000"
            )
        what = f"{r['label']}: {r['recipe']}, {r['epochs_run']} epochs"
        if "time_to_99" in r and r["time_to_99"] is not None:
            what += f", 99 % after {r['time_to_99']:.0f} s"
        backend = f"{r['backend']} {r['backend_version']}"
        lines.append(
            f"| `{name}` | {what} | {accuracy} | {r['seconds']:.0f} s | "
            f"{r['hardware']}, {backend} |"
        )
    return "\n".join(lines)


def _lessons_run_in_full() -> dict[str, list[str]]:
    """Lesson stem -> "hardware, backend, date" of each recorded full-mode run."""
    runs: dict[str, list[str]] = {}
    for name in results.available():
        if not name.startswith("lesson_runs_full_"):
            continue
        record = results.load(name)
        where = f"{record['hardware']}, {record['backend']}, {record['date']}"
        for lesson in record["lessons"]:
            if lesson["status"] == "ok":
                runs.setdefault(lesson["lesson"].split(".")[0], []).append(where)
    return runs


def full_mode_status() -> str:
    """Which headline results a full run has put in their band, and where."""
    from course_lib.training import bands

    executed = _lessons_run_in_full()
    lines = [
        "| lesson | headline result | band | full runs on record | lesson executed "
        "in full mode |",
        "|---|---|---|---|---|",
    ]
    for outcome in bands.full_runs_on_record():
        band = outcome.band
        if outcome.value is None:
            found = f"none yet: `make test-full FULL_RUNS={band.result}`"
        else:
            found = f"{_pct(outcome.value)} (`{outcome.name}`), {outcome.message}"
        lines.append(
            f"| {band.lesson} | `{band.result}` {band.field} | ≥ {_pct(band.minimum)} "
            f"| {found} | {'; '.join(executed.get(band.lesson, [])) or 'not yet'} |"
        )
    return "\n".join(lines)


def bench_table() -> str:
    """The course builders' training speed against keras.applications (make bench)."""
    names = [n for n in results.available() if n.startswith("bench_applications_")]
    if not names:
        return "Not measured yet: run `make bench`."
    lines = []
    for name in names:
        r = results.load(name)
        lines += [
            f"`{name}`: {r['hardware']}, Keras {r['keras_version']} / "
            f"{r['backend']} {r['backend_version']}, {r['input_size']}x"
            f"{r['input_size']} inputs, batch {r['batch_size']}, {r['date']}:",
            "",
            "| course builder | keras.applications | course images/s | "
            "keras.applications images/s | ratio (median) | rounds' ratios |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{row['course_model']}` | `{row['application']}` | "
            f"{row['course_images_per_second']:,.1f} | "
            f"{row['application_images_per_second']:,.1f} | {row['ratio']:.3f} | "
            f"{min(row['round_ratios']):.2f}–{max(row['round_ratios']):.2f} |"
            for row in r["rows"]
        ]
        lines.append("")
    return "\n".join(lines).rstrip()


SECTIONS = {
    "lesson-table": lesson_table,
    "measured-results": measured_results,
    "full-mode-status": full_mode_status,
    "bench": bench_table,
}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(
            rf"(<!-- generated: {name} -->\n)(?:.*?\n)?(<!-- end: {name} -->)", re.S
        )
        if not pattern.search(text):
            raise SystemExit(f"README.md has no generated section {name!r}")
        text = pattern.sub(
            lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text
        )
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only check, exit 1 if stale"
    )
    args = parser.parse_args(argv)
    path = ROOT / "README.md"
    text = path.read_text()
    new = render(text)
    if args.check:
        if new != text:
            print("README.md is out of date: run python tools/update_readme.py")
            return 1
        return 0
    path.write_text(new)
    print("README.md updated" if new != text else "README.md already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
