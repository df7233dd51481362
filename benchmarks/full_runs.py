"""Full-mode measurements that lessons 05-07 quote, run with the real data.

    python benchmarks/full_runs.py lenet5           # lesson 05: lenet5_mnist recipe
    python benchmarks/full_runs.py keras_io_mnist   # lesson 05: keras-io's convnet
    python benchmarks/full_runs.py relu_vs_tanh     # lesson 06a: AlexNet's Fig. 1
    python benchmarks/full_runs.py alexnet_cifar10  # lesson 06a: full recipe (GPU)
    python benchmarks/full_runs.py vgg_cifar10      # lesson 07: full recipe (GPU)
    python benchmarks/full_runs.py zfnet_stems      # lesson 06b: 11x11/4 vs 7x7/2
    python benchmarks/full_runs.py googlenet_cifar10    # lesson 08 (GPU)
    python benchmarks/full_runs.py resnet_cifar10       # lesson 09: ResNet-20 (GPU)
    python benchmarks/full_runs.py degradation          # lesson 09: plain vs residual
    python benchmarks/full_runs.py densenet_bc_cifar10  # lesson 10 (GPU)
    python benchmarks/full_runs.py mobilenet_v2_cifar10 # lesson 11 (GPU); also
                             # mobilenet_v1, squeezenet, shufflenet_v1, shufflenet_v2
    python benchmarks/full_runs.py all --tag h100_jax   # all, as *_h100_jax.json

On a 2-core CPU the CIFAR-10 recipes take hours; the lessons' CPU figures are shortened
runs, labelled as such: ``alexnet_cifar10 --epochs 3 --train-images 25000`` and
``vgg_cifar10 --epochs 3 --train-images 20000`` (saved untagged), and, with
``--tag cpu``, ``resnet_cifar10 --epochs 10 --train-images 20000``,
``densenet_bc_cifar10 --epochs 3 --train-images 6000``,
``googlenet_cifar10 --epochs 3 --train-images 6000`` and
``degradation --epochs 6 --train-images 10000``. Lessons read a run with
:func:`course_lib.results.best_run`: the GPU's full recipe when present, else the CPU's.

Runs on TensorFlow or JAX (``KERAS_BACKEND``). Each sub-command writes
``course_lib/results/<name>[_<tag>].json`` (``--out DIR`` writes to DIR instead): the
fields of :class:`course_lib.training.Result` (model, recipe, epochs, test accuracy,
training seconds, images/s, hardware, backend and its version, history, the effective
recipe) plus the run's own: ``name``, ``description``, ``label``, ``seconds``,
``cpu_count``, ``date`` and the exact ``command``.

Conventions, the same for every run:

- The data are the full MNIST / CIFAR-10 files (``COURSE_DATA_DIR`` or the cache); the
  script forces ``COURSE_MODE=full``. A run on fewer images or epochs than the recipe
  says so in ``label`` ("partial run, not the full recipe"), ``epochs_run`` and
  ``train_images``.
- ``seconds`` is training time only: the sum of the epochs' wall-clock times, without
  the test-set evaluation that :class:`~course_lib.training.TestSetMonitor` runs after
  every epoch to record the test accuracy curve; ``train_seconds`` includes it.
  ``time_to_99`` and ``epoch_to_99`` are read from that curve (MNIST: the first epoch
  whose test accuracy is at least 99 %).
- CIFAR-10 runs also record ``test_accuracy_images_0_999``, the accuracy on test images
  0-999 alone, and ``test_data``, where the test set came from. The course's offline
  copy (``../shared/data``) holds JPEG-recovered test images from 1000 on, which cost
  trained nets 3-8 points; only the 0-999 figure compares with published numbers there.
- ``images_per_second`` is the training throughput (the first, compiling epoch left
  out when there are two or more).
- Seed 0 everywhere, so a rerun on the same machine gives nearly the same numbers.
- ``relu_vs_tanh`` runs two settings: "paper" (AlexNet's N(0, 0.01) initialisation and
  mean-subtracted 0..255 pixels) and "modern" (Glorot initialisation, standardised
  pixels); each network stops two epochs after reaching 25 % training error.

Models that are not course builders of the lessons' families (keras-io's convnet, the
small ReLU/tanh network, the first-layer test network of ``zfnet_stems``) live in
``course_lib.models`` too; lessons rebuild them and compare their parameter count with
the one recorded here, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import argparse
import datetime
import functools
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

from course_lib import data, results, runtime, training  # noqa: E402
from course_lib._util import atomic_write_json  # noqa: E402
from course_lib.models import (  # noqa: E402
    build,
    high_frequency_share,
    keras_io_convnet,
    relu_tanh_convnet,
    stem_net,
    upsample,
)

SEED = 0
PARTIAL = "partial run, not the full recipe"
FULL = "full recipe"


# ------------------------------------------------------------------------------
# Training settings of the ReLU-vs-tanh experiment (the models are in course_lib)
# ------------------------------------------------------------------------------
# The two settings of the ReLU-vs-tanh experiment. "paper": AlexNet's own choices
# (section 5: weights from N(0, 0.01); section 2: the training set's mean subtracted
# from raw 0..255 pixels), with the learning rate that was fastest for both networks
# of 0.0003, 0.001 and 0.003 on a 10,000-image, 6-epoch probe. "modern":
# Glorot-uniform weights and inputs standardised to mean 0, std 1 per channel, as the
# rest of the course trains, with the recipe's learning rate.
RELU_TANH_SETTINGS = {
    "paper": {"init": "normal_0.01", "normalization": None, "learning_rate": 0.003},
    "modern": {
        "init": "glorot_uniform",
        "normalization": "cifar10",
        "learning_rate": 0.01,
    },
}


# ------------------------------------------------------------------------------
# Measuring
# ------------------------------------------------------------------------------
def _test_pipeline(recipe, x_test, y_test):
    return data.pipeline(
        x_test,
        y_test,
        batch_size=256,
        normalization=recipe.normalization,
        pad_to=recipe.pad_to,
    )


def _reproducible_args():
    """This run's arguments without ``--out DIR`` (where it wrote, a machine's path)."""
    args, skip = [], False
    for arg in sys.argv[1:]:
        if skip or arg.startswith("--out="):
            skip = False
            continue
        if arg == "--out":
            skip = True
            continue
        args.append(shlex.quote(arg))
    return args


def _environment():
    """What the Result does not record: the machine's cores, the date, the command."""
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "date": datetime.date.today().isoformat(),
        "command": "python benchmarks/full_runs.py " + " ".join(_reproducible_args()),
    }


