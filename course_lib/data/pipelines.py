"""Input pipelines: uint8 arrays in, batches of normalised float32 images out.

:func:`pipeline` is what lessons call. It checks its arguments once, then builds one of
two engines that give the same batches:

- ``"tf.data"``: a ``tf.data.Dataset`` (through ``course_lib._backend``), the fast path
  when Keras runs on TensorFlow;
- ``"numpy"``: :class:`ArrayBatches`, a ``keras.utils.PyDataset`` in plain NumPy that
  every backend (JAX included) can train on.

``engine="auto"`` picks tf.data on TensorFlow and NumPy elsewhere. :func:`first_batch`
returns one batch as NumPy arrays whatever the engine, for showing images.

See: lessons/00_setup.ipynb
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import keras
import numpy as np

from course_lib import _backend
from course_lib._util import check_bool, check_choice, did_you_mean, is_int
from course_lib.data import catalog
from course_lib.data.transforms import pad_images, random_crop_flip

__all__ = ["ENGINES", "ArrayBatches", "first_batch", "pipeline"]

ENGINES = ("auto", "tf.data", "numpy")
NAMED_NORMALIZATIONS = (None, "unit", "mnist", "cifar10")
AUGMENT_PAD = 4  # pixels of zeros around each image before the random crop

Normalization = str | tuple[Sequence[float], Sequence[float]] | Callable | None


@dataclasses.dataclass(frozen=True)
class _Inputs:
    """The checked arguments of a pipeline, ready for either engine."""

    x: np.ndarray  # uint8 (N, H, W, C), already padded to pad_to
    y: np.ndarray  # int32 (N,)
    batch_size: int
    training: bool
    augment: bool
    scale: np.float32  # images become (x * scale - mean) / std, then transform(...)
    mean: np.ndarray
    std: np.ndarray
    transform: Callable | None
    num_classes: int | None
    seed: int | None
    drop_remainder: bool = False  # only ever True when there is a full batch


def _normalization_error(normalization) -> ValueError:
    named = [n for n in NAMED_NORMALIZATIONS if n]
    hint = did_you_mean(normalization, named) if isinstance(normalization, str) else ""
    return ValueError(
        "normalization must be None, 'unit', 'mnist', 'cifar10', a (mean, std) pair "
        "of per-channel sequences on the 0..1 scale, or a function of float32 images "
        f"in 0..255{hint}. Received: normalization={normalization!r}"
    )


def _statistics(normalization, channels: int):
    """``(scale, mean, std, transform)`` for a normalisation and a channel count."""
    scale = np.float32(1.0 / 255.0)
    zeros, ones = np.zeros(channels, np.float32), np.ones(channels, np.float32)
    if normalization is None or callable(normalization):
        return np.float32(1.0), zeros, ones, normalization
    if isinstance(normalization, str):
        if normalization not in NAMED_NORMALIZATIONS:
            raise _normalization_error(normalization)
        if normalization == "unit":
            return scale, zeros, ones, None
        mean, std = catalog.MEAN[normalization], catalog.STD[normalization]
    elif isinstance(normalization, (tuple, list)) and len(normalization) == 2:
        mean, std = normalization
    else:
        raise _normalization_error(normalization)
    try:
        mean = np.asarray(mean, np.float32).reshape(-1)
        std = np.asarray(std, np.float32).reshape(-1)
    except (TypeError, ValueError) as err:
        raise _normalization_error(normalization) from err
    if len(mean) != channels or len(std) != channels:
        raise ValueError(
            f"normalization={normalization!r} has {len(mean)} mean(s) and "
            f"{len(std)} std(s) but the images have {channels} channel(s): give one "
            f"value per channel. Received: normalization={normalization!r}"
        )
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
        raise ValueError(
            "normalization's std must be positive and every value finite. "
            f"Received: normalization={normalization!r}"
        )
    return scale, mean, std, None


def _check_transform(transform: Callable, sample: np.ndarray) -> None:
    """Runs a normalisation function on two images to fail early and clearly."""
    try:
        out = np.asarray(transform(sample.astype(np.float32)))
    except Exception as err:
        raise ValueError(
            "The normalization function failed on a float32 batch of shape "
            f"{sample.shape} (values 0..255): {err!r}. It must take and return "
            f"(N, H, W, C) arrays. Received: normalization={transform!r}"
        ) from err
    if out.shape != sample.shape or not np.issubdtype(out.dtype, np.floating):
        raise ValueError(
            "The normalization function must return float images of the shape it "
            f"was given: {sample.shape} in, {out.shape} {out.dtype} out. "
            f"Received: normalization={transform!r}"
        )


def _prepare(
    x,
    y,
    *,
    batch_size,
    training,
    augment,
    normalization,
    pad_to,
    seed,
    num_classes,
    drop_remainder=False,
) -> _Inputs:
    x = np.asarray(x)
    y = np.asarray(y)
    if x.dtype != np.uint8:
        raise ValueError(
            "pipeline() expects uint8 images as the loaders return. "
            f"Received: dtype={x.dtype}"
        )
    if x.ndim == 3:
        x = x[..., None]
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # keras.datasets' (N, 1) labels
    if x.ndim != 4 or y.ndim != 1 or len(y) != len(x):
        raise ValueError(
            "pipeline() expects images (N, H, W[, C]) and labels (N,). "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    if not is_int(batch_size) or batch_size < 1:
        raise ValueError(
            "batch_size must be a positive integer. "
            f"Received: batch_size={batch_size!r}"
        )
    check_bool("training", training)
    check_bool("augment", augment)
    check_bool("drop_remainder", drop_remainder)
    if seed is not None and (not is_int(seed) or seed < 0):
        raise ValueError(
            f"seed must be a non-negative integer or None. Received: seed={seed!r}"
        )
    if num_classes is not None:
        if not is_int(num_classes) or num_classes < 1:
            raise ValueError(
                "num_classes must be a positive integer (or None for integer labels). "
                f"Received: num_classes={num_classes!r}"
            )
        if len(y) and (y.min() < 0 or y.max() >= num_classes):
            raise ValueError(
                f"The labels must lie in 0..{num_classes - 1} for one-hot labels; "
                f"they go from {y.min()} to {y.max()}. Received: "
                f"num_classes={num_classes}"
            )
    if pad_to is not None:
        if not is_int(pad_to):
            raise ValueError(f"pad_to must be an integer. Received: pad_to={pad_to!r}")
        x = pad_images(x, pad_to)
    scale, mean, std, transform = _statistics(normalization, x.shape[-1])
    if transform is not None and len(x):
        _check_transform(transform, x[:2])
    return _Inputs(
        x=x,
        y=y.astype(np.int32),
        batch_size=int(batch_size),
        training=training,
        augment=augment and training,
        scale=scale,
        mean=mean,
        std=std,
        transform=transform,
        num_classes=None if num_classes is None else int(num_classes),
        seed=None if seed is None else int(seed),
        drop_remainder=drop_remainder and len(y) >= batch_size,
    )


class ArrayBatches(keras.utils.PyDataset):
    """Batches of normalised float32 images and labels from uint8 arrays, in NumPy.

    A ``keras.utils.PyDataset``: ``model.fit(ds)`` trains on it with any Keras
    backend, ``len(ds)`` is the number of batches, ``ds[i]`` is batch ``i``, and
    ``for images, labels in ds`` runs through one epoch of NumPy batches.

    With ``training=True`` the order is reshuffled every epoch (Keras calls
    :meth:`on_epoch_end`; a complete ``for`` loop counts as an epoch too) and, with
    ``augment=True``, every image gets its own random crop and flip
    (:func:`~course_lib.data.transforms.random_crop_flip`). Batch ``i`` of epoch ``e``
    depends only on ``(seed, e, i)``, so a seed gives the same batches with any number
    of workers.

    Args:
        x, y, batch_size, training, augment, normalization, pad_to, seed, num_classes:
            as :func:`pipeline`.
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size`` of
            ``keras.utils.PyDataset``: how ``fit`` prepares batches ahead in threads
            or processes. The default, one worker (no threads), is enough: on 2 CPU
            cores one worker makes about 47,000 augmented CIFAR-10 images/s, over 100
            times what ResNet-20 trains on, and 2 workers did not make a tiny CNN
            measurably faster.

    Example:
        >>> ds = ArrayBatches(x_train, y_train, training=True, augment=True, seed=0)
        >>> images, labels = ds[0]
        >>> images.shape, images.dtype, labels.dtype
        ((128, 32, 32, 3), dtype('float32'), dtype('int32'))
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        batch_size: int = 128,
        training: bool = False,
        augment: bool = False,
        normalization: Normalization = "unit",
        pad_to: int | None = None,
        seed: int | None = None,
        num_classes: int | None = None,
        drop_remainder: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._inputs = _prepare(
            x,
            y,
            batch_size=batch_size,
            training=training,
            augment=augment,
            normalization=normalization,
            pad_to=pad_to,
            seed=seed,
            num_classes=num_classes,
            drop_remainder=drop_remainder,
        )
        # Without a seed, draw one from NumPy's global generator, which
        # keras.utils.set_random_seed (and runtime.set_seed) seeds.
        self._seed = seed if seed is not None else int(np.random.randint(2**31 - 1))
        self._epoch = 0
        self._order = self._shuffled_order()
        unit = not self._inputs.mean.any() and np.all(self._inputs.std == 1)
        self._standardise = not unit  # skipping "- 0" and "/ 1" changes no bit
        width = self._inputs.x.shape[2]
        self._row_mean = np.tile(self._inputs.mean, width)
        self._row_std = np.tile(self._inputs.std, width)

    @property
    def epoch(self) -> int:
        """How many epochs have ended (the shuffle and the crops depend on it)."""
        return self._epoch

    def _shuffled_order(self) -> np.ndarray | None:
        if not self._inputs.training:
            return None
        rng = np.random.default_rng([self._seed, self._epoch])
        return rng.permutation(len(self._inputs.y))

    def __len__(self) -> int:
        count = len(self._inputs.y) / self._inputs.batch_size
        return math.floor(count) if self._inputs.drop_remainder else math.ceil(count)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not is_int(index) or not 0 <= index < len(self):
            raise IndexError(
                f"ArrayBatches has {len(self)} batches (0..{len(self) - 1}). "
                f"Received: index={index!r}"
            )
        inputs = self._inputs
        start = index * inputs.batch_size
        stop = start + inputs.batch_size
        if self._order is None:
            images, labels = inputs.x[start:stop], inputs.y[start:stop]
        else:
            chosen = self._order[start:stop]
            images, labels = inputs.x[chosen], inputs.y[chosen]
        if inputs.augment:
            rng = np.random.default_rng([self._seed, self._epoch, index])
            images = random_crop_flip(images, rng, pad=AUGMENT_PAD)
        # (N, H, W*C) rows against W-times tiled statistics: the same operations in
        # the same order as tf.data (so the same bits), without NumPy's slow inner
        # loop over 1 or 3 channels.
        shape = images.shape
        images = images.astype(np.float32).reshape(len(images), shape[1], -1)
        images *= inputs.scale
        if self._standardise:
            images -= self._row_mean
            images /= self._row_std
        images = images.reshape(shape)
        if inputs.transform is not None:
            images = np.asarray(inputs.transform(images), np.float32)
        if inputs.num_classes is not None:
            labels = np.eye(inputs.num_classes, dtype=np.float32)[labels]
        return images, labels

    def __iter__(self):
        """One epoch of ``(images, labels)`` NumPy batches; a complete pass ends the
        epoch, so the next ``for`` loop sees a new shuffle and new crops."""
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def on_epoch_end(self) -> None:
        """Called by Keras after every epoch: the next one gets a new order."""
        self._epoch += 1
        if self._inputs.training:
            self._order = self._shuffled_order()


