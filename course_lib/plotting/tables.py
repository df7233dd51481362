"""Confusion matrices and comparison bars."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from course_lib.plotting._figure import (
    WIDTH,
    NotebookFigure,
)


def confusion_matrix(
    y_true, y_pred, *, class_names=None, normalize=None, title=None
) -> Figure:
    """The confusion matrix of a classifier: true labels in rows, predictions in
    columns.

    Args:
        y_true: True labels, (N,).
        y_pred: Predicted labels, (N,).
        class_names: Names indexed by label; they also fix the number of classes.
        normalize: ``None`` (counts), ``"true"`` (each row sums to 1: recall per
            class), ``"pred"`` (columns sum to 1) or ``"all"``.
        title: Axes title.

    Returns:
        The figure (the matrix's axes and its colour bar).

    Example:
        >>> fig = confusion_matrix(y_test, y_pred, class_names=CIFAR10_CLASSES)

    See: lessons/05_lenet5.ipynb.
    """
    from sklearn.metrics import ConfusionMatrixDisplay
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    if len(y_true) != len(y_pred):
        raise ValueError(
            "`y_true` and `y_pred` must have the same length. "
            f"Received: {len(y_true)} and {len(y_pred)}"
        )
    if len(y_true) == 0:
        raise ValueError("`y_true` and `y_pred` are empty.")
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            "`normalize` must be None, 'true', 'pred' or 'all'. "
            f"Received: normalize={normalize!r}"
        )
    top = int(max(y_true.max(), y_pred.max()))
    num_classes = len(class_names) if class_names is not None else top + 1
    if top >= num_classes or min(y_true.min(), y_pred.min()) < 0:
        raise ValueError(
            f"Labels must lie in 0..{num_classes - 1} (class_names has "
            f"{num_classes} entries). Received: labels from "
            f"{min(y_true.min(), y_pred.min())} to {top}"
        )
    matrix = sk_confusion_matrix(
        y_true, y_pred, labels=np.arange(num_classes), normalize=normalize
    )
    size = min(WIDTH, 3.0 + 0.55 * num_classes)
    fig = NotebookFigure(figsize=(size, size * 0.85), layout="constrained")
    ax = fig.subplots()
    labels = list(class_names) if class_names is not None else None
    long_names = labels is not None and max(len(str(n)) for n in labels) > 3
    ConfusionMatrixDisplay(matrix, display_labels=labels).plot(
        ax=ax,
        cmap="Blues",
        colorbar=True,
        values_format=".2f" if normalize else "d",
        xticks_rotation=45 if long_names else "horizontal",
        include_values=num_classes <= 20,
    )
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    accuracy = float(np.mean(y_true == y_pred))
    default = (
        f"Confusion matrix ({len(y_true):,} images, accuracy {100 * accuracy:.2f} %)"
    )
    ax.set_title(title or default)
    return fig


def _short_number(value):
    """61706 -> '61.7K', 138357544 -> '138M', 0.01234 -> '0.0123'."""
    magnitude = abs(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


def bar_table(names, values, *, ylabel, title=None, log=False, annotate=True) -> Figure:
    """A bar chart comparing one quantity across models (params, mult-adds, times).

    Args:
        names: Bar labels (e.g. model names).
        values: One number per name.
        ylabel: What the values are, with units (e.g. ``"parameters"``).
        title: Axes title.
        log: Logarithmic y axis (for values spanning orders of magnitude).
        annotate: Write each value above its bar (``61.7K``, ``138M``...).

    Returns:
        The figure, with one axes.

    Example:
        >>> fig = bar_table(["LeNet-5", "VGG-16"], [61706, 138357544],
        ...                 ylabel="parameters", log=True)

    See: lessons/12_comparing_architectures.ipynb.
    """
    names = [str(n) for n in names]
    values = np.asarray(values, dtype=np.float64).ravel()
    if len(names) != len(values):
        raise ValueError(
            "`names` and `values` must have the same length. "
            f"Received: {len(names)} names and {len(values)} values"
        )
    if not names:
        raise ValueError("`names` and `values` are empty.")
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"`values` must be finite numbers. Received: {values.tolist()}"
        )
    if log and np.any(values <= 0):
        raise ValueError(
            "A log scale needs positive values. "
            f"Received: {dict(zip(names, values.tolist(), strict=False))}"
        )
    fig = NotebookFigure(figsize=(WIDTH, 4.5), layout="constrained")
    ax = fig.subplots()
    bars = ax.bar(names, values, color="tab:blue")
    if log:
        ax.set_yscale("log")
    if annotate:
        ax.bar_label(bars, labels=[_short_number(v) for v in values], padding=2)
        ax.margins(y=0.15)
    if len(names) > 6 or max(len(n) for n in names) > 12:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    ax.set_ylabel(ylabel)
    ax.set_title(title or ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return fig