def _shared(run):
    """The hardware and versions of a record that holds several runs, for its top."""
    keys = ("hardware", "backend", "backend_version", "keras_version", "mode")
    return {key: run[key] for key in keys}


# The course's offline copy: test images 1000-9999 JPEG-recovered (its README).
RECOVERED_TEST_BATCH = (
    "3efc7abf3b64f5984236583d95a12a72462afd5a415c21b40ff40c156fed9ada"
)


def _cifar10_test_identity():
    """Which CIFAR-10 test set was used, by its file's digest (no machine paths)."""
    folder = data.source("cifar10")
    if folder in (None, "synthetic"):
        return folder
    digest = data.sha256_of(Path(folder) / data.CIFAR10_TEST_FILE)
    kind = (
        "offline copy with JPEG-recovered test images 1000-9999"
        if digest == RECOVERED_TEST_BATCH
        else "test_batch.bin as found"
    )
    return {"test_batch_sha256": digest, "kind": kind}


def _accuracy_on(model, recipe, x, y):
    """Top-1 accuracy of ``model`` on uint8 images, preprocessed as in training."""
    predicted, _ = training.predict_classes(model, x, recipe=recipe)
    return float(np.mean(predicted == np.asarray(y).reshape(-1)))


def run_with_test_curve(model, recipe, split, *, threshold=None):
    """Trains ``model`` with ``recipe`` on ``split``, with a test curve per epoch.

    Returns the :class:`~course_lib.training.Result` fields plus this script's own
    (without the environment fields).
    """
    (_, _), (x_test, y_test) = split
    monitor = training.TestSetMonitor(_test_pipeline(recipe, x_test, y_test))
    history, result = training.train(
        model, recipe, data=split, validation=None, callbacks=[monitor], seed=SEED
    )
    record = result.to_dict() | {"seconds": round(monitor.train_time, 1)}
    if recipe.dataset == "cifar10":
        record["test_accuracy_images_0_999"] = _accuracy_on(
            model, recipe, x_test[:1000], y_test[:1000]
        )
        record["test_data"] = _cifar10_test_identity()
    if threshold is not None:
        logs = history.history
        epoch = training.epochs_to(logs, "test_accuracy", threshold)
        record["threshold"] = threshold
        record["epoch_to_threshold"] = epoch
        record["seconds_to_threshold"] = (
            None if epoch is None else round(logs["train_time"][epoch - 1], 1)
        )
    return record


