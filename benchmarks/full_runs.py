"""Full-mode measurements that lessons 05-07 quote, run on this machine with the real data.

    python benchmarks/full_runs.py lenet5           # lesson 05: the lenet5_mnist recipe
    python benchmarks/full_runs.py keras_io_mnist   # lesson 05: keras-io's simple convnet
    python benchmarks/full_runs.py relu_vs_tanh     # lesson 06: Krizhevsky et al. Fig. 1
    python benchmarks/full_runs.py alexnet_cifar10 --epochs 3 --train-images 25000
    python benchmarks/full_runs.py vgg_cifar10 --epochs 3 --train-images 20000
    python benchmarks/full_runs.py zfnet_stems      # lesson 06: 11x11/4 vs 7x7/2 first layers
    python benchmarks/full_runs.py all              # everything, in that order

(The two CIFAR-10 lines are the shortened runs the lessons quote, 3 epochs each: about
8 and 6 minutes of training on the course's 2-core CPU. Without --epochs and
--train-images they default to the same.)

Each sub-command writes ``course_lib/results/<name>.json`` (``--out DIR`` writes to DIR
instead) with what was run, the mode, epochs, training images, test accuracy (and
top-5 on CIFAR-10), training seconds, images/s, the per-epoch history, the hardware
(``runtime.device_summary()``), library versions, the date and the exact command.

Conventions, the same for every run:

- The data are the full MNIST / CIFAR-10 files (``COURSE_DATA_DIR`` or the cache); the
  script forces ``COURSE_MODE=full``. A run on fewer images or epochs than the recipe
  says so in ``label`` ("partial run on CPU, not the full recipe"), ``epochs`` and
  ``train_images``.
- ``seconds`` is training time only: the sum of the epochs' wall-clock times, without
  the test-set evaluation that :class:`TestSetMonitor` runs after every epoch to
  record the test accuracy curve. ``time_to_99`` and ``epoch_to_99`` are read from that
  curve (MNIST: the first epoch whose test accuracy is at least 99 %).
- ``images_per_second`` is :class:`course_lib.training.Result`'s training throughput
  (the first, graph-tracing epoch left out when there are two or more).
- Seed 0 everywhere, so a rerun on the same machine gives nearly the same numbers.
- ``relu_vs_tanh`` runs two settings: "paper" (AlexNet's N(0, 0.01) initialisation and
  mean-subtracted 0..255 pixels) and "modern" (Glorot initialisation, standardised
  pixels); each network stops two epochs after reaching 25 % training error.

Models that are not course builders (keras-io's convnet, the small ReLU/tanh network,
the first-layer test network of ``zfnet_stems``) are defined here; lessons rebuild them and compare their parameter count with the one
recorded in the results file, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

os.environ["COURSE_MODE"] = "full"  # full data; epochs are chosen per sub-command
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

from course_lib import data, results, runtime, training  # noqa: E402
from course_lib.models import build  # noqa: E402

SEED = 0
PARTIAL = "partial run on CPU, not the full recipe"
FULL = "full recipe"


# ---------------------------------------------------------------------------------------
# Models that are not in the course registry
# ---------------------------------------------------------------------------------------
def keras_io_convnet(input_shape=(28, 28, 1), num_classes=10):
    """keras-io 'Simple MNIST convnet' (fchollet): the model of examples/vision/mnist_convnet.py."""
    inputs = keras.Input(input_shape, name="input")
    x = layers.Conv2D(32, 3, activation="relu", name="block1_conv1")(inputs)
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="block2_conv1")(x)
    x = layers.MaxPooling2D(2, name="block2_pool")(x)
    x = layers.Flatten(name="head_flatten")(x)
    x = layers.Dropout(0.5, name="head_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="keras_io_convnet")


# The two settings of the ReLU-vs-tanh experiment. "paper": AlexNet's own choices
# (section 5: weights from N(0, 0.01); section 2: the training set's mean subtracted from
# raw 0..255 pixels), with the learning rate that was fastest for both networks of
# 0.0003, 0.001 and 0.003 on a 10,000-image, 6-epoch probe. "modern": Glorot-uniform
# weights and inputs standardised to mean 0, std 1 per channel, as the rest of the course
# trains, with the recipe's learning rate.
RELU_TANH_SETTINGS = {
    "paper": {"init": "normal_0.01", "normalization": None, "learning_rate": 0.003},
    "modern": {"init": "glorot_uniform", "normalization": "cifar10", "learning_rate": 0.01},
}


def relu_tanh_convnet(activation, setting="paper", input_shape=(32, 32, 3), num_classes=10):
    """The small network of the ReLU-vs-tanh experiment (lesson 06).

    Four weight layers, as in Krizhevsky et al.'s Figure 1: three 5x5 convolutions
    (32, 32, 64 filters, 'same' padding), each followed by 3x3 stride-2 max pooling,
    and a softmax layer. No normalisation layers, no dropout: only the activation
    differs. ``setting="paper"`` subtracts the CIFAR-10 mean from 0..255 pixels in the
    model (a fixed ``Normalization`` layer) and draws weights from N(0, 0.01), as
    AlexNet did; ``"modern"`` uses Keras's Glorot-uniform default (inputs standardised
    by the recipe).
    """
    inputs = keras.Input(input_shape, name="input")
    x = inputs
    init = "glorot_uniform"
    if setting == "paper":
        mean = [255.0 * m for m in data.MEAN["cifar10"]]
        x = layers.Normalization(mean=mean, variance=[1.0, 1.0, 1.0], name="mean_subtraction")(x)
        init = keras.initializers.RandomNormal(stddev=0.01)
    for block, filters in enumerate((32, 32, 64), start=1):
        x = layers.Conv2D(
            filters,
            5,
            padding="same",
            activation=activation,
            kernel_initializer=init,
            name=f"block{block}_conv1",
        )(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    x = layers.Flatten(name="head_flatten")(x)
    outputs = layers.Dense(
        num_classes, activation="softmax", kernel_initializer=init, name="predictions"
    )(x)
    return keras.Model(inputs, outputs, name=f"convnet_{activation}")


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------
class TestSetMonitor(keras.callbacks.Callback):
    """After each epoch: evaluates on the test set and logs ``test_accuracy`` (and
    ``test_top5`` with more than 5 classes) and ``train_time``, the cumulative training
    seconds without these evaluations."""

    def __init__(self, test_ds, top5=False):
        super().__init__()
        self.test_ds = test_ds
        self.top5 = top5
        self.train_time = 0.0
        self._start = None

    def on_train_begin(self, logs=None):
        self.train_time = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.train_time += time.perf_counter() - self._start
        scores = self.model.evaluate(self.test_ds, verbose=0, return_dict=True)
        logs["test_accuracy"] = float(scores["accuracy"])
        if self.top5:
            logs["test_top5"] = float(scores["top5_accuracy"])
        logs["train_time"] = self.train_time
        print(
            f"    epoch {epoch + 1}: test accuracy {100 * logs['test_accuracy']:.2f} %, "
            f"{self.train_time:.1f} s of training so far",
            flush=True,
        )


class StopAfterTarget(keras.callbacks.Callback):
    """Stops training ``extra_epochs`` epochs after ``metric`` first reaches ``target``
    (the ReLU-vs-tanh runs need only the curve up to a little past 25 % error)."""

    def __init__(self, metric, target, extra_epochs=2):
        super().__init__()
        self.metric, self.target, self.extra_epochs = metric, target, extra_epochs
        self.reached_at = None

    def on_train_begin(self, logs=None):
        self.reached_at = None

    def on_epoch_end(self, epoch, logs=None):
        if self.reached_at is None and logs.get(self.metric, -1) >= self.target:
            self.reached_at = epoch
        if self.reached_at is not None and epoch - self.reached_at >= self.extra_epochs:
            self.model.stop_training = True


def _test_pipeline(recipe, x_test, y_test):
    return data.pipeline(
        x_test,
        y_test,
        batch_size=256,
        normalization=recipe.normalization,
        pad_to=recipe.pad_to,
    )


def _environment():
    return {
        "hardware": runtime.device_summary(),
        "cpu_count": os.cpu_count(),
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        "date": datetime.date.today().isoformat(),
        "command": "python benchmarks/full_runs.py " + " ".join(map(shlex.quote, sys.argv[1:])),
    }


def run_with_test_curve(model, recipe, split, *, threshold=None):
    """Trains ``model`` with ``recipe`` on ``split``, evaluating the test set each epoch.

    Returns a JSON-ready record of the run (without the environment fields).
    """
    (x_train, y_train), (x_test, y_test) = split
    top5 = int(model.output_shape[-1]) > training.TOP_K
    monitor = TestSetMonitor(_test_pipeline(recipe, x_test, y_test), top5=top5)
    history, result = training.train(
        model, recipe, data=split, validation=None, callbacks=[monitor], seed=SEED
    )
    logs = history.history
    record = {
        "model": model.name,
        "params": int(model.count_params()),
        "recipe": recipe.name,
        "recipe_config": recipe.to_dict(),
        "mode": runtime.mode(),
        "epochs": result.epochs_run,
        "train_images": int(len(x_train)),
        "test_images": int(len(x_test)),
        "test_accuracy": result.test_accuracy,
        "test_top5": result.test_top5,
        "test_loss": result.test_loss,
        "seconds": round(monitor.train_time, 1),
        "fit_seconds": round(result.train_seconds, 1),
        "images_per_second": round(result.images_per_second, 1),
        "history": {k: [float(v) for v in vs] for k, vs in logs.items()},
    }
    if threshold is not None:
        epoch = training.epochs_to(logs, "test_accuracy", threshold)
        record["threshold"] = threshold
        record["epoch_to_threshold"] = epoch
        record["seconds_to_threshold"] = (
            None if epoch is None else round(logs["train_time"][epoch - 1], 1)
        )
    return record


def _save(name, record, out):
    if out is None:
        path = results.save(name, record)
    else:
        path = Path(out) / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {path}", flush=True)
    return path


# ---------------------------------------------------------------------------------------
# Sub-commands
# ---------------------------------------------------------------------------------------
def cmd_lenet5(args):
    """LeNet-5 (classic and modern) with the full lenet5_mnist recipe on MNIST."""
    recipe = training.get_recipe("lenet5_mnist")
    split = data.load_mnist(subset="full")
    runs = {}
    for variant in ("classic", "modern"):
        keras.backend.clear_session()
        runtime.set_seed(SEED)
        model = build("lenet5", variant=variant)
        runs[variant] = run_with_test_curve(model, recipe, split, threshold=0.99)
    main = runs["classic"]
    record = {
        "name": "lenet5",
        "description": (
            "LeNet-5 on MNIST with the lenet5_mnist recipe, classic (tanh, average "
            "pooling) and modern (ReLU, max pooling) variants; top-level fields are "
            "the classic variant's. Test accuracy recorded after every epoch."
        ),
        "label": FULL,
        **{k: v for k, v in main.items() if k != "history"},
        "time_to_99": main["seconds_to_threshold"],
        "epoch_to_99": main["epoch_to_threshold"],
        "variants": runs,
        **_environment(),
    }
    return _save("lenet5", record, args.out)


def cmd_keras_io_mnist(args):
    """keras-io's simple MNIST convnet with its own recipe, measured like LeNet-5."""
    recipe = training.get_recipe("keras_io_mnist")
    (x_train, y_train), test = data.load_mnist(subset="full")
    # keras-io trains with validation_split=0.1: Keras holds out the last 10 % of the
    # training images, so the network sees the first 54,000.
    keep = int(len(x_train) * (1 - recipe.validation_split))
    split = ((x_train[:keep], y_train[:keep]), test)
    keras.backend.clear_session()
    runtime.set_seed(SEED)
    run = run_with_test_curve(keras_io_convnet(), recipe, split, threshold=0.99)
    record = {
        "name": "keras_io_mnist",
        "description": (
            "keras-io 'Simple MNIST convnet' (fchollet, "
            "https://keras.io/examples/vision/mnist_convnet/): Conv 32 3x3 ReLU, max "
            "pool 2, Conv 64 3x3 ReLU, max pool 2, flatten, dropout 0.5, dense softmax; "
            "Adam (lr 1e-3), batch 128, 15 epochs on the first 54,000 training images "
            "(its validation_split=0.1). Test accuracy recorded after every epoch, as "
            "for lenet5."
        ),
        "label": FULL,
        **run,
        "time_to_99": run["seconds_to_threshold"],
        "epoch_to_99": run["epoch_to_threshold"],
        **_environment(),
    }
    return _save("keras_io_mnist", record, args.out)


