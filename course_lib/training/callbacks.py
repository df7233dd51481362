"""Callbacks the course trains with: epoch timing, compact progress, test-set curves.

See: lessons/05_lenet5.ipynb, lessons/06a_alexnet.ipynb.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import keras

__all__ = ["CompactProgress", "EpochTimer", "StopAfterTarget", "TestSetMonitor"]

TIME_KEY = "time"


class EpochTimer(keras.callbacks.Callback):
    """Adds wall-clock times to each epoch's logs (and so to the ``History``).

    ``logs["time"]`` is the seconds since training began (cumulative) and
    ``logs["epoch_time"]`` the seconds of that epoch, validation included. So
    histories can be plotted against time and :func:`time_to` can measure the time
    to reach an accuracy. ``train_seconds`` lists each epoch's training time without
    validation, for throughput. After a resumed run (``BackupAndRestore``) the clock
    restarts at 0.

    Example:
        >>> history = model.fit(ds, epochs=3, callbacks=[EpochTimer()])

    See: lessons/06a_alexnet.ipynb.
    """

    def __init__(self):
        super().__init__()
        self.train_seconds: list[float] = []
        self._start = self._epoch_start = self._test_start = None
        self._test_seconds = 0.0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self.train_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._test_seconds = 0.0

    def on_test_begin(self, logs=None):
        self._test_start = time.perf_counter()

    def on_test_end(self, logs=None):
        if self._test_start is not None and self._epoch_start is not None:
            self._test_seconds += time.perf_counter() - self._test_start
        self._test_start = None

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        epoch_time = now - self._epoch_start
        self.train_seconds.append(epoch_time - self._test_seconds)
        if logs is not None:
            logs["epoch_time"] = epoch_time
            logs[TIME_KEY] = now - self._start

    def on_train_end(self, logs=None):
        self._epoch_start = None


class CompactProgress(keras.callbacks.Callback):
    """Prints one short line per epoch, for notebooks::

        epoch  3/12  loss 0.0412  acc 98.71 %  val_loss 0.0391  val_acc 98.74 %  5.2 s

    Use it with ``model.fit(..., verbose=0)``; :func:`train` does so when
    ``verbose="compact"``. Accuracy-like metrics are shown in percent.

    Args:
        metrics: Which logged metrics to show, with their ``val_`` twins when present.

    Example:
        >>> model.fit(ds, epochs=3, verbose=0, callbacks=[CompactProgress()])

    See: lessons/05_lenet5.ipynb.
    """

    def __init__(self, metrics: Sequence[str] = ("loss", "accuracy")):
        super().__init__()
        self.metrics = tuple(metrics)
        self._epoch_start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        total = self.params.get("epochs") if self.params else None
        width = len(str(total)) if total else 1
        counter = f"{epoch + 1:>{width}}/{total}" if total else f"{epoch + 1}"
        parts = [f"epoch {counter}"]
        for prefix in ("", "val_"):
            for metric in self.metrics:
                key = prefix + metric
                if key in logs:
                    parts.append(_format_metric(key, logs[key]))
        seconds = logs.get("epoch_time")
        if seconds is None and self._epoch_start is not None:
            seconds = time.perf_counter() - self._epoch_start
        parts.append(f"{seconds:.1f} s")
        print("  ".join(parts), flush=True)


def _format_metric(key, value):
    short = key.replace("accuracy", "acc")
    if "acc" in short:
        return f"{short} {100 * float(value):.2f} %"
    return f"{short} {float(value):.4f}"


class TestSetMonitor(keras.callbacks.Callback):
    """Evaluates the test set after each epoch, for curves of test accuracy over time.

    Logs ``test_accuracy`` (and ``test_top5`` when the model was compiled with a
    ``top5_accuracy`` metric) and ``train_time``, the cumulative training seconds
    *without* these evaluations, so time-to-accuracy figures are not inflated by the
    measuring itself. Never choose hyperparameters on these curves.

    Args:
        test_data: Batches of ``(images, labels)`` (:func:`course_lib.data.pipeline`).
        verbose: Print one line per epoch.

    Example:
        >>> monitor = TestSetMonitor(test_ds)
        >>> history, result = train(model, recipe, callbacks=[monitor])

    See: benchmarks/full_runs.py.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, test_data, *, verbose: bool = True):
        super().__init__()
        self.test_data = test_data
        self.verbose = verbose
        self.train_time = 0.0
        self._start = None

    def on_train_begin(self, logs=None):
        self.train_time = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.train_time += time.perf_counter() - self._start
        scores = self.model.evaluate(self.test_data, verbose=0, return_dict=True)
        if logs is None:
            return
        logs["test_accuracy"] = float(scores["accuracy"])
        if "top5_accuracy" in scores:
            logs["test_top5"] = float(scores["top5_accuracy"])
        logs["train_time"] = self.train_time
        if self.verbose:
            print(
                f"    epoch {epoch + 1}: test accuracy "
                f"{100 * logs['test_accuracy']:.2f} %, {self.train_time:.1f} s of "
                "training so far",
                flush=True,
            )


class StopAfterTarget(keras.callbacks.Callback):
    """Stops ``extra_epochs`` epochs after ``metric`` first reaches ``target``.

    For time-to-accuracy experiments that need the curve only a little past the
    target (ReLU vs tanh: 25 % training error).

    Example:
        >>> stop = StopAfterTarget("accuracy", 0.75, extra_epochs=2)
    """

    def __init__(self, metric: str, target: float, extra_epochs: int = 2):
        super().__init__()
        self.metric, self.target, self.extra_epochs = metric, target, extra_epochs
        self.reached_at = None

    def on_train_begin(self, logs=None):
        self.reached_at = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.reached_at is None and logs.get(self.metric, -1) >= self.target:
            self.reached_at = epoch
        if self.reached_at is not None and epoch - self.reached_at >= self.extra_epochs:
            self.model.stop_training = True
