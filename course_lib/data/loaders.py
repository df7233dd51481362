"""The public loaders: MNIST and CIFAR-10 as uint8 arrays, full or smoke-sized.

Both loaders return arrays in the ``keras.datasets`` convention,
``(x_train, y_train), (x_test, y_test)``, in the files' original order. In smoke mode
(``COURSE_MODE=smoke``) they return small stratified subsets
(:data:`~course_lib.data.catalog.SMOKE_SIZES`); only there, and only when no real data
can be found (or the cache cannot be written), a clearly labelled synthetic stand-in
keeps the code paths running.
"""

from __future__ import annotations

import numpy as np

from course_lib import runtime
from course_lib.data import catalog, store
from course_lib.data.errors import DataNotFoundError, FolderNotWritableError
from course_lib.data.formats import read_cifar10_batch, read_idx
from course_lib.data.synthetic import synthetic_standin

__all__ = ["load_cifar10", "load_mnist", "source", "stratified_indices"]

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# Per process: the full arrays of each dataset read so far, and where they came from.
_memo: dict[str, Split] = {}
_sources: dict[str, str] = {}


def source(name: str) -> str | None:
    """Where the last load of ``name`` came from (a folder, or ``"synthetic"``).

    Example:
        >>> load_mnist(); source("mnist")
        '/data/course/mnist'
    """
    return _sources.get(name)


def _read_mnist(folder) -> Split:
    arrays = {
        key: read_idx(folder / remote.name)
        for key, remote in catalog.MNIST_FILES.items()
    }
    return (
        (arrays["train_images"], arrays["train_labels"]),
        (arrays["test_images"], arrays["test_labels"]),
    )


def _read_cifar10(folder) -> Split:
    parts = [read_cifar10_batch(folder / n) for n in catalog.CIFAR10_TRAIN_FILES]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    x_test, y_test = read_cifar10_batch(folder / catalog.CIFAR10_TEST_FILE)
    return (x_train, y_train), (x_test, y_test)


def _resolve_subset(subset: str | None) -> str:
    if subset is None:
        return "smoke" if runtime.is_smoke() else "full"
    if subset not in ("smoke", "full"):
        raise ValueError(
            f"subset must be None, 'smoke' or 'full'. Received: subset={subset!r}"
        )
    return subset


def _load(name: str, subset: str | None, download_missing: bool) -> Split:
    subset = _resolve_subset(subset)
    if name not in _memo:
        locate, read = {
            "mnist": (store.locate_mnist, _read_mnist),
            "cifar10": (store.locate_cifar10, _read_cifar10),
        }[name]
        try:
            folder = locate(download_missing=download_missing)
        except DataNotFoundError as err:
            if subset != "smoke":
                raise
            _sources[name] = "synthetic"
            # A read-only cache is worth naming; "not found" is what the message says.
            reason = str(err) if isinstance(err, FolderNotWritableError) else None
            return synthetic_standin(name, reason=reason, stacklevel=4)
        _memo[name] = read(folder)
        _sources[name] = str(folder)
    (x_train, y_train), (x_test, y_test) = _memo[name]
    if subset == "smoke":
        n_train, n_test = catalog.SMOKE_SIZES[name]
        tr = stratified_indices(y_train, n_train, seed=catalog.SMOKE_SEED)
        te = stratified_indices(y_test, n_test, seed=catalog.SMOKE_SEED)
        return (x_train[tr], y_train[tr]), (x_test[te], y_test[te])
    return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())


def load_mnist(*, subset: str | None = None, download: bool = True) -> Split:
    """Loads MNIST as uint8 arrays: ``(x_train, y_train), (x_test, y_test)``.

    Shapes (full): (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Args:
        subset: ``None`` follows the course mode (smoke mode gives the stratified
            ``SMOKE_SIZES`` subset), ``"full"`` or ``"smoke"`` force one.
        download: when False, never reach the network.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, uint8.

    Raises:
        DataNotFoundError: no copy and no download possible (full mode only).
        ChecksumError: a file differs from its published or manifest digest.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    """
    return _load("mnist", subset, download)


def load_cifar10(*, subset: str | None = None, download: bool = True) -> Split:
    """Loads CIFAR-10 as uint8 arrays: ``(x_train, y_train), (x_test, y_test)``.

    Shapes (full): (50000, 32, 32, 3), (50000,), (10000, 32, 32, 3), (10000,). Labels
    index ``CIFAR10_CLASSES``. Arguments, returns and errors as :func:`load_mnist`.

    Example:
        >>> (x_train, y_train), _ = load_cifar10(subset="smoke")
        >>> x_train.shape
        (2000, 32, 32, 3)
    """
    return _load("cifar10", subset, download)


def stratified_indices(
    labels: np.ndarray, n: int, *, seed: int = catalog.SMOKE_SEED
) -> np.ndarray:
    """Indices of ``n`` items with the same count per class.

    The remainder goes to the first classes; the items are chosen with a fixed seed and
    returned in their original order.

    Example:
        >>> stratified_indices(np.array([0, 0, 1, 1, 1]), 2).tolist()
        [0, 2]
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if n > labels.size:
        raise ValueError(f"Cannot take {n} items from {labels.size}. Received: n={n}")
    rng = np.random.default_rng(seed)
    per_class = [
        n // len(classes) + (1 if i < n % len(classes) else 0)
        for i in range(len(classes))
    ]
    chosen = []
    for c, k in zip(classes, per_class, strict=True):
        pool = np.flatnonzero(labels == c)
        if k > pool.size:
            raise ValueError(
                f"Class {c} has only {pool.size} items; {k} were asked for. "
                f"Received: n={n}"
            )
        chosen.append(rng.choice(pool, size=k, replace=False))
    return np.sort(np.concatenate(chosen))