def relu_tanh_recipe(setting, epochs=None):
    """The relu_vs_tanh_cifar10 recipe with a setting's preprocessing and learning rate."""
    choice = RELU_TANH_SETTINGS[setting]
    changes = {"normalization": choice["normalization"], "learning_rate": choice["learning_rate"]}
    if epochs:
        changes["epochs"] = epochs
    return training.get_recipe("relu_vs_tanh_cifar10", **changes)


def cmd_relu_vs_tanh(args):
    """The same small network with ReLU and with tanh on CIFAR-10: epochs and seconds to
    25 % training error (Krizhevsky et al. 2012, Figure 1, in miniature), in the paper's
    setting and in the course's modern one."""
    split = data.load_cifar10(subset="full")
    target_error = 0.25
    settings = {}
    for setting in ("paper", "modern"):
        # At most --epochs (30) per network; each stops 2 epochs after reaching 25 %.
        recipe = relu_tanh_recipe(setting, args.epochs or 30)
        runs = {}
        for activation in ("relu", "tanh"):
            keras.backend.clear_session()
            runtime.set_seed(SEED)  # the same initial weights for both networks
            model = relu_tanh_convnet(activation, setting)
            stop = StopAfterTarget("accuracy", 1 - target_error, extra_epochs=2)
            history, result = training.train(
                model, recipe, data=split, validation=None, callbacks=[stop], seed=SEED
            )
            logs = history.history
            error = [1.0 - a for a in logs["accuracy"]]
            runs[activation] = {
                "model": model.name,
                "params": int(model.count_params()),
                "train_error": error,
                "seconds_per_epoch": logs["epoch_time"],
                "cumulative_seconds": logs["time"],
                "epochs_to_25": training.epochs_to(logs, "accuracy", 1 - target_error),
                "seconds_to_25": training.time_to(logs, "accuracy", 1 - target_error),
                "epochs_run": len(error),
                "final_train_error": error[-1],
                "test_accuracy": result.test_accuracy,
                "seconds": round(result.train_seconds, 1),
                "images_per_second": round(result.images_per_second, 1),
            }
        relu, tanh = runs["relu"], runs["tanh"]
        both = relu["epochs_to_25"] is not None and tanh["epochs_to_25"] is not None
        settings[setting] = {
            **RELU_TANH_SETTINGS[setting],
            "recipe_config": recipe.to_dict(),
            "runs": runs,
            "speedup_epochs": (tanh["epochs_to_25"] / relu["epochs_to_25"]) if both else None,
            "speedup_seconds": (tanh["seconds_to_25"] / relu["seconds_to_25"]) if both else None,
        }
        if relu["epochs_to_25"] is not None and tanh["epochs_to_25"] is None:
            # tanh needs more than the epochs it ran: the speed-up is at least this.
            settings[setting]["speedup_epochs_lower_bound"] = tanh["epochs_run"] / relu["epochs_to_25"]
            settings[setting]["speedup_seconds_lower_bound"] = (
                tanh["cumulative_seconds"][-1] / relu["seconds_to_25"]
            )
    paper = settings["paper"]
    record = {
        "name": "relu_vs_tanh",
        "description": (
            "Krizhevsky et al. (2012) Figure 1 in miniature: the same four-layer "
            "network (three 5x5 convs with 32, 32, 64 filters, 3x3/2 max pooling, "
            "softmax) with ReLU and with tanh, the same initial weights (same seed), "
            "SGD with momentum 0.9 at a constant learning rate, batch 128, no "
            "augmentation, on the 50,000 CIFAR-10 training images; training error = 1 "
            "- the epoch's running training accuracy. Two settings: 'paper' (AlexNet's "
            "N(0, 0.01) weights and mean subtraction on 0..255 pixels, learning rate "
            "0.003, the fastest for both of 0.0003, 0.001 and 0.003 on a short probe) "
            "and 'modern' (Glorot-uniform weights, standardised inputs, "
            "learning rate 0.01). The paper reports ReLU reaching 25 % training error "
            "six times faster than tanh (its own network, with a learning rate tuned "
            "for each)."
        ),
        "label": "miniature of the paper's experiment, measured on this machine",
        "recipe": "relu_vs_tanh_cifar10",
        "mode": runtime.mode(),
        "epochs": args.epochs or 30,
        "stopping": "each network stops 2 epochs after reaching the target, or after `epochs`",
        "train_images": int(len(split[0][0])),
        "target_train_error": target_error,
        "settings": settings,
        "speedup_epochs": paper["speedup_epochs"],
        "speedup_seconds": paper["speedup_seconds"],
        "seconds": round(
            sum(r["seconds"] for s in settings.values() for r in s["runs"].values()), 1
        ),
        **_environment(),
    }
    return _save("relu_vs_tanh", record, args.out)


