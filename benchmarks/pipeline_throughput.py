"""Is the input pipeline fast enough? Compares the images/s of each input engine with
the training images/s of the course's ResNet-20 (``build('resnet_cifar', depth=20)``,
He et al. 2016, CIFAR-10, 0.27 M params) on the current Keras backend.

    python benchmarks/pipeline_throughput.py [--batches 200] [--steps 30]
    KERAS_BACKEND=jax python benchmarks/pipeline_throughput.py

Writes course_lib/results/pipeline_benchmark.json (read by lesson 00 and the README):
the top-level numbers are this run's (its backend's default engine); ``by_backend``
keeps the last run of every backend measured on the same hardware.

Both are measured on the full CIFAR-10 training set (COURSE_DATA_DIR or the cache) with
the training pipeline (shuffle, pad-and-crop, flip, normalise, batch 128). The model is
timed on batches already in memory, so the two numbers are independent; the pipeline
is a bottleneck if its images/s is below the model's. The course asks for 10x.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from course_lib import _backend, data, results, runtime, scaling  # noqa: E402
from course_lib.models import build  # noqa: E402

BATCH = 128
WANTED_RATIO = 10


def training_images_per_second(x, y, steps: int) -> tuple[float, int]:
    """Images/s of ``fit`` on ``steps`` batches already in memory (after 5 warm-up
    steps that trace and compile the train step)."""
    model = build("resnet_cifar", depth=20)
    model.compile(
        optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    warm = 5 * BATCH
    model.fit(x[:warm], y[:warm], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(x[warm:], y[warm:], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    return steps * BATCH / seconds, model.count_params()


def engines() -> list[str]:
    return ["tf.data", "numpy"] if _backend.name() == "tensorflow" else ["numpy"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--batches", type=int, default=200, help="pipeline batches to time"
    )
    parser.add_argument("--steps", type=int, default=30, help="training steps to time")
    args = parser.parse_args(argv)

    (x_train, y_train), _ = data.load_cifar10(subset="full")
    settings = dict(
        batch_size=BATCH,
        training=True,
        augment=True,
        normalization="cifar10",
        seed=0,
    )
    speeds = {}
    for engine in engines():
        ds = data.pipeline(x_train, y_train, engine=engine, **settings)
        # The first batches fill the shuffle buffer and the prefetch queue.
        speeds[engine] = scaling.pipeline_images_per_second(
            ds, count=args.batches, warmup=5
        )
        print(f"pipeline, engine {engine}: {speeds[engine]:,.0f} images/s")

    batches = data.pipeline(x_train, y_train, engine="numpy", **settings)
    pairs = [batches[i] for i in range(args.steps + 5)]
    x = np.concatenate([p[0] for p in pairs])
    y = np.concatenate([p[1] for p in pairs])
    train, params = training_images_per_second(x, y, args.steps)
    print(f"ResNet-20 training on {_backend.name()}: {train:,.0f} images/s")

    default = engines()[0]  # what pipeline(engine="auto") picks on this backend
    record = {
        "pipeline_images_per_second": round(speeds[default]),
        "resnet20_training_images_per_second": round(train),
        "ratio_pipeline_over_training": round(speeds[default] / train, 1),
        "pipeline_is_bottleneck": speeds[default] < train,
        "engine": default,
        "engines": {
            engine: {
                "pipeline_images_per_second": round(speed),
                "ratio_pipeline_over_training": round(speed / train, 1),
            }
            for engine, speed in speeds.items()
        },
        "resnet20_params": params,
        "batch_size": BATCH,
        "augmentation": "pad 4 + random 32x32 crop + flip, per image",
        "hardware": runtime.device_summary(),
        "cpu_count": os.cpu_count(),
        "backend": _backend.name(),
        "backend_version": _backend.version(),
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "command": "python benchmarks/pipeline_throughput.py",
    }
    for engine, numbers in record["engines"].items():
        ratio = numbers["ratio_pipeline_over_training"]
        verdict = "ok" if ratio >= WANTED_RATIO else f"BELOW the {WANTED_RATIO}x asked"
        print(f"ratio, engine {engine}: {ratio}x ({verdict})")

    by_backend = {}
    if results.path("pipeline_benchmark").is_file():
        previous = results.load("pipeline_benchmark")
        if previous.get("hardware") == record["hardware"]:
            by_backend = previous.get("by_backend", {})
    by_backend[record["backend"]] = dict(record)
    record["by_backend"] = by_backend
    print("wrote", results.save("pipeline_benchmark", record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