def _resolve_engine(engine: str) -> str:
    check_choice("engine", engine, ENGINES)
    backend = _backend.name()
    if engine == "auto":
        return "tf.data" if backend == "tensorflow" else "numpy"
    if engine == "tf.data" and backend != "tensorflow":
        raise ValueError(
            f"engine='tf.data' needs the TensorFlow backend, but Keras is running on "
            f"{backend!r}. Use engine='numpy' (or 'auto', which picks it), or set "
            "KERAS_BACKEND=tensorflow before importing keras. "
            f"Received: engine={engine!r}"
        )
    return engine


def pipeline(
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int = 128,
    training: bool = False,
    augment: bool = False,
    normalization: Normalization = "unit",
    pad_to: int | None = None,
    seed: int | None = None,
    num_classes: int | None = None,
    drop_remainder: bool = False,
    engine: str = "auto",
):
    """Batches of ``(images, labels)`` for ``model.fit`` from uint8 arrays.

    Args:
        x: uint8 images, (N, H, W) or (N, H, W, C); a channel axis is added to
            (N, H, W).
        y: integer labels, (N,) (or (N, 1)).
        batch_size: images per batch (the last batch may be smaller).
        training: shuffle every epoch (and augment, when ``augment``); otherwise keep
            the order, for evaluation.
        augment: the CIFAR-10 recipe of He et al.: pad 4 pixels with zeros, crop a
            random HxW window, flip left-right with probability 1/2, for each image.
            Applied only when training.
        normalization: ``"unit"`` scales to [0, 1]; ``"mnist"`` / ``"cifar10"`` also
            subtract the per-channel mean and divide by the std (``MEAN``, ``STD``);
            a ``(mean, std)`` pair of per-channel sequences on the 0..1 scale does the
            same for another dataset; a function ``f(images)`` gets float32 images in
            0..255 and returns them normalised; ``None`` leaves float32 values in
            0..255.
        pad_to: zero-pad images symmetrically to this size (LeNet-5 takes MNIST's
            28x28 digits padded to 32x32).
        seed: shuffling and augmentation seed (same seed, same batches).
        num_classes: when given, labels come out one-hot, float32 (N, num_classes),
            as label smoothing needs; otherwise int32 (N,).
        drop_remainder: leave out the last, smaller batch (when there is at least
            one full batch). :func:`course_lib.training.train` does so for training:
            every step then has the same shape, so JAX and XLA compile the step
            once, and a reshuffled epoch leaves out different images each time.
        engine: ``"auto"`` (tf.data on the TensorFlow backend, else NumPy),
            ``"tf.data"`` or ``"numpy"``.

    Returns:
        A batched, prefetched ``tf.data.Dataset`` (engine ``"tf.data"``) or an
        :class:`ArrayBatches` (engine ``"numpy"``) of float32 images and int32 (or
        one-hot float32) labels. Both go to ``model.fit``; :func:`first_batch`
        shows one batch of either.

    Raises:
        ValueError: a bad argument; the message names it and the fix.

    Example:
        >>> (x_train, y_train), _ = load_cifar10()
        >>> train_ds = pipeline(x_train, y_train, training=True, augment=True,
        ...                     normalization="cifar10", seed=0)
        >>> images, labels = first_batch(train_ds)
    """
    arguments = dict(
        batch_size=batch_size,
        training=training,
        augment=augment,
        normalization=normalization,
        pad_to=pad_to,
        seed=seed,
        num_classes=num_classes,
        drop_remainder=drop_remainder,
    )
    if _resolve_engine(engine) == "numpy":
        return ArrayBatches(x, y, **arguments)
    inputs = _prepare(x, y, **arguments)
    return _backend.tf_data_pipeline(
        inputs.x,
        inputs.y,
        batch_size=inputs.batch_size,
        training=inputs.training,
        augment=inputs.augment,
        scale=inputs.scale,
        mean=inputs.mean,
        std=inputs.std,
        num_classes=inputs.num_classes,
        seed=inputs.seed,
        transform=inputs.transform,
        drop_remainder=inputs.drop_remainder,
    )


def first_batch(ds) -> tuple[np.ndarray, np.ndarray]:
    """The first ``(images, labels)`` batch of a pipeline, as NumPy arrays.

    Works for both engines (and any iterable of pairs), so a lesson can show a batch
    without knowing which backend runs.

    Example:
        >>> images, labels = first_batch(pipeline(x, y, batch_size=6))
        >>> plotting.image_grid(images)
    """
    batch = ds[0] if isinstance(ds, keras.utils.PyDataset) else next(iter(ds))
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise ValueError(
            "first_batch() expects a dataset of (images, labels) batches, as "
            f"pipeline() returns. Received: a batch of type {type(batch).__name__}"
        )
    return np.asarray(batch[0]), np.asarray(batch[1])