def _save(name, record, args):
    name = f"{name}_{args.tag}" if args.tag else name
    if args.out is None:
        path = results.save(name, record)
    else:
        path = atomic_write_json(Path(args.out) / f"{name}.json", record)
    print(f"wrote {path}", flush=True)
    return path


# ------------------------------------------------------------------------------
# Sub-commands
# ------------------------------------------------------------------------------
def _mnist_run(recipe, args):
    """The recipe and MNIST, shortened by --epochs / --train-images, and its label."""
    (x_train, y_train), test = data.load_mnist(subset="full")
    images = args.train_images or len(x_train)
    partial = images < len(x_train) or (args.epochs or recipe.epochs) < recipe.epochs
    if images < len(x_train):
        keep = data.stratified_indices(y_train, images, seed=SEED)
        x_train, y_train = x_train[keep], y_train[keep]
    if args.epochs:
        recipe = recipe.replace(epochs=args.epochs)
    return recipe, ((x_train, y_train), test), PARTIAL if partial else FULL


def cmd_lenet5(args):
    """LeNet-5 (classic and modern) with the full lenet5_mnist recipe on MNIST."""
    recipe, split, label = _mnist_run(training.get_recipe("lenet5_mnist"), args)
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
        "label": label,
        **{k: v for k, v in main.items() if k != "history"},
        "time_to_99": main["seconds_to_threshold"],
        "epoch_to_99": main["epoch_to_threshold"],
        "variants": runs,
        **_environment(),
    }
    return _save("lenet5", record, args)


def cmd_keras_io_mnist(args):
    """keras-io's simple MNIST convnet with its own recipe, measured like LeNet-5."""
    recipe, split, label = _mnist_run(training.get_recipe("keras_io_mnist"), args)
    (x_train, y_train), test = split
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
            "https://keras.io/examples/vision/mnist_convnet/): Conv 32 3x3 ReLU, "
            "max pool 2, Conv 64 3x3 ReLU, max pool 2, flatten, dropout 0.5, dense "
            "softmax; "
            "Adam (lr 1e-3), batch 128, 15 epochs on the first 54,000 training images "
            "(its validation_split=0.1). Test accuracy recorded after every epoch, as "
            "for lenet5."
        ),
        "label": label,
        **run,
        "time_to_99": run["seconds_to_threshold"],
        "epoch_to_99": run["epoch_to_threshold"],
        **_environment(),
    }
    return _save("keras_io_mnist", record, args)


def relu_tanh_recipe(setting, epochs=None):
    """The relu_vs_tanh_cifar10 recipe with a setting's preprocessing and rate."""
    choice = RELU_TANH_SETTINGS[setting]
    changes = {
        "normalization": choice["normalization"],
        "learning_rate": choice["learning_rate"],
    }
    if epochs:
        changes["epochs"] = epochs
    return training.get_recipe("relu_vs_tanh_cifar10", **changes)


