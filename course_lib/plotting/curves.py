"""Training curves and comparisons of runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course_lib.plotting._figure import (
    TIME_KEY,
    WIDTH,
    NotebookFigure,
)


def _logs(history, what="history"):
    """Per-epoch logs and epoch numbers (from 1) of a History, Result or dict."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise ValueError(
            f"`{what}` must be a keras History, a training Result or a dict of "
            f"per-epoch lists. Received: {type(history).__name__}"
        )
    epochs = getattr(history, "epoch", None)
    if not isinstance(epochs, Sequence) or not epochs:
        lengths = [len(v) for v in logs.values()]
        epochs = range(max(lengths, default=0))
    return dict(logs), [e + 1 for e in epochs]


def _missing_metric(metric, logs, what="history"):
    return ValueError(
        f"The {what} has no {metric!r}. Available: {', '.join(sorted(logs)) or 'none'}."
    )


def training_curves(history, *, metrics=("loss", "accuracy"), title=None) -> Figure:
    """Training and validation curves, one panel per metric, epochs on x.

    Args:
        history: A keras ``History`` (from ``fit`` or
            :func:`course_lib.training.train`), a
            :class:`course_lib.training.Result`, or a dict of per-epoch lists.
        metrics: The metrics to plot; each panel shows ``metric`` (train) and
            ``val_metric`` when logged.
        title: Figure title.

    Returns:
        The figure, one axes per metric.

    Example:
        >>> fig = training_curves(history, metrics=("loss", "accuracy"))

    See: lessons/05_lenet5.ipynb.
    """
    logs, epochs = _logs(history)
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not metrics:
        raise ValueError("`metrics` must name at least one metric. Received: ()")
    for metric in metrics:
        if metric not in logs:
            raise _missing_metric(metric, logs)
    fig = NotebookFigure(figsize=(WIDTH, 3.8), layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    marker = "o" if len(epochs) <= 30 else None
    for ax, metric in zip(axes, metrics, strict=False):
        ax.plot(epochs, logs[metric], marker=marker, label="train")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], marker=marker, label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric.replace("_", " "))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def compare_curves(
    histories: Mapping,
    metric="loss",
    *,
    x="epoch",
    title=None,
    reference=None,
) -> Figure:
    """Several runs' curves of one metric on one axes (ReLU vs tanh, plain vs residual).

    Args:
        histories: ``{run name: history}``, each a keras ``History``, a training
            ``Result`` or a dict of per-epoch lists.
        metric: The logged metric to compare, e.g. ``"loss"`` or ``"val_accuracy"``.
        x: ``"epoch"``, or ``"time"``: cumulative wall-clock seconds, from the
            ``"time"`` key that :class:`course_lib.training.EpochTimer` logs.
        title: Axes title (default: the metric against ``x``).
        reference: A value of ``metric`` to mark with a dashed line (e.g. 0.75
            accuracy: 25 % training error).

    Returns:
        The figure, with one axes.

    Example:
        >>> fig = compare_curves({"ReLU": h_relu, "tanh": h_tanh}, "accuracy", x="time")

    See: lessons/06a_alexnet.ipynb, lessons/09_resnet.ipynb.
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError(
            "`histories` must be a non-empty dict {run name: history}. "
            f"Received: {histories!r:.80}"
        )
    if x not in ("epoch", "time"):
        raise ValueError(f"`x` must be 'epoch' or 'time'. Received: x={x!r}")
    fig = NotebookFigure(figsize=(WIDTH, 4.5), layout="constrained")
    ax = fig.subplots()
    for name, history in histories.items():
        logs, epochs = _logs(history, what=f"histories[{name!r}]")
        if metric not in logs:
            raise _missing_metric(metric, logs, what=f"run {name!r}")
        if x == "time":
            if TIME_KEY not in logs:
                raise ValueError(
                    f"Run {name!r} has no {TIME_KEY!r} log: train with the EpochTimer "
                    "callback (course_lib.training.train adds it) or use x='epoch'."
                )
            xs = logs[TIME_KEY]
        else:
            xs = epochs
        marker = "o" if len(xs) <= 30 else None
        ax.plot(xs, logs[metric], marker=marker, label=str(name))
    if reference is not None:
        label = f"{metric} = {reference:g}"
        ax.axhline(reference, color="0.4", linestyle="--", label=label)
    ax.set_xlabel("epoch" if x == "epoch" else "wall-clock time (s)")
    ax.set_ylabel(metric)
    if x == "epoch":
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    against = "epoch" if x == "epoch" else "wall-clock time"
    ax.set_title(title or f"{metric.replace('_', ' ')} against {against}")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
