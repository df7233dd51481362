"""What the course's datasets are: class names, statistics, files, digests and URLs.

Everything here is a constant. The other modules read these names as attributes of this
module at call time (``catalog.MNIST_FILES``), so a test can swap in small stand-in
files with ``monkeypatch.setattr(catalog, ...)``.
"""

from __future__ import annotations

from course_lib.data.remote import RemoteFile

__all__ = [
    "CIFAR10_ARCHIVE",
    "CIFAR10_CLASSES",
    "CIFAR10_FOLDER",
    "CIFAR10_TEST_FILE",
    "CIFAR10_TRAIN_FILES",
    "CLASS_NAMES",
    "DATASETS",
    "MEAN",
    "MNIST_CLASSES",
    "MNIST_FILES",
    "SMOKE_SEED",
    "SMOKE_SIZES",
    "STD",
]

DATASETS = ("mnist", "cifar10")

MNIST_CLASSES = tuple(str(d) for d in range(10))
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CLASS_NAMES = {"mnist": MNIST_CLASSES, "cifar10": CIFAR10_CLASSES}

# Per-channel statistics of the training sets on a 0..1 scale (tests recompute them).
MEAN = {"mnist": (0.1307,), "cifar10": (0.4914, 0.4822, 0.4465)}
STD = {"mnist": (0.3081,), "cifar10": (0.2470, 0.2435, 0.2616)}

# Smoke-mode subsets: (train, test) images, the same number of each class, chosen with a
# fixed seed so every run and every machine sees the same images.
SMOKE_SIZES = {"mnist": (2000, 500), "cifar10": (2000, 500)}
# The whole datasets: (train, test) images, as published and as the loaders check.
FULL_SIZES = {"mnist": (60000, 10000), "cifar10": (50000, 10000)}
SMOKE_SEED = 0

_MNIST_HOSTS = (
    "https://yann.lecun.com/exdb/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
# key: (file name, published SHA-256, size in bytes)
_MNIST_TABLE = {
    "train_images": (
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        9912422,
    ),
    "train_labels": (
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        28881,
    ),
    "test_images": (
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        1648877,
    ),
    "test_labels": (
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        4542,
    ),
}
MNIST_FILES = {
    key: RemoteFile(name, sha, size, tuple(host + name for host in _MNIST_HOSTS))
    for key, (name, sha, size) in _MNIST_TABLE.items()
}

CIFAR10_ARCHIVE = RemoteFile(
    "cifar-10-binary.tar.gz",
    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    170052171,
    (
        "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
        "https://cave.cs.toronto.edu/kriz/cifar-10-binary.tar.gz",
    ),
)
CIFAR10_FOLDER = "cifar-10-batches-bin"
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
CIFAR10_TEST_FILE = "test_batch.bin"

HOW_TO_GET = (
    "Get the data with `python data_scripts/download.py {name} --dir DIR` on a "
    "machine with internet access and point COURSE_DATA_DIR at DIR, or copy the files "
    "into {cache}."
)