def _cifar_partial(name, model, recipe, args, *, epochs, train_images, description):
    split = data.load_cifar10(subset="full")
    (x_train, y_train), test = split
    if train_images < len(x_train):
        keep = data.stratified_indices(y_train, train_images, seed=SEED)
        split = ((x_train[keep], y_train[keep]), test)
    full_recipe = recipe
    recipe = recipe.replace(epochs=epochs, warmup_epochs=min(recipe.warmup_epochs, epochs / 4))
    run = run_with_test_curve(model, recipe, split)
    partial = epochs < full_recipe.epochs or train_images < len(x_train)
    record = {
        "name": name,
        "description": description,
        "label": PARTIAL if partial else FULL,
        "full_recipe_epochs": full_recipe.epochs,
        **run,
        **_environment(),
    }
    return _save(name, record, args.out)


def cmd_alexnet_cifar10(args):
    """AlexNet (CIFAR-10 variant) with the alexnet_cifar10 recipe, shortened for a CPU."""
    keras.backend.clear_session()
    runtime.set_seed(SEED)
    model = build("alexnet", variant="cifar10")
    epochs, images = args.epochs or 3, args.train_images or 25000
    return _cifar_partial(
        "alexnet_cifar10",
        model,
        training.get_recipe("alexnet_cifar10"),
        args,
        epochs=epochs,
        train_images=images,
        description=(
            f"AlexNet, CIFAR-10 variant (build('alexnet', variant='cifar10')), with the "
            f"alexnet_cifar10 recipe (SGD momentum 0.9, lr 0.01 divided by 10 at 50 % "
            f"and 75 % of the run, weight decay, crops and flips) shortened to {epochs} "
            f"epochs on {images:,} training images so that it fits a CPU; the full "
            "recipe is 50 epochs on a GPU."
        ),
    )


