"""The band each lesson's headline result must stay in when its recipe runs in full.

``make test-full`` (a GPU runtime) reruns the full recipes with
``benchmarks/full_runs.py --tag TAG``, executes the lessons in full mode, then checks
every results file ``<result>_<TAG>.json`` against its band here
(``tools/check_bands.py``): a recipe or builder change that costs accuracy fails it.

CIFAR-10 bands are on test images 0-999: the course's offline copy of the test set has
JPEG-recovered images from 1000 on, which cost trained nets 3-8 points, and only the
first thousand compare with published figures. With 1,000 images one standard error is
about 0.9 points at 90 % accuracy, so a band sits about one standard error under the
figure it protects.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["BANDS", "Band", "Outcome", "check", "field_value", "full_runs_on_record"]


@dataclasses.dataclass(frozen=True)
class Band:
    """One headline result and the least it may be.

    Attributes:
        lesson: The lesson that states the result (its notebook's stem).
        result: The results file's name without tag (``full_runs.py``'s sub-command).
        field: Where the figure is in the file, dotted
            (``variants.classic.test_accuracy``).
        minimum: The smallest accepted value.
        why: Where the minimum comes from.
    """

    lesson: str
    result: str
    field: str
    minimum: float
    why: str


_CIFAR = "test_accuracy_images_0_999"

BANDS = (
    Band(
        "05_lenet5",
        "lenet5",
        "variants.classic.test_accuracy",
        0.990,
        "the course's promise for LeNet-5 (the paper: 0.95 % error)",
    ),
    Band(
        "05_lenet5",
        "lenet5",
        "variants.modern.test_accuracy",
        0.990,
        "the course's promise for LeNet-5",
    ),
    Band(
        "05_lenet5",
        "keras_io_mnist",
        "test_accuracy",
        0.985,
        "keras-io's example states ~99 %",
    ),
    Band(
        "06a_alexnet",
        "alexnet_cifar10",
        _CIFAR,
        0.870,
        "measured 88.6-88.7 % on one H100 (Keras/JAX), less one standard error",
    ),
    Band(
        "07_vgg",
        "vgg_cifar10",
        _CIFAR,
        0.915,
        "measured 92.6-93.6 % on one H100 (Keras/JAX), less one standard error",
    ),
    Band(
        "09_resnet",
        "resnet_cifar10",
        _CIFAR,
        0.905,
        "He et al. report 91.25 % for ResNet-20; less one standard error",
    ),
    Band(
        "10_densenet",
        "densenet_bc_cifar10",
        _CIFAR,
        0.945,
        "Huang et al. report 95.49 % for DenseNet-BC (L=100, k=12); less one "
        "standard error",
    ),
)


def field_value(record: dict, field: str) -> Any:
    """The value at a dotted ``field`` of a results record (KeyError if absent)."""
    value: Any = record
    for key in field.split("."):
        value = value[key]
    return value


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A band checked against one results file."""

    band: Band
    name: str  # the results file's name
    value: float | None  # None: no such file, or no such field
    message: str

    @property
    def passed(self) -> bool:
        return self.value is not None and self.value >= self.band.minimum


def check(tag: str, *, only: list[str] | None = None) -> list[Outcome]:
    """Checks the results files ``<result>_<tag>`` against their bands.

    Args:
        tag: The suffix ``full_runs.py --tag`` wrote (e.g. ``h100_jax``).
        only: Result names to check (default: every band's).

    Returns:
        One :class:`Outcome` per band checked; a missing file or field, or a run
        labelled other than "full recipe", fails.
    """
    from course_lib import results

    outcomes = []
    for band in BANDS:
        if only is not None and band.result not in only:
            continue
        name = f"{band.result}_{tag}" if tag else band.result
        try:
            record = results.load(name)
            value = float(field_value(record, band.field))
        except FileNotFoundError:
            outcomes.append(Outcome(band, name, None, "no results file"))
            continue
        except (KeyError, TypeError, ValueError):
            outcomes.append(Outcome(band, name, None, f"no number at {band.field!r}"))
            continue
        if record.get("label") != "full recipe":
            label = record.get("label", "no label")
            outcomes.append(Outcome(band, name, None, f"not a full run ({label})"))
            continue
        verdict = "in band" if value >= band.minimum else "BELOW its band"
        message = (
            f"{value:.4f} {verdict} (minimum {band.minimum:.3f}: {band.why}); "
            f"{record.get('hardware', '?')}"
        )
        outcomes.append(Outcome(band, name, value, message))
    return outcomes


def full_runs_on_record() -> list[Outcome]:
    """Every full-recipe results file on record, checked against its band.

    Looks at ``<result>.json`` and ``<result>_<tag>.json`` for every band, whatever the
    tag; files of partial runs are left out. A band with no full run on record gives
    one outcome with ``value=None``. The README's "proven in full mode" table is made
    from this.
    """
    from course_lib import results

    outcomes = []
    for band in BANDS:
        names = [
            name
            for name in results.available()
            if name == band.result or name.startswith(f"{band.result}_")
        ]
        found = []
        for name in names:
            record = results.load(name)
            if record.get("label") != "full recipe":
                continue
            try:
                value = float(field_value(record, band.field))
            except (KeyError, TypeError, ValueError):
                continue
            verdict = "in band" if value >= band.minimum else "BELOW its band"
            found.append(
                Outcome(band, name, value, f"{verdict}; {record.get('hardware', '?')}")
            )
        outcomes += found or [Outcome(band, band.result, None, "no full run on record")]
    return outcomes
