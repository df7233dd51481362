"""One schema for what a training run reached: :class:`Result`, and history readers.

``train()`` returns a :class:`Result`; the scripts in ``benchmarks/`` write the same
fields (plus their own extras) into ``course_lib/results/*.json``.

See: lessons/05_lenet5.ipynb, lessons/06a_alexnet.ipynb.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras

from course_lib._util import atomic_write_json, check_choice
from course_lib.training.callbacks import TIME_KEY

__all__ = ["Result", "epochs_to", "time_to"]


@dataclasses.dataclass
class Result:
    """What one training run reached, how fast, and on what.

    Attributes:
        model_name: ``model.name``.
        recipe: The recipe's name.
        dataset: The recipe's dataset name (``"mnist"``, ``"cifar10"`` or your own).
        mode: ``"smoke"`` or ``"full"``.
        epochs_run: Epochs completed (counting those before a resume).
        test_accuracy: Top-1 accuracy on the test set, 0..1.
        test_top5: Top-5 accuracy, or ``None`` with 5 classes or fewer.
        test_loss: Test cross-entropy.
        train_seconds: Wall-clock seconds of ``fit`` (validation included).
        images_per_second: Training throughput, without validation; the first
            epoch (graph tracing) is left out when there were two or more.
        params: Number of model parameters.
        hardware: :func:`course_lib.runtime.device_summary`.
        backend: The Keras backend, ``"tensorflow"`` or ``"jax"``.
        backend_version: The backend package's version.
        keras_version: ``keras.__version__``.
        timestamp: When the run ended (UTC, ISO 8601).
        train_images: Images in the training set used.
        test_images: Images in the test set used.
        batch_size: Batch size used.
        class_names: Names of the classes, by label, when known.
        history: The per-epoch logs (``History.history``), JSON-ready; after a
            resumed run, the whole run's logs.
        config: The effective recipe (:meth:`Recipe.to_dict`).

    Example:
        >>> history, result = train(model, get_recipe("lenet5_mnist"))
        >>> result.to_json("results/lenet5.json")

    See: lessons/05_lenet5.ipynb, lessons/12_comparing_architectures.ipynb.
    """

    model_name: str
    recipe: str
    dataset: str
    mode: str
    epochs_run: int
    test_accuracy: float
    test_top5: float | None
    test_loss: float
    train_seconds: float
    images_per_second: float
    params: int
    hardware: str
    backend: str
    backend_version: str
    keras_version: str
    timestamp: str
    train_images: int = 0
    test_images: int = 0
    batch_size: int = 0
    class_names: list[str] | None = None
    history: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    config: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return dataclasses.asdict(self)

    def to_json(self, path: str | os.PathLike) -> Path:
        """Writes the result to ``path`` as JSON (atomically) and returns the path."""
        return atomic_write_json(path, self.to_dict())

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> Result:
        """Reads a result written by :meth:`to_json` (unknown keys are ignored).

        Results written before the course ran on several backends name
        ``tensorflow_version`` instead of ``backend`` and ``backend_version``.

        Raises:
            ValueError: if required fields are missing.
        """
        return cls.from_dict(json.loads(Path(path).read_text()), source=path)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], *, source: Any = "dict") -> Result:
        """A result from a dict as :meth:`to_dict` makes (extra keys are ignored)."""
        values = dict(values)
        if "tensorflow_version" in values and "backend" not in values:
            values["backend"] = "tensorflow"
            values["backend_version"] = values["tensorflow_version"]
        path = source
        fields = {f.name: f for f in dataclasses.fields(cls)}
        missing = [
            name
            for name, f in fields.items()
            if name not in values
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise ValueError(
                f"{path} is not a training result: it lacks {', '.join(missing)}."
            )
        return cls(**{k: v for k, v in values.items() if k in fields})

    def __str__(self) -> str:
        top5 = ""
        if self.test_top5 is not None:
            top5 = f", top-5 {100 * self.test_top5:.2f} %"
        return (
            f"{self.model_name} on {self.dataset} ({self.recipe}, {self.mode} mode): "
            f"test accuracy {100 * self.test_accuracy:.2f} %{top5}, "
            f"{self.epochs_run} epochs in {self.train_seconds:.1f} s "
            f"({self.images_per_second:,.0f} images/s) on {self.hardware}, "
            f"Keras {self.keras_version} / {self.backend} {self.backend_version}"
        )


def _history_dict(history) -> dict[str, list]:
    """The per-epoch logs of a ``History``, a :class:`Result` or a dict of lists."""
    if isinstance(history, Result):
        return history.history
    if isinstance(history, keras.callbacks.History):
        return history.history
    if isinstance(history, Mapping):
        return dict(history)
    raise ValueError(
        "Expected a keras History, a Result or a dict of per-epoch lists. "
        f"Received: {type(history).__name__}"
    )


def _crossing(history, metric, threshold, mode):
    logs = _history_dict(history)
    check_choice("mode", mode, ("max", "min"))
    if metric not in logs:
        raise ValueError(
            f"The history has no {metric!r}. Available: {', '.join(sorted(logs))}."
        )
    for index, value in enumerate(logs[metric]):
        if (value >= threshold) if mode == "max" else (value <= threshold):
            return index
    return None


def epochs_to(history, metric: str, threshold: float, mode: str = "max") -> int | None:
    """The first epoch (counting from 1) at which ``metric`` reaches ``threshold``.

    Args:
        history: A keras ``History``, a :class:`Result` or a dict of per-epoch lists.
        metric: A logged metric, e.g. ``"accuracy"`` or ``"val_loss"``.
        threshold: The value to reach.
        mode: ``"max"``: reached when ``value >= threshold`` (accuracies);
            ``"min"``: when ``value <= threshold`` (losses, errors).

    Returns:
        The number of epochs it took, or ``None`` if it never got there.

    Example:
        >>> epochs_to({"accuracy": [0.5, 0.7, 0.8]}, "accuracy", 0.75)
        3

    See: lessons/06a_alexnet.ipynb (25 % training error, ReLU vs tanh).
    """
    index = _crossing(history, metric, threshold, mode)
    if index is None:
        return None
    # A History of a resumed fit() counts its epochs from where the run resumed.
    epochs = getattr(history, "epoch", None)
    if isinstance(history, keras.callbacks.History) and epochs:
        if len(epochs) == len(history.history[metric]):
            return int(epochs[index]) + 1
    return index + 1


def time_to(history, metric: str, threshold: float, mode: str = "max") -> float | None:
    """Cumulative seconds of training when ``metric`` first reaches ``threshold``.

    Needs the ``"time"`` key that :class:`EpochTimer` logs (:func:`train` adds it).
    Arguments as :func:`epochs_to`.

    Returns:
        Seconds since training began, at the end of that epoch, or ``None``.

    Example:
        >>> time_to({"accuracy": [0.5, 0.8], "time": [2.0, 4.1]}, "accuracy", 0.75)
        4.1

    See: lessons/06a_alexnet.ipynb.
    """
    logs = _history_dict(history)
    if TIME_KEY not in logs:
        raise ValueError(
            f"The history has no {TIME_KEY!r}: train with the EpochTimer callback "
            f"(train() adds it). Available: {', '.join(sorted(logs))}."
        )
    index = _crossing(logs, metric, threshold, mode)
    return None if index is None else float(logs[TIME_KEY][index])