def cmd_relu_vs_tanh(args):
    """The same small network with ReLU and with tanh on CIFAR-10: epochs and seconds to
    25 % training error (Krizhevsky et al. 2012, Figure 1, in miniature), in the paper's
    setting and in the course's modern one."""
    split = data.load_cifar10(subset="full")
    (x_train, y_train), test = split
    if args.train_images and args.train_images < len(x_train):
        keep = data.stratified_indices(y_train, args.train_images, seed=SEED)
        split = ((x_train[keep], y_train[keep]), test)
    target_error = 0.25
    settings = {}
    for setting in ("paper", "modern"):
        # At most --epochs (30) per network; each stops 2 epochs after reaching 25 %.
        recipe = relu_tanh_recipe(setting, args.epochs or 30)
        runs = {}
        for activation in ("relu", "tanh"):
            keras.backend.clear_session()
            runtime.set_seed(SEED)  # the same initial weights for both networks
            model = relu_tanh_convnet(activation=activation, setting=setting)
            stop = training.StopAfterTarget(
                "accuracy", 1 - target_error, extra_epochs=2
            )
            history, result = training.train(
                model, recipe, data=split, validation=None, callbacks=[stop], seed=SEED
            )
            logs = history.history
            error = [1.0 - a for a in logs["accuracy"]]
            runs[activation] = result.to_dict() | {
                "train_error": error,
                "seconds_per_epoch": logs["epoch_time"],
                "cumulative_seconds": logs["time"],
                "epochs_to_25": training.epochs_to(logs, "accuracy", 1 - target_error),
                "seconds_to_25": training.time_to(logs, "accuracy", 1 - target_error),
                "final_train_error": error[-1],
                "seconds": round(result.train_seconds, 1),
            }
        relu, tanh = runs["relu"], runs["tanh"]
        both = relu["epochs_to_25"] is not None and tanh["epochs_to_25"] is not None
        settings[setting] = {
            **RELU_TANH_SETTINGS[setting],
            "config": recipe.to_dict(),
            "runs": runs,
            "speedup_epochs": (tanh["epochs_to_25"] / relu["epochs_to_25"])
            if both
            else None,
            "speedup_seconds": (tanh["seconds_to_25"] / relu["seconds_to_25"])
            if both
            else None,
        }
        if relu["epochs_to_25"] is not None and tanh["epochs_to_25"] is None:
            # tanh needs more than the epochs it ran: the speed-up is at least this.
            settings[setting]["speedup_epochs_lower_bound"] = (
                tanh["epochs_run"] / relu["epochs_to_25"]
            )
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
        "label": "miniature of the paper's experiment, measured on this machine"
        + ("" if len(split[0][0]) == 50000 else f" ({PARTIAL})"),
        "recipe": "relu_vs_tanh_cifar10",
        "mode": runtime.mode(),
        "max_epochs": args.epochs or 30,
        "stopping": (
            "each network stops 2 epochs after reaching the target, or after "
            "`max_epochs`"
        ),
        "train_images": int(len(split[0][0])),
        "target_train_error": target_error,
        "settings": settings,
        "speedup_epochs": paper["speedup_epochs"],
        "speedup_seconds": paper["speedup_seconds"],
        "seconds": round(
            sum(r["seconds"] for s in settings.values() for r in s["runs"].values()), 1
        ),
        **_shared(runs["relu"]),
        **_environment(),
    }
    return _save("relu_vs_tanh", record, args)


