"""Is the input pipeline fast enough? Compares the tf.data pipeline's images/s with the
training images/s of a ResNet-20-sized model (He et al. 2016, CIFAR-10, 0.27 M params).

    python benchmarks/pipeline_throughput.py [--batches 200] [--steps 30]

Writes course_lib/results/pipeline_benchmark.json (read by lesson 00 and the README).

Both are measured on the full CIFAR-10 training set (COURSE_DATA_DIR or the cache), with the
training pipeline (shuffle, pad-and-crop, flip, normalise, batch 128, prefetch). The pipeline
is the bottleneck only if its images/s is below the model's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import keras
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from course_lib import data, results, runtime  # noqa: E402


def resnet20_sized(input_shape=(32, 32, 3), num_classes=10):
    """A ResNet-20 (3 stages x 3 basic blocks, 16-32-64 filters) for timing only."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(3):
            stride = 2 if stage > 0 and block == 0 else 1
            shortcut = x
            y = keras.layers.Conv2D(filters, 3, stride, padding="same", use_bias=False)(x)
            y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
            y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
            y = keras.layers.BatchNormalization()(y)
            if stride != 1:
                shortcut = keras.layers.Conv2D(filters, 1, stride, use_bias=False)(x)
                shortcut = keras.layers.BatchNormalization()(shortcut)
            x = keras.layers.ReLU()(keras.layers.Add()([y, shortcut]))
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="resnet20_sized")


def pipeline_images_per_second(ds, batches: int) -> float:
    iterator = iter(ds.repeat())
    for _ in range(5):  # warm up: fill the shuffle buffer and the prefetch queue
        next(iterator)
    start, images = time.perf_counter(), 0
    for _ in range(batches):
        images += int(next(iterator)[0].shape[0])
    return images / (time.perf_counter() - start)


def training_images_per_second(ds, steps: int) -> tuple[float, int]:
    model = resnet20_sized()
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cached = ds.take(steps + 5).cache()  # time the model alone: batches ready in memory
    list(cached)
    model.fit(cached.take(5), epochs=1, verbose=0)  # warm up: trace and compile
    start = time.perf_counter()
    model.fit(cached.skip(5), epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return steps * 128 / seconds, model.count_params()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200, help="pipeline batches to time")
    parser.add_argument("--steps", type=int, default=30, help="training steps to time")
    args = parser.parse_args(argv)

    (x_train, y_train), _ = data.load_cifar10(subset="full")
    ds = data.pipeline(x_train, y_train, batch_size=128, training=True, augment=True,
                       normalization="cifar10", seed=0)
    pipe = pipeline_images_per_second(ds, args.batches)
    train, params = training_images_per_second(ds, args.steps)
    result = {
        "pipeline_images_per_second": round(pipe),
        "resnet20_training_images_per_second": round(train),
        "ratio_pipeline_over_training": round(pipe / train, 1),
        "pipeline_is_bottleneck": pipe < train,
        "resnet20_params": params,
        "batch_size": 128,
        "hardware": runtime.device_summary(),
        "cpu_count": os.cpu_count(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "command": "python benchmarks/pipeline_throughput.py",
    }
    print(json.dumps(result, indent=2))
    print("wrote", results.save("pipeline_benchmark", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
