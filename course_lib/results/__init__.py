"""Measured results that lessons and the README quote: JSON files written by the scripts
in ``benchmarks/`` and ``tools/``, shipped inside the package so that a lesson opened in
Colab finds them too.

Every file records what produced it (``command``), the hardware and the date. Lessons
read them with :func:`load`; nothing in a lesson's prose is typed in by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

#: Tags of ``benchmarks/full_runs.py`` results, most complete first: the full recipe on
#: the course's reference GPU, then a shortened CPU run (tagged, or untagged as the
#: first CPU runs were saved).
RUN_TAGS = ("h100_jax", "cpu", "")


def path(name: str) -> Path:
    """The path of result ``name`` (without ``.json``)."""
    return FOLDER / f"{name}.json"


def available() -> list[str]:
    """Names of the results present."""
    return sorted(p.stem for p in FOLDER.glob("*.json"))


def load(name: str) -> dict:
    """Reads result ``name``; a missing one is a clear error naming what to run."""
    file = path(name)
    if not file.is_file():
        raise FileNotFoundError(
            f"No measured result {name!r} in {FOLDER}. Available: "
            f"{', '.join(available()) or 'none'}. "
            "Run the benchmark or tool that produces it (see README, 'Results')."
        )
    return json.loads(file.read_text())


def save(name: str, record: dict) -> Path:
    """Writes result ``name`` atomically (a temporary file renamed into place)."""
    file = path(name)
    tmp = file.with_suffix(".json.part")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(file)
    return file


def full_run_command(run: str, tag: str = RUN_TAGS[0]) -> str:
    """The command that measures ``run`` (a ``benchmarks/full_runs.py`` sub-command)."""
    return f"python benchmarks/full_runs.py {run} --tag {tag}"


def best_run(run: str, tags: Sequence[str] = RUN_TAGS) -> tuple[str, dict] | None:
    """The most complete stored result of a ``benchmarks/full_runs.py`` run.

    Args:
        run: The sub-command's name, e.g. ``"resnet_cifar10"``.
        tags: File tags to try, in order; ``""`` is the untagged ``<run>.json``.

    Returns:
        ``(name, record)`` of the first file present (by default the GPU's full
        recipe, else a shortened CPU run), or ``None`` when none is.

    Example:
        >>> name, record = best_run("vgg_cifar10")
        >>> name
        'vgg_cifar10_h100_jax'
    """
    present = set(available())
    for tag in tags:
        name = f"{run}_{tag}" if tag else run
        if name in present:
            return name, load(name)
    return None


def show_run(run: str) -> dict | None:
    """Prints the most complete stored run of ``run`` (:func:`best_run`) and returns it.

    Until the full recipe is on record, it first prints the command that measures it
    and, for a partial run, the hours the full recipe would take at the run's speed;
    with no file at all it returns ``None``.
    """
    stored = best_run(run)
    if stored is None or stored[1]["label"] != "full recipe":
        print(f"full recipe: not measured yet: {full_run_command(run)}")
    if stored is None:
        return None
    name, record = stored
    print(f"{name}:\n{describe_run(record)}")
    if record["label"] != "full recipe":
        hours = full_recipe_hours(record)
        print(f"  the full recipe at this speed: about {hours:.1f} h")
    return record


def full_recipe_hours(record: dict) -> float:
    """Hours the run's whole recipe would take at the speed the run measured."""
    from course_lib.data import FULL_SIZES  # the loaders, only when asked

    images = record["full_recipe_epochs"] * FULL_SIZES[record["dataset"]][0]
    return images / record["images_per_second"] / 3600


def describe_run(record: dict) -> str:
    """Three lines on a CIFAR-10 or MNIST training run: what, how long, how accurate.

    The label ("full recipe" or a partial run) comes first and in capitals, so a
    shortened run is never read as the recipe's result. The accuracy on test images
    0-999 is added where the file has it (the figure to compare with papers).
    """
    lines = [
        f"{record['label'].upper()}: {record['hardware']}, {record['backend']}, "
        f"{record['date']}",
        f"  {record['epochs_run']} of the recipe's {record['full_recipe_epochs']} "
        f"epochs on {record['train_images']:,} images: {record['seconds']:.0f} s of "
        f"training at {record['images_per_second']:,.0f} images/s",
    ]
    accuracy = (
        f"  test accuracy {100 * record['test_accuracy']:.2f} % on "
        f"{record['test_images']:,} images"
    )
    if "test_accuracy_images_0_999" in record:
        accuracy += (
            f", {100 * record['test_accuracy_images_0_999']:.2f} % on images 0-999"
        )
    return "\n".join([*lines, accuracy])