def _cifar_setup(recipe, args):
    """CIFAR-10 and the recipe, shortened by --epochs / --train-images.

    Returns the split, the recipe to run, and the sentence that says how it was
    shortened ("" for the full recipe).
    """
    split = data.load_cifar10(subset="full")
    (x_train, y_train), test = split
    images = args.train_images or len(x_train)
    if images < len(x_train):
        keep = data.stratified_indices(y_train, images, seed=SEED)
        split = ((x_train[keep], y_train[keep]), test)
    epochs = args.epochs or recipe.epochs
    shortened = (
        f" Shortened to {epochs} of its {recipe.epochs} epochs on {images:,} "
        "training images (the same number of each class)."
        if epochs < recipe.epochs or images < len(x_train)
        else ""
    )
    recipe = recipe.replace(
        epochs=epochs, warmup_epochs=min(recipe.warmup_epochs, epochs / 4)
    )
    return split, recipe, shortened


def _fresh_run(model, recipe, split):
    keras.backend.clear_session()
    runtime.set_seed(SEED)
    return run_with_test_curve(model(), recipe, split)


def _cifar_run(name, model, recipe, args, *, description):
    """A CIFAR-10 recipe, in full or shortened by --epochs / --train-images."""
    split, run_recipe, shortened = _cifar_setup(recipe, args)
    record = {
        "name": name,
        "description": description + shortened,
        "label": PARTIAL if shortened else FULL,
        "full_recipe_epochs": recipe.epochs,
        **_fresh_run(model, run_recipe, split),
        **_environment(),
    }
    return _save(name, record, args)


def cmd_alexnet_cifar10(args):
    """AlexNet (CIFAR-10 variant) with the alexnet_cifar10 recipe."""
    return _cifar_run(
        "alexnet_cifar10",
        lambda: build("alexnet", variant="cifar10"),
        training.get_recipe("alexnet_cifar10"),
        args,
        description=(
            "AlexNet, CIFAR-10 variant (build('alexnet', variant='cifar10')), with the "
            "alexnet_cifar10 recipe: SGD momentum 0.9, lr 0.01 divided by 10 at 50 % "
            "and 75 % of the run, weight decay, crops and flips, 50 epochs."
        ),
    )


def cmd_vgg_cifar10(args):
    """VGG-16 with batch norm for CIFAR-10 with the vgg_cifar10 recipe."""
    return _cifar_run(
        "vgg_cifar10",
        lambda: build(
            "vgg16",
            input_shape=(32, 32, 3),
            num_classes=10,
            fc_units=512,
            batch_norm=True,
        ),
        training.get_recipe("vgg_cifar10"),
        args,
        description=(
            "VGG-16 with batch norm for CIFAR-10 (build('vgg16', input_shape=(32, 32, "
            "3), num_classes=10, fc_units=512, batch_norm=True)) with the vgg_cifar10 "
            "recipe: SGD momentum 0.9, lr 0.05, 1 warm-up epoch then cosine decay, "
            "weight decay, crops and flips, 60 epochs on 50,000 images."
        ),
    )


def cmd_resnet_cifar10(args):
    """ResNet-20 (option A shortcuts) with the resnet_cifar10 recipe of He et al."""
    return _cifar_run(
        "resnet_cifar10",
        lambda: build("resnet_cifar", depth=20, shortcut="A"),
        training.get_recipe("resnet_cifar10"),
        args,
        description=(
            "ResNet-20 for CIFAR-10 (build('resnet_cifar', depth=20, shortcut='A')) "
            "with the resnet_cifar10 recipe of He et al. section 4.2: SGD momentum "
            "0.9, lr 0.1 divided by 10 at 32k and 48k iterations, 64k iterations "
            "(164 epochs), weight decay 1e-4, pad-4 crops and flips."
        ),
    )


def cmd_densenet_bc_cifar10(args):
    """DenseNet-BC (L=100, k=12) with the densenet_bc_cifar10 recipe of Huang et al."""
    return _cifar_run(
        "densenet_bc_cifar10",
        lambda: build("densenet_bc_cifar", depth=100, growth_rate=12),
        training.get_recipe("densenet_bc_cifar10"),
        args,
        description=(
            "DenseNet-BC (L=100, k=12) for CIFAR-10 (build('densenet_bc_cifar')) with "
            "the densenet_bc_cifar10 recipe of Huang et al.: SGD with Nesterov "
            "momentum 0.9, batch 64, lr 0.1 divided by 10 at 50 % and 75 %, weight "
            "decay 1e-4, crops and flips, 300 epochs."
        ),
    )


