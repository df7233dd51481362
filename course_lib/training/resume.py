"""Resuming an interrupted train(): the whole run's logs kept beside the backup.

See: course_lib.training.loop.train (``checkpoint_dir``).
"""

from __future__ import annotations

import json
from pathlib import Path

import keras

from course_lib._util import atomic_write_json

__all__ = ["merge_history"]


class RunRecord(keras.callbacks.Callback):
    """Keeps the whole run's logs beside a ``BackupAndRestore`` backup.

    A resumed ``fit()`` knows only the epochs it runs itself; this record lets
    :func:`train` return the logs, times and epoch numbers of the whole run, and
    refuse a backup that belongs to another model or recipe.
    """

    FILE = "course_run.json"

    def __init__(self, folder, identity):
        super().__init__()
        self.path = Path(folder) / self.FILE
        self.identity = identity
        self.previous = self._read()
        self.logs: dict[str, list] = {}

    def _read(self):
        if not self.path.exists():
            return None
        try:
            record = json.loads(self.path.read_text())
            record["identity"], record["history"]  # noqa: B018 (both must exist)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise RuntimeError(
                f"The run record {self.path} is unreadable ({err}). Delete the folder "
                f"{self.path.parent} to start this run from epoch 1."
            ) from None
        if record["identity"] != self.identity:
            raise ValueError(
                f"checkpoint_dir {self.path.parent} holds the backup of another run "
                f"({record['identity']}), not of this one ({self.identity}). Use a "
                "separate checkpoint_dir per model and recipe, or delete that folder "
                "to discard the old backup."
            )
        return record

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.logs.setdefault(key, []).append(float(value))
        merged = merge_history(
            self.previous,
            self.logs,
            first_epoch=epoch + 1 - len(next(iter(self.logs.values()), [])),
        )
        atomic_write_json(self.path, {"identity": self.identity, "history": merged})

    def discard(self):
        self.path.unlink(missing_ok=True)


def merge_history(previous, logs, *, first_epoch: int) -> dict[str, list]:
    """The logs of epochs ``0..first_epoch-1`` from ``previous``, then ``logs``.

    Times logged by :class:`EpochTimer` restart at 0 in a resumed run: they are
    shifted by the time the earlier part took.
    """
    before = {
        key: list(values[:first_epoch])
        for key, values in ((previous or {}).get("history") or {}).items()
    }
    offset = before["time"][-1] if before.get("time") else 0.0
    merged = {key: list(values) for key, values in before.items()}
    for key, values in logs.items():
        shift = offset if key == "time" else 0.0
        merged.setdefault(key, [])
        merged[key] = merged[key][:first_epoch] + [v + shift for v in values]
    return merged
