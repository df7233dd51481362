"""Figures for the lessons: images, training curves, filters, feature maps, confusion
matrices, mistakes and comparison bars.

Every function returns a ``matplotlib.figure.Figure`` about 10 inches wide (a notebook's
width), with titles and labelled axes. The figures are made without pyplot, so they
work headless (no display, any backend) and are never shown twice: a figure appears
when it is the value of a notebook cell, or with ``display(fig)``; save one with
``fig.savefig("name.png")``. Nothing here calls ``plt.show()``.

Bad input raises ``ValueError`` that says what was expected and what was received.

See: lessons/01_image_classification.ipynb (first use), lessons/05_lenet5.ipynb.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = [
    "bar_table",
    "compare_curves",
    "confusion_matrix",
    "feature_maps",
    "filters",
    "image_grid",
    "NotebookFigure",
    "top_mistakes",
    "training_curves",
]

class NotebookFigure(Figure):
    """A Figure that shows itself as a PNG when it is a notebook cell's value.

    The figures here are made without pyplot (no global state, nothing shown twice), so
    Jupyter would otherwise print only their repr unless ``%matplotlib inline`` ran.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


WIDTH = 10.0  # inches: the width of a notebook's output area
MAX_GRID_IMAGES = 128
RIGHT, WRONG = "tab:green", "tab:red"
TIME_KEY = "time"


