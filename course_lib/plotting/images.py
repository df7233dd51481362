"""Images, mistakes, filters and feature maps."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from course_lib.plotting._figure import (
    MAX_GRID_IMAGES,
    RIGHT,
    WIDTH,
    WRONG,
    NotebookFigure,
    _as_images,
    _check_length,
    _grid_figure,
    _label_name,
    _show_grid,
)


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
            titles = [f"{p} / {t}" for p, t in zip(preds, names, strict=False)]
            colors = [
                RIGHT if int(p) == int(t) else WRONG
                for p, t in zip(predictions, labels, strict=False)
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

    See: lessons/05_lenet5.ipynb, lessons/06b_zfnet.ipynb.
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
        e is not None and e != g
        for e, g in zip(expected, batch.shape[1:], strict=False)
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