def cmd_googlenet_cifar10(args):
    """The compact GoogLeNet for CIFAR-10 with the googlenet_cifar10 recipe."""
    return _cifar_run(
        "googlenet_cifar10",
        lambda: build("googlenet_cifar"),
        training.get_recipe("googlenet_cifar10"),
        args,
        description=(
            "GoogLeNet, compact CIFAR-10 variant (build('googlenet_cifar')), with the "
            "googlenet_cifar10 recipe (VGG's CIFAR-10 recipe: SGD momentum 0.9, lr "
            "0.05, 1 warm-up epoch then cosine decay, weight decay, crops and flips, "
            "60 epochs)."
        ),
    )


LIGHTWEIGHT = (
    "mobilenet_v1",
    "mobilenet_v2",
    "squeezenet",
    "shufflenet_v1",
    "shufflenet_v2",
)


def cmd_lightweight(builder, args):
    """A lightweight net's CIFAR-10 variant with the lightweight_cifar10 recipe."""
    return _cifar_run(
        f"{builder}_cifar10",
        functools.partial(build, builder, variant="cifar10"),
        training.get_recipe("lightweight_cifar10"),
        args,
        description=(
            f"{builder}, CIFAR-10 variant (build({builder!r}, variant='cifar10')), "
            "with the lightweight_cifar10 recipe: SGD momentum 0.9, lr 0.05, 1 "
            "warm-up epoch then cosine decay, weight decay 4e-5, crops and flips, "
            "60 epochs."
        ),
    )


DEGRADATION_DEPTHS = (20, 56)


def cmd_degradation(args):
    """He et al.'s Figure 6 in miniature: plain and residual nets of 20 and 56 layers,
    the same recipe (resnet_cifar10, usually shortened), training and test curves."""
    split, recipe, shortened = _cifar_setup(training.get_recipe("resnet_cifar10"), args)
    runs = {}
    for depth in DEGRADATION_DEPTHS:
        for family, builder in (("plain", "plain_cifar"), ("resnet", "resnet_cifar")):
            name = f"{family}{depth}"
            print(f"-- {name}", flush=True)
            model = functools.partial(build, builder, depth=depth)
            runs[name] = _fresh_run(model, recipe, split)
    first = next(iter(runs.values()))
    record = {
        "name": "degradation_cifar10",
        "description": (
            "Plain and residual (option A) CIFAR-10 nets of "
            + " and ".join(map(str, DEGRADATION_DEPTHS))
            + " layers, each trained from seed 0 with the resnet_cifar10 recipe."
            + shortened
        ),
        "label": PARTIAL if shortened else FULL,
        "full_recipe_epochs": training.get_recipe("resnet_cifar10").epochs,
        "epochs": recipe.epochs,
        "train_images": first["train_images"],
        "runs": runs,
        **_shared(first),
        **_environment(),
    }
    return _save("degradation_cifar10", record, args)


