"""MNIST and CIFAR-10: verified downloads, an offline cache, smoke subsets, pipelines.

    >>> from course_lib import data
    >>> (x_train, y_train), (x_test, y_test) = data.load_cifar10()
    >>> train_ds = data.pipeline(x_train, y_train, training=True, augment=True,
    ...                          normalization="cifar10", seed=0)
    >>> images, labels = data.first_batch(train_ds)

Where the files come from, in order:

1. ``COURSE_DATA_DIR`` (a folder holding ``mnist/`` and ``cifar10/``, e.g. a classroom
   copy);
2. the local cache, ``~/.keras/datasets/course_lib`` (``COURSE_CACHE_DIR`` overrides
   it);
3. a download from the canonical distribution, then its mirrors (``COURSE_DATA_MIRROR``,
   a base URL, is tried first when set; ``COURSE_DATA_MIRROR_ONLY=1`` uses it alone).
   Every download is verified by SHA-256, written to a partial file and renamed only
   when complete and verified.

MNIST is read from its four IDX gzip files; CIFAR-10 from its *binary* distribution,
parsed with NumPy: no downloaded file is ever unpickled. Both loaders return uint8
arrays in the ``keras.datasets`` convention. In smoke mode (``COURSE_MODE=smoke``) they
return small stratified subsets (:data:`SMOKE_SIZES`); only there, and only when no
real data can be had, a clearly labelled synthetic stand-in keeps the code running.

One job per module:

- ``catalog``     the datasets: class names, statistics, files, digests, URLs
- ``errors``      the errors, each saying how to fix the problem
- ``remote``      verified downloads, partial files, safe archive extraction
- ``formats``     the IDX and CIFAR-10 binary readers
- ``store``       the data folder and the cache, manifests, fetch and verify
- ``packs``       one-file packs for offline classrooms
- ``loaders``     ``load_mnist``, ``load_cifar10``, subsets
- ``synthetic``   the smoke-mode stand-in and lesson 03's O/X shapes
- ``transforms``  NumPy image transforms (shifts, padding, random crops and flips)
- ``pipelines``   ``pipeline``: tf.data or NumPy batches for ``model.fit``

``pipelines`` imports Keras, so it is loaded on first use: the download script and
the loaders stay quick to import.

See: lessons/00_setup.ipynb
"""

from __future__ import annotations

import importlib

from course_lib.data import catalog
from course_lib.data.catalog import (
    CIFAR10_ARCHIVE,
    CIFAR10_CLASSES,
    CIFAR10_FOLDER,
    CIFAR10_TEST_FILE,
    CIFAR10_TRAIN_FILES,
    CLASS_NAMES,
    DATASETS,
    FULL_SIZES,
    MEAN,
    MNIST_CLASSES,
    MNIST_FILES,
    SMOKE_SEED,
    SMOKE_SIZES,
    STD,
)
from course_lib.data.errors import (
    ChecksumError,
    DataError,
    DataFormatError,
    DataNotFoundError,
    FolderNotWritableError,
    UnsafeArchiveError,
)
from course_lib.data.formats import (
    CIFAR10_RECORD,
    CIFAR10_RECORDS_PER_FILE,
    read_cifar10_batch,
    read_idx,
)
from course_lib.data.loaders import (
    Split,
    load_cifar10,
    load_mnist,
    source,
    stratified_indices,
)
from course_lib.data.packs import pack, unpack
from course_lib.data.remote import (
    CHUNK_BYTES,
    DOWNLOAD_TIMEOUT_S,
    RemoteFile,
    clean_stale_partials,
    download,
    mirror_only,
    safe_extract,
    sha256_of,
    verify_file,
)
from course_lib.data.store import (
    MANIFEST,
    cache_dir,
    data_dir,
    fetch,
    locate_cifar10,
    locate_mnist,
    read_manifest,
    verify,
)
from course_lib.data.synthetic import OX_SHAPES, ox_shapes
from course_lib.data.transforms import pad_images, random_crop_flip, shift_images

_LAZY = {
    "ArrayBatches": "course_lib.data.pipelines",
    "ENGINES": "course_lib.data.pipelines",
    "first_batch": "course_lib.data.pipelines",
    "pipeline": "course_lib.data.pipelines",
}

__all__ = sorted(
    [
        "CHUNK_BYTES",
        "CIFAR10_ARCHIVE",
        "CIFAR10_CLASSES",
        "CIFAR10_FOLDER",
        "CIFAR10_RECORD",
        "CIFAR10_RECORDS_PER_FILE",
        "CIFAR10_TEST_FILE",
        "CIFAR10_TRAIN_FILES",
        "CLASS_NAMES",
        "ChecksumError",
        "DATASETS",
        "DOWNLOAD_TIMEOUT_S",
        "DataError",
        "DataFormatError",
        "DataNotFoundError",
        "FolderNotWritableError",
        "MANIFEST",
        "MEAN",
        "MNIST_CLASSES",
        "MNIST_FILES",
        "OX_SHAPES",
        "RemoteFile",
        "SMOKE_SEED",
        "FULL_SIZES",
        "SMOKE_SIZES",
        "STD",
        "Split",
        "UnsafeArchiveError",
        "cache_dir",
        "catalog",
        "clean_stale_partials",
        "data_dir",
        "download",
        "fetch",
        "load_cifar10",
        "load_mnist",
        "locate_cifar10",
        "locate_mnist",
        "mirror_only",
        "ox_shapes",
        "pack",
        "pad_images",
        "random_crop_flip",
        "read_cifar10_batch",
        "read_idx",
        "read_manifest",
        "safe_extract",
        "sha256_of",
        "shift_images",
        "source",
        "stratified_indices",
        "unpack",
        "verify",
        "verify_file",
        *_LAZY,
    ]
)


def __getattr__(name: str):
    """Loads ``pipelines`` (and Keras) only when one of its names is first used."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
