"""What train() checks and prepares before fitting: data, labels, model, callbacks.

Every check raises one ``ValueError`` that names the problem and the fix, before
Keras or the backend would fail deep inside ``fit()``.
"""

from __future__ import annotations

import keras
import numpy as np

from course_lib import data as course_data
from course_lib import runtime
from course_lib.training.recipes import COURSE_DATASETS

__all__ = ["smoke_subset"]


def check_data(data):
    try:
        (x_train, y_train), (x_test, y_test) = data
    except (TypeError, ValueError):
        raise ValueError(
            "data must be ((x_train, y_train), (x_test, y_test)) as the loaders "
            f"return. Received: {type(data).__name__}"
        ) from None
    arrays = [np.asarray(a) for a in (x_train, y_train, x_test, y_test)]
    if len(arrays[0]) != len(arrays[1]) or len(arrays[2]) != len(arrays[3]):
        raise ValueError(
            "Each split needs as many labels as images. Received: "
            f"x_train {arrays[0].shape}, y_train {arrays[1].shape}, "
            f"x_test {arrays[2].shape}, y_test {arrays[3].shape}"
        )
    for split, images in (("training", arrays[0]), ("test", arrays[2])):
        if len(images) == 0:
            raise ValueError(
                f"The {split} set is empty: train() needs images to "
                f"{'fit' if split == 'training' else 'evaluate'} on. "
                f"Received: x_{'train' if split == 'training' else 'test'}.shape="
                f"{images.shape}"
            )
        if images.dtype != np.uint8:
            raise ValueError(
                f"train() takes uint8 images (0..255) as the loaders return; the "
                "recipe's normalization turns them into the model's input. Convert "
                "with np.clip(x, 0, 255).astype('uint8') (scale 0..1 floats by 255 "
                f"first). Received: {split} images of dtype {images.dtype}"
            )
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def check_labels(labels: np.ndarray, split: str, num_classes: int) -> np.ndarray:
    """Integer class indices 0..num_classes-1, shape (N,): anything else is refused."""
    if labels.ndim == 2 and labels.shape[1] == num_classes and labels.shape[1] > 1:
        raise ValueError(
            f"The {split} labels look one-hot (shape {labels.shape}); train() takes "
            "integer class indices, shape (N,): pass labels.argmax(axis=1). "
            "(Label smoothing is a recipe field, label_smoothing=0.1.)"
        )
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"The {split} labels must be integer class indices of shape (N,). "
            f"Received: shape {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        hint = ""
        if np.issubdtype(labels.dtype, np.floating) and np.all(
            labels == np.round(labels)
        ):
            hint = " They are whole numbers: pass labels.astype('int64')."
        elif labels.dtype.kind in "USO":
            hint = (
                " Map names to indices first, e.g. "
                "np.unique(labels, return_inverse=True)[1]."
            )
        raise ValueError(
            f"The {split} labels must be integer class indices 0..{num_classes - 1}."
            f"{hint} Received: dtype {labels.dtype}"
        )
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"The {split} labels must lie in 0..{num_classes - 1} (the model has "
            f"{num_classes} outputs); they go from {low} to {high}. Build the model "
            "with num_classes equal to the number of classes, or fix the labels."
        )
    return labels


def check_model(model) -> int:
    """The number of classes of a classifier; a clear error for anything else."""
    if not isinstance(model, keras.Model):
        raise ValueError(
            "train() needs a Keras model (e.g. from course_lib.models.build). "
            f"Received: {type(model).__name__}"
        )
    shape = model.output_shape
    last = model.layers[-1] if model.layers else None
    pooled = isinstance(
        last, (keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D)
    )
    if not isinstance(shape, tuple) or len(shape) != 2 or pooled or not shape[-1]:
        raise ValueError(
            f"train() needs a classifier that outputs (batch, classes); {model.name} "
            f"outputs {shape}. A backbone built with include_top=False needs a head "
            "first, e.g. keras.layers.Dense(num_classes) on pooled features."
        )
    return int(shape[-1])


def check_callbacks(callbacks) -> list:
    callbacks = list(callbacks)
    for callback in callbacks:
        if not isinstance(callback, keras.callbacks.Callback):
            raise ValueError(
                "Each entry of `callbacks` must be a keras.callbacks.Callback "
                f"instance (did you pass the class, or a function?). Received: "
                f"{callback!r}"
            )
    return callbacks


def smoke_subset(data, *, sizes=None, seed: int = 0):
    """In smoke mode, a stratified subset of ``data`` (as the loaders give theirs).

    Full mode returns ``data`` unchanged. Splits already smaller than the smoke
    sizes (default: :data:`course_lib.data.SMOKE_SIZES` of CIFAR-10, 2,000 training
    and 500 test images) are kept whole. So an instructor's own dataset gets the
    same smoke/full behaviour as the course's.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = smoke_subset(my_data)
    """
    if not runtime.is_smoke():
        return data
    sizes = sizes or course_data.SMOKE_SIZES["cifar10"]
    parts = []
    for (x, y), n in zip(data, sizes, strict=True):
        if len(x) > n:
            try:
                index = course_data.stratified_indices(y, n, seed=seed)
            except ValueError:  # a class too small for an equal share
                rng = np.random.default_rng(seed)
                index = np.sort(rng.choice(len(x), size=n, replace=False))
            x, y = x[index], y[index]
        parts.append((x, y))
    return tuple(parts)


def load_data(recipe, data):
    """The recipe's dataset, or ``data`` subsetted for the mode, checked."""
    if data is None:
        if recipe.dataset not in COURSE_DATASETS:
            raise ValueError(
                f"Recipe {recipe.name!r} names dataset {recipe.dataset!r}, which the "
                f"course cannot load (it loads {', '.join(COURSE_DATASETS)}). Pass "
                "your arrays: train(model, recipe, data=((x_train, y_train), "
                "(x_test, y_test)))."
            )
        loader = {"mnist": course_data.load_mnist, "cifar10": course_data.load_cifar10}
        return check_data(loader[recipe.dataset]())
    return check_data(smoke_subset(check_data(data)))


def check_input_shape(model, x, recipe):
    image_shape = list(x.shape[1:]) + ([1] if x.ndim == 3 else [])
    raw_size = image_shape[0]
    if recipe.pad_to:
        image_shape[0] = image_shape[1] = recipe.pad_to
    expected = model.input_shape[1:]
    if len(expected) != 3 or any(
        e is not None and e != g for e, g in zip(expected, image_shape, strict=True)
    ):
        hint = ""
        if len(expected) == 3 and expected[0] and expected[0] != image_shape[0]:
            pad_to = None if expected[0] == raw_size else expected[0]
            hint = (
                f" Use recipe.replace(pad_to={pad_to}) or build the model for "
                f"{image_shape[0]}x{image_shape[1]} inputs."
            )
        raise ValueError(
            f"The model takes inputs of shape {tuple(expected)} but recipe "
            f"{recipe.name!r} gives {tuple(image_shape)} (pad_to={recipe.pad_to})."
            + hint
        )