def cmd_zfnet_stems(args):
    """AlexNet's first layer (11x11, stride 4) against ZFNet's (7x7, stride 2): the same
    small network trained with each on CIFAR-10 resized to 64x64; their filters, dead
    filters and high-frequency (aliasing) energy."""
    epochs, images = args.epochs or 10, args.train_images or 50000
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(subset="full")
    keep = data.stratified_indices(y_train, images, seed=SEED)
    split = (
        (upsample(x_train[keep]), y_train[keep]),
        (upsample(x_test[:2000]), y_test[:2000]),
    )
    recipe = training.get_recipe("zfnet_cifar10", epochs=epochs)
    stems = {"alexnet": (11, 4, "valid"), "zfnet": (7, 2, "same")}
    runs = {}
    for name, (kernel, stride, padding) in stems.items():
        keras.backend.clear_session()
        runtime.set_seed(SEED)
        model = stem_net(kernel, stride, padding, name=f"stem_{name}")
        history, result = training.train(
            model, recipe, data=split, validation=None, seed=SEED
        )
        probe = data.pipeline(
            split[1][0][:1000],
            split[1][1][:1000],
            batch_size=250,
            normalization=recipe.normalization,
        )
        stem = keras.Model(model.input, model.get_layer("stem_conv").output)
        active = np.mean(
            np.concatenate(
                [
                    (keras.ops.convert_to_numpy(stem(x, training=False)) > 0).mean(
                        axis=(1, 2)
                    )
                    for x, _ in probe
                ]
            ),
            axis=0,
        )
        kernel_w, bias_w = model.get_layer("stem_conv").get_weights()
        runs[name] = result.to_dict() | {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "seconds": round(result.train_seconds, 1),
            "active_fraction": active.tolist(),
            "dead_filters": int((active < 0.01).sum()),
            "high_frequency_share": high_frequency_share(kernel_w, stride).tolist(),
            "kernel": np.round(kernel_w, 5).tolist(),
            "bias": np.round(bias_w, 5).tolist(),
        }
    record = {
        "name": "zfnet_stems",
        "description": (
            "The same small network (stem conv with 48 ReLU filters, 3x3/2 max "
            "pooling, one 3x3 conv with 64 filters, global average pooling, softmax) "
            "with AlexNet's stem (11x11, stride 4, no padding) and ZFNet's (7x7, "
            "stride 2), "
            f"trained with the zfnet_cifar10 recipe for {epochs} epochs on {images:,} "
            "CIFAR-10 images resized to 64x64. A filter is dead if its ReLU output is "
            "positive at under 1 % of the positions of 1,000 test images; its "
            "high-frequency share is the part of its spectral energy above the Nyquist "
            "frequency of its stride (what aliases)."
        ),
        "label": "miniature experiment, measured on this machine",
        "recipe": recipe.name,
        "mode": runtime.mode(),
        "epochs_run": epochs,
        "train_images": images,
        "runs": runs,
        **_shared(runs["alexnet"]),
        **_environment(),
    }
    return _save("zfnet_stems", record, args)


COMMANDS = {
    "lenet5": cmd_lenet5,
    "keras_io_mnist": cmd_keras_io_mnist,
    "relu_vs_tanh": cmd_relu_vs_tanh,
    "alexnet_cifar10": cmd_alexnet_cifar10,
    "vgg_cifar10": cmd_vgg_cifar10,
    "zfnet_stems": cmd_zfnet_stems,
    "resnet_cifar10": cmd_resnet_cifar10,
    "degradation": cmd_degradation,
    "googlenet_cifar10": cmd_googlenet_cifar10,
    "densenet_bc_cifar10": cmd_densenet_bc_cifar10,
    **{
        f"{builder}_cifar10": functools.partial(cmd_lightweight, builder)
        for builder in LIGHTWEIGHT
    },
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="+", choices=[*COMMANDS, "all"])
    parser.add_argument("--epochs", type=int, default=None, help="override the epochs")
    parser.add_argument(
        "--train-images", type=int, default=None, help="CIFAR-10 runs: training images"
    )
    parser.add_argument(
        "--out", default=None, help="write here instead of course_lib/results"
    )
    parser.add_argument(
        "--tag", default="", help="suffix of the result names, e.g. h100_jax or cpu"
    )
    args = parser.parse_args(argv)
    names = list(COMMANDS) if "all" in args.command else args.command
    for name in names:
        start = time.perf_counter()
        print(f"== {name} on {runtime.device_summary()}", flush=True)
        COMMANDS[name](args)
        print(
            f"== {name} took {time.perf_counter() - start:.0f} s wall-clock", flush=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
