"""Readers of the datasets' distribution formats, in NumPy: no file is ever unpickled.

- MNIST: four IDX files (gzip), ``[0, 0, 0x08, ndim]`` then ``ndim`` big-endian sizes,
  then the unsigned bytes.
- CIFAR-10, *binary* version: files of records of 1 label byte and 3072 pixel bytes
  (1024 red, 1024 green, 1024 blue, rows top to bottom).

Every reader checks sizes and headers and raises :class:`DataFormatError` naming the
file, so a truncated or foreign file is never read as data.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from course_lib.data.errors import DataFormatError

__all__ = [
    "CIFAR10_RECORD",
    "CIFAR10_RECORDS_PER_FILE",
    "read_cifar10_batch",
    "read_idx",
]

CIFAR10_RECORD = 1 + 32 * 32 * 3
CIFAR10_RECORDS_PER_FILE = 10000


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads an IDX file (gzip or plain) as MNIST distributes it, checking its header.

    Returns:
        A uint8 array of the shape the header gives, e.g. (60000, 28, 28).

    Raises:
        DataFormatError: not an unsigned-byte IDX file, or truncated.

    Example:
        >>> read_idx("mnist/t10k-labels-idx1-ubyte.gz").shape
        (10000,)
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:
        raise DataFormatError(
            f"{path} is not a readable IDX gzip file ({err}). Delete it and download "
            "it again."
        ) from err
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DataFormatError(
            f"{path} does not start with an unsigned-byte IDX header."
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataFormatError(
            f"{path} holds {len(data)} bytes but its header {shape} needs {expected}: "
            "the file is truncated or corrupted. Delete it and download it again."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_cifar10_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Reads one CIFAR-10 binary batch file.

    Returns:
        ``(images, labels)``: uint8 (N, 32, 32, 3) channels last, and uint8 (N,).

    Raises:
        DataFormatError: a size that is not :data:`CIFAR10_RECORDS_PER_FILE` records,
            or labels above 9.
    """
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size != CIFAR10_RECORD * CIFAR10_RECORDS_PER_FILE:
        raise DataFormatError(
            f"{path} holds {raw.size} bytes, not {CIFAR10_RECORDS_PER_FILE} records "
            f"of {CIFAR10_RECORD} bytes: it is truncated or not a CIFAR-10 binary "
            "batch. Delete the folder and download the data again."
        )
    records = raw.reshape(-1, CIFAR10_RECORD)
    labels = records[:, 0].copy()
    if labels.max() > 9:
        raise DataFormatError(f"{path} has labels above 9: it is not a CIFAR-10 batch.")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    return images, labels