def cmd_vgg_cifar10(args):
    """VGG-16 with batch norm for CIFAR-10 with the vgg_cifar10 recipe, shortened."""
    keras.backend.clear_session()
    runtime.set_seed(SEED)
    model = build(
        "vgg16", input_shape=(32, 32, 3), num_classes=10, fc_units=512, batch_norm=True
    )
    epochs, images = args.epochs or 3, args.train_images or 20000
    return _cifar_partial(
        "vgg_cifar10",
        model,
        training.get_recipe("vgg_cifar10"),
        args,
        epochs=epochs,
        train_images=images,
        description=(
            "VGG-16 with batch norm for CIFAR-10 (build('vgg16', input_shape=(32, 32, "
            "3), num_classes=10, fc_units=512, batch_norm=True)) with the vgg_cifar10 "
            "recipe (SGD momentum 0.9, lr 0.05, warm-up then cosine decay, weight "
            f"decay, crops and flips) shortened to {epochs} epochs on {images:,} "
            "training images (the same number of each class) so that it fits a CPU; "
            "the full recipe is 60 epochs on 50,000 images on a GPU."
        ),
    )


def stem_net(kernel, stride, padding, *, filters=48, name):
    """A first layer (the stem) under test, then just enough network to train it:
    3x3/2 max pooling, one 3x3 convolution, global average pooling, softmax."""
    inputs = keras.Input((64, 64, 3), name="input")
    x = layers.Conv2D(
        filters, kernel, strides=stride, padding=padding, activation="relu", name="stem_conv"
    )(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="block1_conv1")(x)
    x = layers.GlobalAveragePooling2D(name="head_pool")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def upsample(images, size=64, chunk=2000):
    """CIFAR-10 images resized (bilinear) to ``size`` x ``size``, as uint8."""
    parts = []
    for start in range(0, len(images), chunk):
        batch = tf.image.resize(images[start : start + chunk], (size, size), method="bilinear")
        parts.append(np.clip(np.round(batch.numpy()), 0, 255).astype(np.uint8))
    return np.concatenate(parts)


