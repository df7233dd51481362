"""Do the course's builders train as fast as keras.applications? (`make bench`)

    python benchmarks/bench_applications.py [--tag cpu_tf] [--size 32] [--batch 32]
    KERAS_BACKEND=jax python benchmarks/bench_applications.py --tag h100_jax --batch 256

For every family keras.applications also ships (VGG16/19, ResNet50/101/152,
DenseNet121/169/201, MobileNet, MobileNetV2), builds the course model and the
keras.applications model of the same configuration (same input size, same classes,
``weights=None``), checks that their parameter counts agree, and measures the training
images/s of both in the same process, on the same batch, alternating between them so
that a change of machine load hits both alike. The ratio is the median over
``--repeat`` rounds of each round's course/keras.applications pair; the images/s shown
are the best round of each. On a small shared CPU single rounds scatter widely (the
results file keeps every round's ratio) and the same pair measured twice can differ by
several percent: there, read a median within that scatter of 1 as equal.

The ratio course / keras.applications should be >= 0.98: the same layers must cost the
same time, and a slower builder has a defect (an extra copy, a slow layer, a reshape).
Writes ``course_lib/results/bench_applications_<tag>.json`` with the hardware and
backend; the default tag names the device kind and the backend (``cpu_tensorflow``).
"""

from __future__ import annotations

import argparse
import gc
import shlex
import sys
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from course_lib import _backend, measure, results, runtime  # noqa: E402
from course_lib.models import build  # noqa: E402

WANTED_RATIO = 0.98

# course builder name -> keras.applications class name (same configuration).
PAIRS = {
    "vgg16": "VGG16",
    "vgg19": "VGG19",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
    "resnet152": "ResNet152",
    "densenet121": "DenseNet121",
    "densenet169": "DenseNet169",
    "densenet201": "DenseNet201",
    "mobilenet_v1": "MobileNet",
    "mobilenet_v2": "MobileNetV2",
}
# Where the course's defaults follow the paper and keras.applications does not: its
# VGG has no dropout after fc1 and fc2 (the paper's 0.5), so the course builds none.
SAME_CONFIGURATION = {"vgg16": {"dropout": 0.0}, "vgg19": {"dropout": 0.0}}


def _accelerated() -> bool:
    return any(d.kind in ("GPU", "TPU") for d in runtime.devices())


def _models(name: str, shape: tuple, classes: int):
    course = build(
        name, input_shape=shape, num_classes=classes, **SAME_CONFIGURATION.get(name, {})
    )
    application = getattr(keras.applications, PAIRS[name])(
        weights=None, input_shape=shape, classes=classes
    )
    return course, application


def compare(name: str, *, size: int, batch: int, classes: int, steps: int, repeat: int):
    """Training images/s of the course model and keras.applications', interleaved."""
    keras.backend.clear_session()
    course, application = _models(name, (size, size, 3), classes)
    params = (course.count_params(), application.count_params())
    speeds = {"course": [], "keras.applications": []}
    firsts = {}
    for round_ in range(repeat):  # alternate: load changes hit both models alike
        for key, model in (("course", course), ("keras.applications", application)):
            result = measure.training_throughput(
                model, batch_size=batch, steps=steps, repeat=1, warm_up=round_ == 0
            )
            speeds[key].append(result.images_per_second)
            firsts.setdefault(key, result.first_step_seconds)
    del course, application
    gc.collect()
    # The ratio of each round's back-to-back pair, then the median over rounds: a
    # slow spell of the machine falls on both sides of a pair, and one bad round
    # does not move the median.
    ratio = float(np.median(np.divide(speeds["course"], speeds["keras.applications"])))
    return {
        "course_model": name,
        "course_arguments": SAME_CONFIGURATION.get(name, {}),
        "application": f"keras.applications.{PAIRS[name]}",
        "params": params[0],
        "params_equal": params[0] == params[1],
        "course_images_per_second": round(max(speeds["course"]), 1),
        "application_images_per_second": round(max(speeds["keras.applications"]), 1),
        "ratio": round(ratio, 3),
        "round_ratios": [
            round(c / a, 3)
            for c, a in zip(speeds["course"], speeds["keras.applications"], strict=True)
        ],
        "first_step_seconds": {k: round(v, 2) for k, v in firsts.items()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32, help="input height = width")
    parser.add_argument(
        "--batch", type=int, default=None, help="batch size (256 on a GPU, else 32)"
    )
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument(
        "--steps", type=int, default=None, help="steps per round (GPU 20, CPU 1)"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="rounds per model (GPU 3, CPU 7)"
    )
    parser.add_argument(
        "--models", nargs="+", choices=sorted(PAIRS), default=list(PAIRS)
    )
    parser.add_argument("--tag", default=None, help="results file suffix")
    args = parser.parse_args(argv)
    if args.size < 32:
        parser.error(
            f"--size must be >= 32 (keras.applications' smallest input). "
            f"Received: {args.size}"
        )
    accelerated = _accelerated()
    batch = args.batch or (256 if accelerated else 32)
    # A CPU step takes long enough to time alone, and the best of many single steps
    # is the least disturbed by load; a GPU step is short, so a round averages 20.
    steps = args.steps or (20 if accelerated else 1)
    repeat = args.repeat or (3 if accelerated else 7)
    tag = args.tag or f"{'gpu' if accelerated else 'cpu'}_{_backend.name()}"

    rows = []
    print(f"{measure.hardware()['hardware']}, Keras/{_backend.name()}")
    print(f"{'model':<14}{'course img/s':>14}{'k.applications':>16}{'ratio':>8}")
    for name in args.models:
        row = compare(
            name,
            size=args.size,
            batch=batch,
            classes=args.classes,
            steps=steps,
            repeat=repeat,
        )
        rows.append(row)
        flag = "" if row["ratio"] >= WANTED_RATIO else f"  below {WANTED_RATIO}"
        if not row["params_equal"]:
            flag += "  PARAMETER COUNTS DIFFER"
        print(
            f"{name:<14}{row['course_images_per_second']:>14,.1f}"
            f"{row['application_images_per_second']:>16,.1f}{row['ratio']:>8.3f}{flag}",
            flush=True,
        )
    record = {
        "what": "training images/s, course builder vs keras.applications, same "
        "configuration, same process and batch, alternating rounds; images/s: the "
        "best round of each; ratio: the median of the rounds' ratios",
        "input_size": args.size,
        "batch_size": batch,
        "classes": args.classes,
        "steps_per_round": steps,
        "rounds": repeat,
        "dtype_policy": keras.config.dtype_policy().name,
        "wanted_ratio": WANTED_RATIO,
        "rows": rows,
        "all_at_least_wanted": all(r["ratio"] >= WANTED_RATIO for r in rows),
        **measure.hardware(),
        "command": "python benchmarks/bench_applications.py "
        + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
    }
    name = f"bench_applications_{tag}"
    if set(args.models) != set(PAIRS) and name in results.available():
        # A subset re-measured: keep the other rows of the same settings and machine.
        previous = results.load(name)
        same = ("input_size", "batch_size", "hardware", "backend", "dtype_policy")
        if all(previous.get(k) == record[k] for k in same):
            kept = [r for r in previous["rows"] if r["course_model"] not in args.models]
            record["rows"] = sorted(
                kept + rows, key=lambda r: list(PAIRS).index(r["course_model"])
            )
            record["all_at_least_wanted"] = all(
                r["ratio"] >= WANTED_RATIO for r in record["rows"]
            )
            record["command"] += f" (rows of {', '.join(args.models)} re-measured)"
    print("wrote", results.save(name, record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
