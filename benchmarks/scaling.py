"""Mixed precision and XLA, measured on this machine (read by lesson 13).

    python benchmarks/scaling.py --tag cpu_tf --smoke
    KERAS_BACKEND=jax python benchmarks/scaling.py --tag cpu_jax --smoke
    KERAS_BACKEND=jax python benchmarks/scaling.py --tag h100_jax

For a few models (a small convnet, ResNet-20, and in full runs VGG-16 and MobileNet
v2 at 32x32) and every combination of dtype policy (``float32``, ``mixed_float16``) and
XLA (``jit_compile`` on, off), measures training throughput with
``course_lib.scaling.time_training`` (random batches in memory; the first step, which
traces and compiles, separately), and the activation memory of one batch: computed
from the layers' output shapes at 32 and 16 bits, and measured on the real tensors
under each policy.

Writes ``course_lib/results/scaling_<tag>.json`` with the hardware and backend
(``measure.hardware()``). ``--smoke`` uses two small models, a batch of 32 and a few
steps, for a CPU; the default sizes are for a GPU.
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
from course_lib import measure, results, runtime, scaling  # noqa: E402
from course_lib.models import build  # noqa: E402

MODELS = {
    "small_convnet": scaling.small_convnet,
    "resnet20": lambda: build("resnet_cifar", depth=20),
    "vgg16": lambda: build("vgg16", input_shape=(32, 32, 3), num_classes=10),
    "mobilenet_v2": lambda: build("mobilenet_v2", variant="cifar10"),
}
SMOKE_MODELS = ("small_convnet", "resnet20")
POLICIES = ("float32", "mixed_float16")


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True, help="results file: scaling_<tag>")
    parser.add_argument("--smoke", action="store_true", help="small sizes, for a CPU")
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS))
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--steps", type=int, help="timed steps per repeat")
    parser.add_argument("--repeat", type=int, help="repeats (the best counts)")
    args = parser.parse_args(argv)
    smoke = dict(models=SMOKE_MODELS, batch_size=32, steps=2, repeat=1)
    full = dict(models=tuple(MODELS), batch_size=256, steps=20, repeat=3)
    for key, value in (smoke if args.smoke else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def memory(name: str, batch_size: int) -> dict:
    """Activation bytes of one batch: computed at 32/16 bits, measured per policy."""
    x = np.random.default_rng(0).random((batch_size, 32, 32, 3), dtype="float32")
    row = {}
    for policy in POLICIES:
        with scaling.dtype_policy(policy):
            model = MODELS[name]()
        if policy == "float32":
            row["params"] = model.count_params()
            row["activation_bytes_32bit"] = scaling.activation_bytes(
                model, batch_size, bits=32
            )
            row["activation_bytes_16bit"] = scaling.activation_bytes(
                model, batch_size, bits=16
            )
        row[f"measured_activation_bytes_{policy}"] = scaling.measured_activation_bytes(
            model, x
        )
        row[f"variable_bytes_{policy}"] = scaling.variable_bytes(model)
        del model
        keras.backend.clear_session()
    return row


def main(argv=None) -> int:
    args = parse(argv)
    runtime.set_seed(0)
    record = {
        **measure.hardware(),
        "mixed_precision_helps": runtime.mixed_precision_helps(),
        "command": shlex.join(
            [
                f"KERAS_BACKEND={keras.backend.backend()}",
                "python",
                "benchmarks/scaling.py",
            ]
            + list(argv or [])
        ),
        "batch_size": args.batch_size,
        "steps": args.steps,
        "repeat": args.repeat,
        "models": {},
    }
    for name in args.models:
        entry = memory(name, args.batch_size)
        entry["training"] = []
        for policy in POLICIES:
            for jit_compile in (True, False):
                keras.backend.clear_session()
                gc.collect()
                speed = scaling.time_training(
                    MODELS[name],
                    policy=policy,
                    jit_compile=jit_compile,
                    batch_size=args.batch_size,
                    steps=args.steps,
                    repeat=args.repeat,
                )
                entry["training"].append(
                    {"policy": policy, "jit_compile": jit_compile, **speed._asdict()}
                )
                print(
                    f"{name:<14} {policy:<14} jit_compile={jit_compile!s:<5} "
                    f"{speed.images_per_second:10,.0f} images/s  "
                    f"step {1e3 * speed.step_seconds:8.1f} ms  "
                    f"first step {speed.first_step_seconds:6.1f} s",
                    flush=True,
                )
        record["models"][name] = entry
    print("wrote", results.save(f"scaling_{args.tag}", record))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