def high_frequency_share(kernel, stride, pad_to=32):
    """Per filter: the share of its spectral energy above the Nyquist frequency of its
    stride (1 / (2 * stride) cycles per pixel along either axis): what aliases."""
    k = np.asarray(kernel, np.float64)
    k = k - k.mean(axis=(0, 1), keepdims=True)
    spectrum = np.abs(np.fft.fft2(k, s=(pad_to, pad_to), axes=(0, 1))) ** 2
    spectrum = spectrum.sum(axis=2)  # over input channels -> (pad_to, pad_to, filters)
    freqs = np.abs(np.fft.fftfreq(pad_to))
    high = (freqs[:, None] > 1 / (2 * stride)) | (freqs[None, :] > 1 / (2 * stride))
    return (spectrum[high].sum(axis=0) / spectrum.sum(axis=(0, 1))).tolist()


def cmd_zfnet_stems(args):
    """AlexNet's first layer (11x11, stride 4) against ZFNet's (7x7, stride 2): the same
    small network trained with each on CIFAR-10 resized to 64x64; their filters, dead
    filters and high-frequency (aliasing) energy."""
    epochs, images = args.epochs or 10, args.train_images or 50000
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(subset="full")
    keep = data.stratified_indices(y_train, images, seed=SEED)
    split = ((upsample(x_train[keep]), y_train[keep]), (upsample(x_test[:2000]), y_test[:2000]))
    recipe = training.get_recipe("zfnet_cifar10", epochs=epochs)
    stems = {"alexnet": (11, 4, "valid"), "zfnet": (7, 2, "same")}
    runs = {}
    for name, (kernel, stride, padding) in stems.items():
        keras.backend.clear_session()
        runtime.set_seed(SEED)
        model = stem_net(kernel, stride, padding, name=f"stem_{name}")
        history, result = training.train(model, recipe, data=split, validation=None, seed=SEED)
        probe = data.pipeline(split[1][0][:1000], split[1][1][:1000], batch_size=250,
                              normalization=recipe.normalization)
        stem = keras.Model(model.input, model.get_layer("stem_conv").output)
        active = np.mean(np.concatenate(
            [(keras.ops.convert_to_numpy(stem(x, training=False)) > 0).mean(axis=(1, 2)) for x, _ in probe]
        ), axis=0)
        kernel_w, bias_w = model.get_layer("stem_conv").get_weights()
        runs[name] = {
            "kernel_size": kernel, "stride": stride, "padding": padding,
            "params": int(model.count_params()),
            "test_accuracy": result.test_accuracy,
            "seconds": round(result.train_seconds, 1),
            "images_per_second": round(result.images_per_second, 1),
            "active_fraction": active.tolist(),
            "dead_filters": int((active < 0.01).sum()),
            "high_frequency_share": high_frequency_share(kernel_w, stride),
            "kernel": np.round(kernel_w, 5).tolist(),
            "bias": np.round(bias_w, 5).tolist(),
        }
    record = {
        "name": "zfnet_stems",
        "description": (
            "The same small network (stem conv with 48 ReLU filters, 3x3/2 max pooling, "
            "one 3x3 conv with 64 filters, global average pooling, softmax) with "
            "AlexNet's stem (11x11, stride 4, no padding) and ZFNet's (7x7, stride 2), "
            f"trained with the zfnet_cifar10 recipe for {epochs} epochs on {images:,} "
            "CIFAR-10 images resized to 64x64. A filter is dead if its ReLU output is "
            "positive at under 1 % of the positions of 1,000 test images; its "
            "high-frequency share is the part of its spectral energy above the Nyquist "
            "frequency of its stride (what aliases)."
        ),
        "label": "miniature experiment, measured on this machine",
        "recipe": recipe.name,
        "mode": runtime.mode(),
        "epochs": epochs,
        "train_images": images,
        "runs": runs,
        **_environment(),
    }
    return _save("zfnet_stems", record, args.out)


COMMANDS = {
    "lenet5": cmd_lenet5,
    "keras_io_mnist": cmd_keras_io_mnist,
    "relu_vs_tanh": cmd_relu_vs_tanh,
    "alexnet_cifar10": cmd_alexnet_cifar10,
    "vgg_cifar10": cmd_vgg_cifar10,
    "zfnet_stems": cmd_zfnet_stems,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=[*COMMANDS, "all"])
    parser.add_argument("--epochs", type=int, default=None, help="override the epochs")
    parser.add_argument(
        "--train-images", type=int, default=None, help="CIFAR-10 runs: training images"
    )
    parser.add_argument("--out", default=None, help="write here instead of course_lib/results")
    args = parser.parse_args(argv)
    names = list(COMMANDS) if args.command == "all" else [args.command]
    for name in names:
        start = time.perf_counter()
        print(f"== {name} on {runtime.device_summary()}", flush=True)
        COMMANDS[name](args)
        print(f"== {name} took {time.perf_counter() - start:.0f} s wall-clock", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
