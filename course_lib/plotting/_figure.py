"""The figure class and the helpers every plotting module shares."""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure


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
    fig = NotebookFigure(
        figsize=(min(WIDTH, cell * ncols + 0.4), height), layout="constrained"
    )
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