# --------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------
def _as_images(images, name="images"):
    """Checks a batch of images and returns it as (N, H, W, C) with C in (1, 3, 4)."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"`{name}` must be a batch of images, (N, H, W) or (N, H, W, C) with 1, 3 "
            f"or 4 channels. Received: {name}.shape={images.shape}"
        )
    if len(images) == 0:
        raise ValueError(f"`{name}` is empty. Received: {name}.shape={images.shape}")
    return images


def _display_ready(image, normalize):
    """One image scaled for imshow: floats in [0, 1] (or uint8), greys squeezed."""
    if normalize:
        image = image.astype(np.float64)
        low, high = image.min(), image.max()
        image = (image - low) / (high - low) if high > low else np.zeros_like(image)
    elif image.dtype != np.uint8:
        image = image.astype(np.float64)
        if image.min() < 0 or image.max() > 1:
            raise ValueError(
                "Float images must lie in [0, 1] to be shown as they are. Pass "
                "normalize=True to rescale each image (e.g. after mean/std "
                f"normalisation). Received: values in [{image.min():.3g}, "
                f"{image.max():.3g}]"
            )
    return image[..., 0] if image.shape[-1] == 1 else image


def _label_name(label, class_names, what):
    label = int(label)
    if class_names is None:
        return str(label)
    if not 0 <= label < len(class_names):
        raise ValueError(
            f"{what} {label} has no name: class_names has {len(class_names)} entries."
        )
    return str(class_names[label])


def _check_length(name, values, n):
    if values is not None and len(values) != n:
        raise ValueError(
            f"`{name}` must have one entry per image: {n} images but "
            f"{len(values)} {name}."
        )


def _grid_figure(n, ncols, aspect=1.0, title_lines=1):
    """A figure with ``n`` axes in rows of ``ncols`` (unused cells removed)."""
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"`ncols` must be an int >= 1. Received: ncols={ncols!r}")
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    cell = WIDTH / max(ncols, 4)
    height = nrows * (cell * aspect + 0.2 * title_lines) + 0.5
    fig = NotebookFigure(figsize=(min(WIDTH, cell * ncols + 0.4), height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.remove()
    for ax in axes[:n]:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, list(axes[:n])


def _show_grid(images, titles, colors, *, ncols, title, cmap, normalize, fontsize=None):
    images = _as_images(images)
    aspect = images.shape[1] / images.shape[2]
    fig, axes = _grid_figure(len(images), ncols, aspect=aspect)
    fontsize = fontsize or (9 if min(ncols, len(images)) <= 8 else 7)
    for i, ax in enumerate(axes):
        image = _display_ready(images[i], normalize)
        grey = image.ndim == 2
        limits = {}
        if grey:
            limits = {"vmin": 0, "vmax": 255 if image.dtype == np.uint8 else 1}
        ax.imshow(image, cmap=(cmap or "gray") if grey else None, **limits)
        if titles is not None:
            color = {"color": colors[i]} if colors else {}
            ax.set_title(titles[i], fontsize=fontsize, **color)
    if title:
        fig.suptitle(title)
    return fig


def image_grid(
    images,
    labels=None,
    *,
    class_names=None,
    predictions=None,
    ncols=8,
    title=None,
    cmap=None,
    normalize=False,
) -> Figure:
    """Shows a batch of images in a grid, titled with their labels.

    With ``predictions``, each title reads ``"pred / true"``, green when right and
    red when wrong.

    Args:
        images: uint8 (0..255) or float (0..1) images, (N, H, W) or (N, H, W, C)
            with 1 or 3 channels; at most :data:`MAX_GRID_IMAGES`.
        labels: Integer labels, one per image.
        class_names: Names indexed by label (e.g. ``data.CIFAR10_CLASSES``).
        predictions: Predicted labels, one per image (needs ``labels``).
        ncols: Images per row.
        title: Figure title.
        cmap: Colour map for one-channel images (default ``"gray"``).
        normalize: Rescale each image to [0, 1] by its own min and max (for
            standardised inputs).

    Returns:
        The figure, one axes per image.

    Example:
        >>> fig = image_grid(x_train[:16], y_train[:16], class_names=CIFAR10_CLASSES)

    See: lessons/01_image_classification.ipynb.
    """
    images = _as_images(images)
    n = len(images)
    if n > MAX_GRID_IMAGES:
        raise ValueError(
            f"image_grid shows at most {MAX_GRID_IMAGES} images; pass a slice such "
            f"as images[:32]. Received: {n} images"
        )
    _check_length("labels", labels, n)
    _check_length("predictions", predictions, n)
    if predictions is not None and labels is None:
        raise ValueError("`predictions` need `labels` to be compared with.")
    titles = colors = None
    if labels is not None:
        names = [_label_name(y, class_names, "Label") for y in labels]
        titles, colors = names, None
        if predictions is not None:
            preds = [_label_name(p, class_names, "Prediction") for p in predictions]
            titles = [f"{p} / {t}" for p, t in zip(preds, names)]
            colors = [
                RIGHT if int(p) == int(t) else WRONG
                for p, t in zip(predictions, labels)
            ]
            if title is None:
                right = sum(c == RIGHT for c in colors)
                title = f"prediction / true label: {right} of {n} right"
    return _show_grid(
        images,
        titles,
        colors,
        ncols=ncols,
        title=title,
        cmap=cmap,
        normalize=normalize,
    )


def top_mistakes(
    images,
    y_true,
    probs,
    *,
    class_names=None,
    n=16,
    ncols=8,
    normalize=False,
) -> Figure:
    """Shows the ``n`` wrong predictions the model was most confident about.

    Each title reads ``"pred (p) / true"``, where ``p`` is the probability the model
    gave its (wrong) prediction.

    Args:
        images: The images the probabilities are for (as :func:`image_grid`).
        y_true: True labels, (N,).
        probs: Class probabilities, (N, classes), e.g. from
            :func:`course_lib.training.predict_classes`.
        class_names: Names indexed by label.
        n: How many mistakes to show at most.
        ncols: Images per row.
        normalize: As :func:`image_grid`.

    Returns:
        The figure, one axes per mistake (one axes with a note when there is none).

    Example:
        >>> fig = top_mistakes(x_test, y_test, probs, class_names=MNIST_CLASSES)

    See: lessons/05_lenet5.ipynb.
    """
    images = _as_images(images)
    y_true = np.asarray(y_true).astype(int)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(
            "`probs` must be (N, classes) probabilities. "
            f"Received: probs.shape={probs.shape}"
        )
    _check_length("y_true", y_true, len(images))
    _check_length("probs", probs, len(images))
    if n < 1:
        raise ValueError(f"`n` must be >= 1. Received: n={n}")
    y_pred = probs.argmax(axis=1)
    confidence = probs[np.arange(len(probs)), y_pred]
    wrong = np.flatnonzero(y_pred != y_true)
    if wrong.size == 0:
        fig = NotebookFigure(figsize=(WIDTH, 1.5), layout="constrained")
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, f"No mistakes among {len(images)} images.", ha="center")
        ax.set_title("Most confident mistakes")
        return fig
    chosen = wrong[np.argsort(-confidence[wrong], kind="stable")][:n]
    titles = [
        f"{_label_name(y_pred[i], class_names, 'Prediction')} ({confidence[i]:.2f})"
        f" / {_label_name(y_true[i], class_names, 'Label')}"
        for i in chosen
    ]
    title = (
        f"The {len(chosen)} most confident mistakes "
        f"({wrong.size} wrong of {len(images)}): prediction (probability) / true"
    )
    return _show_grid(
        images[chosen],
        titles,
        [WRONG] * len(chosen),
        ncols=ncols,
        title=title,
        cmap=None,
        normalize=normalize,
        fontsize=8,
    )


# --------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------
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
    for ax, metric in zip(axes, metrics):
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

    See: lessons/06_alexnet_zfnet.ipynb, lessons/09_resnet.ipynb.
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


# --------------------------------------------------------------------------------------
# Filters and feature maps
# --------------------------------------------------------------------------------------
def _kernel_of(layer_or_weights):
    """(kernel, name) from a conv layer, a model (its first conv), or an array."""
    if hasattr(layer_or_weights, "layers"):  # a model: its first convolution
        for layer in layer_or_weights.layers:
            weights = layer.get_weights() if hasattr(layer, "get_weights") else []
            if weights and np.ndim(weights[0]) == 4:
                return np.asarray(weights[0]), layer.name
        raise ValueError(
            f"Model {layer_or_weights.name!r} has no layer with a 4-D conv kernel."
        )
    if hasattr(layer_or_weights, "get_weights"):
        weights = layer_or_weights.get_weights()
        name = layer_or_weights.name
        if not weights or np.ndim(weights[0]) != 4:
            raise ValueError(
                f"Layer {name!r} ({type(layer_or_weights).__name__}) has no 4-D "
                "conv kernel (height, width, in_channels, filters): pass a Conv2D."
            )
        return np.asarray(weights[0]), name
    if isinstance(layer_or_weights, (list, tuple)) and layer_or_weights:
        layer_or_weights = layer_or_weights[0]  # [kernel, bias] from get_weights()
    kernel = np.asarray(layer_or_weights)
    if kernel.ndim != 4:
        raise ValueError(
            "filters() needs a Conv2D layer, a model or a kernel array of shape "
            f"(height, width, in_channels, filters). Received: shape {kernel.shape}"
        )
    return kernel, "kernel"


def _unit_range(array):
    low, high = array.min(), array.max()
    return (array - low) / (high - low) if high > low else np.full_like(array, 0.5)


def filters(layer_or_weights, *, ncols=8, title=None, max_filters=64) -> Figure:
    """Shows convolution kernels as small images, each rescaled to its own range.

    Kernels with 3 input channels (a first layer on RGB images) are shown in colour;
    otherwise each input channel of each filter is a grey image (one per filter for a
    greyscale first layer).

    Args:
        layer_or_weights: A ``Conv2D`` layer, a model (its first layer with a 4-D
            kernel is used), or a kernel ``(height, width, in_channels, filters)``
            (or ``layer.get_weights()``).
        ncols: Images per row.
        title: Figure title (default: the layer name, kernel shape and count).
        max_filters: At most this many images.

    Returns:
        The figure, one axes per image shown.

    Example:
        >>> fig = filters(model.get_layer("block1_conv1"))

    See: lessons/05_lenet5.ipynb, lessons/06_alexnet_zfnet.ipynb.
    """
    kernel, name = _kernel_of(layer_or_weights)
    height, width, channels, count = kernel.shape
    if max_filters < 1:
        raise ValueError(
            f"`max_filters` must be >= 1. Received: max_filters={max_filters}"
        )
    if channels == 3:
        images = [_unit_range(kernel[..., f]) for f in range(count)]
        titles = [f"{f}" for f in range(count)]
    else:
        images = [
            _unit_range(kernel[:, :, c, f])[..., None]
            for f in range(count)
            for c in range(channels)
        ]
        titles = [
            f"{f}" if channels == 1 else f"{f}:{c}"
            for f in range(count)
            for c in range(channels)
        ]
    shown = min(len(images), max_filters)
    if title is None:
        what = "filters" if channels in (1, 3) else "filter:channel kernels"
        title = (
            f"{name}: {count} filters of {height}x{width}x{channels}"
            f" ({shown} {what} shown, each scaled to its own range)"
        )
    fig = _show_grid(
        np.stack(images[:shown]).astype(np.float32),
        titles[:shown],
        None,
        ncols=ncols,
        title=title,
        cmap="gray",
        normalize=False,
        fontsize=7,
    )
    for ax in fig.axes:
        for image in ax.get_images():
            image.set_interpolation("nearest")
    return fig


def feature_maps(
    model, layer_name, image, *, max_maps=16, ncols=8, title=None
) -> Figure:
    """Shows the activations (feature maps) of one named layer for one image.

    Args:
        model: A Keras model (functional or Sequential).
        layer_name: Name of a layer whose output is (batch, height, width, channels).
        image: One input, preprocessed as the model expects, (H, W), (H, W, C) or
            (1, H, W, C).
        max_maps: Show at most this many channels (the first ones).
        ncols: Maps per row.
        title: Figure title (default: layer name, output shape, count shown).

    Returns:
        The figure, one axes per map shown.

    Raises:
        ValueError: for an unknown layer (the message lists the available ones), a
            layer whose output is not a stack of maps, or an image of the wrong shape.

    Example:
        >>> fig = feature_maps(model, "block1_conv1", x[0])

    See: lessons/05_lenet5.ipynb.
    """
    import keras

    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(
            f"Model {model.name!r} has no layer {layer_name!r}. "
            f"Available layers: {', '.join(names)}."
        )
    layer = model.get_layer(layer_name)
    if len(layer.output.shape) != 4:
        spatial = [
            other.name
            for other in model.layers
            if len(getattr(other.output, "shape", ())) == 4
        ]
        raise ValueError(
            f"Layer {layer_name!r} outputs shape {tuple(layer.output.shape)}, not "
            f"feature maps (batch, height, width, channels). Layers with maps: "
            f"{', '.join(spatial) or 'none'}."
        )
    expected = tuple(model.input_shape[1:])
    batch = np.asarray(image, dtype=np.float32)
    if batch.ndim == len(expected) - 1:
        batch = batch[..., None]
    if batch.ndim == len(expected):
        batch = batch[None]
    if batch.shape[0] != 1 or any(
        e is not None and e != g for e, g in zip(expected, batch.shape[1:])
    ):
        raise ValueError(
            f"`image` must be one input of shape {expected} (or a batch of 1). "
            f"Received: image.shape={np.shape(image)}"
        )
    if max_maps < 1:
        raise ValueError(f"`max_maps` must be >= 1. Received: max_maps={max_maps}")
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    extractor = keras.Model(inputs, layer.output)
    maps = keras.ops.convert_to_numpy(extractor(batch, training=False))[0]
    height, width, channels = maps.shape
    shown = min(channels, max_maps)
    fig, axes = _grid_figure(shown, ncols, aspect=height / width)
    for c, ax in enumerate(axes):
        ax.imshow(maps[..., c], cmap="viridis", interpolation="nearest")
        ax.set_title(f"{c}", fontsize=8)
    fig.suptitle(
        title
        or f"{layer_name}: {shown} of {channels} maps, {height}x{width} "
        "(each coloured by its own range)"
    )
    return fig


# --------------------------------------------------------------------------------------
# Evaluation and comparison
# --------------------------------------------------------------------------------------
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
            f"Received: {dict(zip(names, values.tolist()))}"
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
